// book.js: what scripts add to the HTML book.  The book reads completely
// without it; this adds the theme toggle, copy buttons, the current
// section in the contents, and the index filters.  No network, no storage
// beyond one localStorage key (and that may fail from file://: ignored).
(function () {
  "use strict";
  var root = document.documentElement;
  var KEY = "ipc-book-theme";

  // ------------------------------------------------------------ theme
  // The page follows the system; the toggle flips what is shown and
  // remembers it, unless that is what the system shows anyway.
  var systemDark = window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)");
  function shownDark() {
    var t = root.getAttribute("data-theme");
    return t ? t === "dark" : !!(systemDark && systemDark.matches);
  }
  function store(v) {
    try { if (v) localStorage.setItem(KEY, v); else localStorage.removeItem(KEY); } catch (e) { /* file:// in some browsers */ }
  }
  function labelToggles() {
    var dark = shownDark();
    document.querySelectorAll(".theme-toggle").forEach(function (b) {
      b.hidden = false;
      b.textContent = dark ? "☀ Light" : "☾ Dark";
      b.setAttribute("aria-label", dark ? "Switch to the light theme" : "Switch to the dark theme");
      b.setAttribute("aria-pressed", dark ? "true" : "false");
    });
  }
  document.querySelectorAll(".theme-toggle").forEach(function (b) {
    b.addEventListener("click", function () {
      var want = shownDark() ? "light" : "dark";
      var sys = systemDark && systemDark.matches ? "dark" : "light";
      if (want === sys) { root.removeAttribute("data-theme"); store(null); }
      else { root.setAttribute("data-theme", want); store(want); }
      labelToggles();
    });
  });
  if (systemDark && systemDark.addEventListener) systemDark.addEventListener("change", labelToggles);
  labelToggles();

  // ------------------------------------------------------- copy buttons
  // Copies the chunk as shown: its code, with each use as ⟨name⟩ N.
  function copyText(text) {
    if (navigator.clipboard && navigator.clipboard.writeText) return navigator.clipboard.writeText(text);
    return new Promise(function (ok, fail) {
      var ta = document.createElement("textarea");
      ta.value = text; ta.setAttribute("readonly", ""); ta.style.position = "fixed"; ta.style.opacity = "0";
      document.body.appendChild(ta); ta.select();
      var done = document.execCommand("copy"); document.body.removeChild(ta);
      done ? ok() : fail(new Error("copy failed"));
    });
  }
  document.querySelectorAll(".chunk").forEach(function (chunk) {
    var head = chunk.querySelector(".chunk-head");
    var code = chunk.querySelector(":scope > div.sourceCode pre");
    if (!head || !code) return;
    var b = document.createElement("button");
    b.type = "button"; b.className = "copy"; b.textContent = "Copy";
    b.setAttribute("aria-label", "Copy the code of chunk " + (head.querySelector(".chunk-num") || {}).textContent);
    b.addEventListener("click", function () {
      copyText(code.textContent).then(function () { b.textContent = "Copied"; },
        function () { b.textContent = "Select and copy"; });
      setTimeout(function () { b.textContent = "Copy"; }, 1500);
    });
    head.appendChild(b);
  });

  // ------------------------------------------ contents: where you are
  var sidebar = document.getElementById("sidebar");
  var menu = document.getElementById("toc-menu");
  var tocLinks = {};   // section id -> [links in both contents]
  document.querySelectorAll(".toc a[href^='#']").forEach(function (a) {
    var id = decodeURIComponent(a.getAttribute("href").slice(1));
    (tocLinks[id] = tocLinks[id] || []).push(a);
  });
  var heads = [];
  document.querySelectorAll("#content h1[id], #content h2[id], #content section[id] > h1, #content section[id] > h2").forEach(function (h) {
    var id = h.id || (h.parentNode && h.parentNode.id);
    if (id && tocLinks[id] && heads.indexOf(h) < 0) heads.push(h);
  });
  var current = null;
  function markCurrent() {
    var best = null, y = 90;
    // the last heading above the line y: headings are in document order
    var lo = 0, hi = heads.length - 1;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (heads[mid].getBoundingClientRect().top <= y) { best = heads[mid]; lo = mid + 1; } else hi = mid - 1;
    }
    var id = best ? (best.id || best.parentNode.id) : null;
    if (id === current) return;
    current = id;
    document.querySelectorAll(".toc .current, .toc .open").forEach(function (e) { e.classList.remove("current", "open"); });
    if (!id) return;
    (tocLinks[id] || []).forEach(function (a) {
      a.classList.add("current");
      a.setAttribute("aria-current", "location");
      for (var li = a.closest("li"); li; li = li.parentNode.closest("li")) li.classList.add("open");
      // keep it in view in the sidebar, without moving the page
      if (sidebar && sidebar.contains(a) && sidebar.scrollHeight > sidebar.clientHeight) {
        var top = a.offsetTop, sTop = sidebar.scrollTop, h = sidebar.clientHeight;
        if (top < sTop + 40 || top > sTop + h - 60) sidebar.scrollTop = top - h / 3;
      }
    });
    document.querySelectorAll('.toc a[aria-current]:not(.current)').forEach(function (a) { a.removeAttribute("aria-current"); });
  }
  var ticking = false;
  window.addEventListener("scroll", function () {
    if (!ticking) { ticking = true; requestAnimationFrame(function () { ticking = false; markCurrent(); }); }
  }, { passive: true });
  window.addEventListener("hashchange", function () { setTimeout(markCurrent, 0); });
  markCurrent();
  // the phone menu opens at the section being read, and closes once a
  // place is chosen
  if (menu) {
    menu.addEventListener("click", function (e) {
      if (e.target.closest("a")) menu.open = false;
    });
    menu.addEventListener("toggle", function () {
      var list = menu.querySelector(".toc"), a = list && list.querySelector("a.current");
      if (menu.open && a) list.scrollTop = a.offsetTop - list.offsetTop - list.clientHeight / 3;
    });
  }

  // ------------------------------------------------------------ filters
  // Each index has a box; words typed narrow the index to the entries that
  // hold every word, and narrow the contents to the sections whose title,
  // chunk names or code hold them.
  var sectionText = null;
  function buildSectionText() {
    sectionText = {};
    Object.keys(tocLinks).forEach(function (id) {
      var sec = document.getElementById(id);
      if (!sec) return;
      var s = sec.tagName === "SECTION" ? sec : sec.parentNode;
      var t = [(sec.textContent || "").slice(0, 200)];
      var h = s.querySelector("h1, h2"); if (h) t.push(h.textContent);
      s.querySelectorAll(".chunk > .chunk-head .chunk-name, .chunk > div.sourceCode code").forEach(function (e) { t.push(e.textContent); });
      sectionText[id] = t.join(" ").toLowerCase();
    });
  }
  function words(q) { return q.toLowerCase().split(/\s+/).filter(Boolean); }
  function matches(text, ws) { return ws.every(function (w) { return text.indexOf(w) >= 0; }); }
  function filterContents(ws) {
    if (ws.length && !sectionText) buildSectionText();
    root.classList.toggle("filtering", ws.length > 0);
    document.querySelectorAll(".toc li").forEach(function (li) { li.hidden = false; li.classList.remove("match"); });
    if (!ws.length) return;
    // innermost first: a section shows when it matches or a subsection does
    var lis = Array.prototype.slice.call(document.querySelectorAll(".toc li")).reverse();
    lis.forEach(function (li) {
      var a = li.querySelector(":scope > a");
      var id = a ? decodeURIComponent(a.getAttribute("href").slice(1)) : "";
      var own = matches((sectionText[id] || ""), ws);
      var kid = li.querySelector(":scope > ul > li:not([hidden])");
      li.hidden = !(own || kid);
      if (own) li.classList.add("match");
    });
  }
  document.querySelectorAll(".filter").forEach(function (box) {
    box.hidden = false;
    var input = box.querySelector("input");
    var count = box.querySelector(".filter-count");
    var list = document.querySelector('[data-filter-by="' + input.id + '"]');
    var items = list ? list.querySelectorAll("li") : [];
    input.addEventListener("input", function () {
      var ws = words(input.value), shown = 0;
      items.forEach(function (li) {
        var ok = matches(li.getAttribute("data-filter") || li.textContent.toLowerCase(), ws);
        li.hidden = !ok; if (ok) shown++;
      });
      count.textContent = ws.length ? shown + " of " + items.length : "";
      filterContents(ws);
    });
  });
  document.addEventListener("keydown", function (e) {
    if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey) return;
    var t = e.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
    var boxes = Array.prototype.slice.call(document.querySelectorAll(".filter input"));
    if (!boxes.length) return;
    e.preventDefault();
    // the box in view, else the chunk index's
    var inView = boxes.filter(function (b) {
      var r = b.closest("section") ? b.closest("section").getBoundingClientRect() : b.getBoundingClientRect();
      return r.bottom > 0 && r.top < window.innerHeight;
    })[0];
    var box = inView || boxes[0];
    if (!inView) box.scrollIntoView({ block: "center" });
    box.focus();
    box.select();
  });

  // --------------------------------------------------------------- print
  // Every peek is printed open.
  var opened = [];
  window.addEventListener("beforeprint", function () {
    opened = [];
    document.querySelectorAll("details.peek:not([open])").forEach(function (d) { d.open = true; opened.push(d); });
  });
  window.addEventListener("afterprint", function () {
    opened.forEach(function (d) { d.open = false; });
  });
})();
