// book.js: what scripts add to the HTML book.  The book reads completely
// without it; this adds the theme toggle, copy buttons, the current
// section in the contents, and the index filters.  At load it does almost
// nothing, whatever the book's length (tests/browser/perf.js measures it):
// one handler for all buttons of a kind, no query over every chunk, no
// layout forced; what a reader asks for is built when first asked.  No network, no storage
// beyond one localStorage key (and that may fail from file://: ignored).
// The same script serves the book in pages (book/tools/pages): there what
// lives on other pages (chunks' code, the search's text, the indexes)
// comes from data files beside the pages, loaded on first use.
(function () {
  "use strict";
  if (window.performance && performance.mark) performance.mark("book-js-start");
  var root = document.documentElement;
  var KEY = "ipc-book-theme";

  // ------------------------------------------------- the book in pages
  // <html data-edition="pages">: this page is one of many.  A data file
  // is a script that calls window.ipcBookData(name, value) (a <script
  // src> works from file://, fetch does not).
  var PAGES = root.getAttribute("data-edition") === "pages";
  var content = document.getElementById("content");
  var here = PAGES && content ? content.getAttribute("data-page") : "";
  var data = {}, waiting = {};
  window.ipcBookData = function (name, value) {
    data[name] = value;
    (waiting[name] || []).forEach(function (f) { f(value); });
    delete waiting[name];
  };
  // need(name, f): f once the data file is in (at once in the one file,
  // which needs none)
  function need(name, f) {
    if (!PAGES || data[name]) return f(data[name]);
    if (waiting[name]) { waiting[name].push(f); return; }
    waiting[name] = [f];
    var s = document.createElement("script");
    s.src = name + ".js";
    document.head.appendChild(s);
  }
  // the id a link goes to: "#id", or "page.html#id" in the pages
  function hrefId(h) { return h.slice(h.indexOf("#") + 1); }

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
  // The buttons are in the page (html.lua), shown only with scripts
  // (book.css): one handler for all, nothing to do at load.
  document.addEventListener("click", function (e) {
    var b = e.target.closest && e.target.closest(".chunk-head > button.copy");
    if (!b) return;
    var code = b.closest(".chunk").querySelector(":scope > div.sourceCode pre");
    if (!code) return;
    copyText(code.textContent).then(function () { b.textContent = "Copied"; },
      function () { b.textContent = "Select and copy"; });
    setTimeout(function () { b.textContent = "Copy"; }, 1500);
  });

  // ------------------------------------------ contents: where you are
  var sidebar = document.getElementById("sidebar");
  var menu = document.getElementById("toc-menu");
  var tocLinks = {};   // section id -> [links in both contents]
  document.querySelectorAll(".toc a[href^='#']").forEach(function (a) {
    var id = decodeURIComponent(a.getAttribute("href").slice(1));
    (tocLinks[id] = tocLinks[id] || []).push(a);
  });
  // The section being read is the innermost one that crosses a line 90 px
  // below the top of the screen: an IntersectionObserver whose root is that
  // line says which sections do, so nothing is measured at load or while
  // scrolling (the sections far from the screen are not even laid out,
  // book.css).
  var crossing = new Set(), current = null, watcher = null;
  function markCurrent() {
    var best = null;
    crossing.forEach(function (s) { if (!best || best.contains(s)) best = s; });
    var id = best ? best.id : null;
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
  function watchSections() {
    if (watcher) watcher.disconnect();
    crossing.clear();
    var below = Math.max(0, window.innerHeight - 91);
    watcher = new IntersectionObserver(function (entries) {
      entries.forEach(function (en) { if (en.isIntersecting) crossing.add(en.target); else crossing.delete(en.target); });
      markCurrent();
    }, { rootMargin: "-90px 0px -" + below + "px 0px" });
    document.querySelectorAll("#content section.level1[id], #content section.level2[id]").forEach(function (s) {
      if (tocLinks[s.id]) watcher.observe(s);
    });
  }
  if (window.IntersectionObserver) {
    watchSections();
    var resized = null;
    window.addEventListener("resize", function () { clearTimeout(resized); resized = setTimeout(watchSections, 200); });
  }
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
    var items = null;   // the index's entries, found when first filtered
    var list = document.querySelector('[data-filter-by="' + input.id + '"]');
    var piece = null;   // in the pages, this page's piece of the index, kept when first filtered
    input.addEventListener("input", function () {
      if (PAGES) { need("indexes", filterAll); return; }
      if (!items) {
        items = list ? list.querySelectorAll("li") : [];
      }
      var ws = words(input.value), shown = 0;
      items.forEach(function (li) {
        var ok = matches(li.getAttribute("data-filter") || li.textContent.toLowerCase(), ws);
        li.hidden = !ok; if (ok) shown++;
      });
      count.textContent = ws.length ? shown + " of " + items.length : "";
      filterContents(ws);
    });
    // in the pages this page holds a piece of the index: a filter shows
    // the matching entries of the whole index (indexes.js), in place of it
    function filterAll(idx) {
      var all = idx[input.id] || [], ws = words(input.value);
      if (!list) return;
      if (piece === null) piece = list.innerHTML;
      if (!ws.length) { list.innerHTML = piece; count.textContent = ""; return; }
      var hits = all.filter(function (e) { return matches(e[0], ws); });
      list.innerHTML = hits.map(function (e) { return '<li data-filter="' + escapeHTML(e[0]) + '">' + e[1] + "</li>"; }).join("");
      count.textContent = hits.length + " of " + all.length;
    }
  });
  // ---------------------------------------------------------------- peeks
  // A peek holds only links to the chunk it shows: its code is copied in
  // from the chunk's parts when it is first opened (so the browser's find
  // does not meet every chunk twice).
  // The code elements of a chunk's parts, in order: from the page, or in
  // the pages, from chunks.js for the parts on other pages.
  var made = {};
  function codeFrom(label) {
    var k = data.chunks && data.chunks[label];
    if (!k) return null;
    if (!made[label]) {
      var box = document.createElement("div");
      box.className = "sourceCode";
      box.innerHTML = '<pre class="' + k[2] + '"><code class="' + k[3] + '">' + k[4] + "</code></pre>";
      made[label] = { code: box.querySelector("code"), next: k[1] };
    }
    return made[label];
  }
  function codesOf(label) {
    var codes = [], seen = {};
    while (label && !seen[label]) {
      seen[label] = true;
      var c = document.getElementById(label), part = null;
      if (c && c.classList.contains("chunk")) {
        var nx = c.querySelector(":scope > .chunk-head > .chunk-next");
        part = { code: c.querySelector(":scope > div.sourceCode > pre > code"), next: nx ? hrefId(nx.getAttribute("href")) : null };
      } else part = codeFrom(label);
      if (!part) break;
      if (part.code) codes.push(part.code);
      label = part.next;
    }
    return codes;
  }
  function fillPeek(d) {
    if (d.querySelector("div.sourceCode")) return;
    need("chunks", function () {
      if (d.querySelector("div.sourceCode")) return;
      var codes = codesOf(d.getAttribute("data-peek"));
      if (!codes.length) return;
      var pre = codes[0].parentNode.cloneNode(false), box = codes[0].parentNode.parentNode.cloneNode(false);
      var code = codes[0].cloneNode(false);
      codes.forEach(function (c, i) {
        if (i > 0) code.appendChild(document.createTextNode("\n"));
        for (var n = c.firstChild; n; n = n.nextSibling) code.appendChild(n.cloneNode(true));
      });
      pre.appendChild(code); box.appendChild(pre);
      d.insertBefore(box, d.querySelector(".peek-foot"));
    });
  }
  // beside each use in a chunk's code, a button that opens its peek (in
  // the page, html.lua; its words are CSS, so the code's text stays the
  // code)
  function peekOf(use) {
    var chunk = use && use.closest(".chunk");
    return chunk && chunk.querySelector(':scope > .peeks > details.peek[data-peek="' + hrefId(use.getAttribute("href")) + '"]');
  }
  document.addEventListener("click", function (e) {
    var b = e.target.closest && e.target.closest("button.peek-toggle");
    if (!b) return;
    var d = peekOf(b.previousElementSibling);
    if (!d) return;
    fillPeek(d);
    d.open = !d.open;
    b.setAttribute("aria-expanded", d.open ? "true" : "false");
    if (d.open) d.scrollIntoView({ block: "nearest" });
  });
  document.addEventListener("toggle", function (e) {
    var d = e.target;
    if (!(d.matches && d.matches("details.peek"))) return;
    if (d.open) fillPeek(d);
    var chunk = d.closest(".chunk");
    chunk && chunk.querySelectorAll(":scope > div.sourceCode button.peek-toggle").forEach(function (b) {
      if (peekOf(b.previousElementSibling) === d) b.setAttribute("aria-expanded", d.open ? "true" : "false");
    });
  }, true);
  // a footer cut short opens in full on a click (not on its links)
  document.addEventListener("click", function (e) {
    var f = e.target.closest && e.target.closest(".chunk-foot");
    if (f && !e.target.closest("a")) f.classList.toggle("full");
  });
  // open with a click, filled at once (the toggle event comes later)
  document.addEventListener("click", function (e) {
    var s = e.target.closest && e.target.closest("details.peek > summary");
    if (s) fillPeek(s.parentNode);
  });

  // --------------------------------------------------- whole tangled files
  // A file is put together from its chunks as notangle does: each use
  // replaced by the chunk's parts, indented as the use is.  The viewer
  // shows it over the page, to read, download or open as plain text.
  function chunkLines(label, indent, out, depth) {
    if (depth > 50) return;
    codesOf(label).forEach(function (code) {
      // the code's lines: its text split at newlines; a line with a use
      // in it brings in that chunk, indented by what stands before the use
      var lines = [], cur = { text: "", use: null, before: "" };
      (function walk(parent) {
        for (var n = parent.firstChild; n; n = n.nextSibling) {
          if (n.nodeType === 1 && n.matches("a.chunk-use")) {
            cur.use = n; cur.before = cur.text; cur.text += n.textContent;
          } else if (n.nodeType === 1 && n.querySelector("a.chunk-use")) {
            walk(n);
          } else {
            var bits = n.textContent.split("\n");
            cur.text += bits[0];
            for (var i = 1; i < bits.length; i++) { lines.push(cur); cur = { text: bits[i], use: null, before: "" }; }
          }
        }
      })(code);
      lines.push(cur);
      lines.forEach(function (line) {
        if (line.use) {
          chunkLines(hrefId(line.use.getAttribute("href")), indent + line.before, out, depth + 1);
        } else {
          out.push(line.text === "" ? "" : indent + line.text);   // notangle indents no empty line
        }
      });
    });
  }
  function fileText(link) {
    var out = [];
    chunkLines(hrefId(link.getAttribute("href")), "", out, 0);
    return out.join("\n") + "\n";
  }
  var viewer = null;
  function openFile(link) {
    var name = link.getAttribute("data-file"), text = fileText(link);
    if (!viewer) {
      viewer = document.createElement("div");
      viewer.id = "file-viewer"; viewer.className = "overlay"; viewer.hidden = true;
      viewer.setAttribute("role", "dialog"); viewer.setAttribute("aria-modal", "true");
      viewer.innerHTML = '<div class="overlay-box"><div class="overlay-bar"><strong class="file-name"></strong>' +
        ' <a class="file-download" download>Download</a> <a class="file-raw" target="_blank" rel="noopener">Plain text</a>' +
        ' <button type="button" class="overlay-close" aria-label="Close">✕</button></div><pre class="file-text"></pre></div>';
      document.body.appendChild(viewer);
      viewer.addEventListener("click", function (e) {
        if (e.target === viewer || e.target.closest(".overlay-close")) closeFile();
      });
      viewer.addEventListener("keydown", function (e) { if (e.key === "Escape") { e.preventDefault(); closeFile(); } });
    }
    var old = viewer.getAttribute("data-url");
    if (old) URL.revokeObjectURL(old);
    var url = URL.createObjectURL(new Blob([text], { type: "text/plain;charset=utf-8" }));
    viewer.setAttribute("data-url", url);
    viewer.querySelector(".file-name").textContent = "tangle/" + name;
    var dl = viewer.querySelector(".file-download");
    dl.href = url; dl.setAttribute("download", name.split("/").pop());
    viewer.querySelector(".file-raw").href = url;
    viewer.querySelector(".file-text").textContent = text;
    viewer.hidden = false;
    viewer.returnFocus = document.activeElement;
    viewer.querySelector(".overlay-close").focus();
  }
  function closeFile() {
    if (!viewer || viewer.hidden) return;
    viewer.hidden = true;
    if (viewer.returnFocus && viewer.returnFocus.focus) viewer.returnFocus.focus();
  }
  document.addEventListener("click", function (e) {
    var a = e.target.closest && e.target.closest("a.chunk-file[data-file]");
    if (!a || e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
    e.preventDefault();
    need("chunks", function () { openFile(a); });
  });

  // --------------------------------------------------------------- search
  // "/" opens a search of the whole book, prose and code, over the page.
  // The index is built from the page itself the first time (each
  // paragraph, list item, table cell, heading and chunk a block);
  // Escape or Back returns to where the reader was.
  // In the pages the index is search.js, the same blocks of every page
  // (book/tools/pages cuts them as buildBlocks does); a result on another
  // page opens there, and that page finds the block (window.name carries
  // it across, as nothing else does from file://).
  var blocks = null;
  var BLOCKS = "#content p, #content li, #content td, #content th, #content dt, #content dd, #content h1, #content h2, #content h3, #content h4, #content figcaption, #content .chunk, #content pre, #content blockquote";
  function buildBlocks() {
    if (PAGES) {
      blocks = data.search.map(function (b) {
        return { page: b[0], sec: b[1], kind: b[2], title: b[3], text: b[4], low: b[4].toLowerCase() };
      });
      return;
    }
    blocks = pageBlocks();
  }
  function pageBlocks() {
    var blocks = [];
    var all = document.querySelectorAll(BLOCKS);
    var set = new Set(all);
    for (var i = 0; i < all.length; i++) {
      var e = all[i], skip = false;
      if (e.closest(".chapter-nav, .peeks, .chunk-foot, .ident-index, .chunk-index, #title-block-header, .chunk-example, .pages-gen")) continue;
      for (var p = e.parentElement; p && p.id !== "content"; p = p.parentElement) if (set.has(p)) { skip = true; break; }
      if (skip) continue;
      var isChunk = e.classList.contains("chunk");
      var text = isChunk ? (e.querySelector(".chunk-name") || e).textContent + "\n" + ((e.querySelector(":scope > div.sourceCode") || {}).textContent || "")
        : e.textContent;
      var sec = e.closest("section");
      var h = sec && sec.querySelector(":scope > h1, :scope > h2, :scope > h3, :scope > h4");
      blocks.push({ el: e, text: text, low: text.toLowerCase(), kind: isChunk ? "code" : /^H\d$/.test(e.tagName) ? "head" : e.tagName === "PRE" ? "code" : "prose",
        sec: sec ? sec.id : "", title: h ? h.textContent.replace(/\s+/g, " ").trim() : "" });
    }
    return blocks;
  }
  // the block of this page that a result from search.js names
  function squash(t) { return t.replace(/\s+/g, ""); }
  function blockHere(sec, text) {
    var t = squash(text), all = pageBlocks();
    for (var i = 0; i < all.length; i++) if (all[i].sec === sec && squash(all[i].text) === t) return all[i];
    var s = document.getElementById(sec);
    return s ? { el: s, sec: sec } : null;
  }
  function escapeHTML(s) { return s.replace(/[&<>"]/g, function (c) { return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c]; }); }
  function isWordChar(c) { return !!c && /[\w]/.test(c); }
  function runSearch(q) {
    var ws = words(q);
    if (!ws.length) return [];
    if (!blocks) buildBlocks();
    var hits = [];
    for (var i = 0; i < blocks.length; i++) {
      var b = blocks[i], score = 0, ok = true;
      for (var j = 0; j < ws.length && ok; j++) {
        var w = ws[j], at = b.low.indexOf(w);
        if (at < 0) { ok = false; break; }
        var n = 0;
        while (at >= 0 && n < 8) {
          n++;
          // a whole word counts more than a part of one
          score += (!isWordChar(b.low[at - 1]) ? 2 : 1) + (!isWordChar(b.low[at + w.length]) ? 2 : 0);
          at = b.low.indexOf(w, at + w.length);
        }
      }
      if (!ok) continue;
      if (b.kind === "head") score *= 4;
      if (b.title.toLowerCase().indexOf(ws[0]) >= 0) score += 3;
      score = score / Math.sqrt(1 + b.low.length / 400);
      hits.push({ b: b, score: score, i: i });
    }
    hits.sort(function (x, y) { return y.score - x.score || x.i - y.i; });
    return hits;
  }
  function excerpt(b, ws) {
    var at = -1;
    ws.forEach(function (w) { var k = b.low.indexOf(w); if (k >= 0 && (at < 0 || k < at)) at = k; });
    var start = Math.max(0, at - 60), end = Math.min(b.text.length, at + 140);
    while (start > 0 && isWordChar(b.text[start - 1])) start--;
    var s = b.text.slice(start, end).replace(/\s+/g, " ");
    var re = new RegExp("(" + ws.map(function (w) { return w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); }).join("|") + ")", "gi");
    return (start > 0 ? "… " : "") + escapeHTML(s).replace(re, "<mark>$1</mark>") + (end < b.text.length ? " …" : "");
  }
  var search = null, searchFrom = null, chosen = -1, shown = [];
  function makeSearch() {
    search = document.createElement("div");
    search.id = "search"; search.className = "overlay"; search.hidden = true;
    search.setAttribute("role", "dialog"); search.setAttribute("aria-modal", "true"); search.setAttribute("aria-label", "Search the book");
    search.innerHTML = '<div class="overlay-box"><div class="overlay-bar"><input type="search" id="search-input" placeholder="Search the book: prose and code" aria-label="Search the book" autocomplete="off">' +
      ' <button type="button" class="overlay-close" aria-label="Close the search">Esc</button></div>' +
      '<p class="search-count" aria-live="polite"></p><ol class="search-results"></ol></div>';
    document.body.appendChild(search);
    var input = search.querySelector("input"), list = search.querySelector(".search-results");
    var timer = null;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { showResults(input.value); }, 60);
    });
    search.addEventListener("keydown", function (e) {
      if (e.key === "Escape") { e.preventDefault(); closeSearch(); }
      else if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        if (!shown.length) return;
        chosen = Math.max(0, Math.min(shown.length - 1, chosen + (e.key === "ArrowDown" ? 1 : -1)));
        markChosen();
      } else if (e.key === "Enter") {
        e.preventDefault();
        if (shown.length) goTo(shown[Math.max(chosen, 0)]);
      }
    });
    list.addEventListener("click", function (e) {
      var li = e.target.closest("li[data-n]");
      if (!li) return;
      e.preventDefault();
      goTo(shown[+li.getAttribute("data-n")]);
    });
    search.addEventListener("click", function (e) {
      if (e.target === search || e.target.closest(".overlay-close")) closeSearch();
    });
  }
  function markChosen() {
    search.querySelectorAll(".search-results li").forEach(function (li, i) {
      li.classList.toggle("chosen", i === chosen);
      if (i === chosen) { li.setAttribute("aria-selected", "true"); li.scrollIntoView({ block: "nearest" }); }
      else li.removeAttribute("aria-selected");
    });
  }
  function showResults(q) {
    if (PAGES && !data.search && words(q).length) { need("search", function () { showResults(search.querySelector("input").value); }); return; }
    var ws = words(q), hits = runSearch(q);
    shown = hits.slice(0, 40).map(function (h) { return h.b; });
    chosen = shown.length ? 0 : -1;
    var list = search.querySelector(".search-results");
    list.setAttribute("data-q", q);
    list.innerHTML = shown.map(function (b, i) {
      return '<li data-n="' + i + '"><a href="' + escapeHTML((b.page && b.page !== here ? b.page : "") + "#" + b.sec) + '"><span class="search-where">' + escapeHTML(b.title) +
        (b.kind === "code" ? ' <span class="search-kind">code</span>' : "") + '</span><span class="search-excerpt">' + excerpt(b, ws) + "</span></a></li>";
    }).join("");
    search.querySelector(".search-count").textContent = !ws.length ? "" :
      hits.length === 0 ? "Nothing found." : hits.length + (hits.length === 1 ? " place" : " places") + (hits.length > shown.length ? ", the best " + shown.length + " shown" : "");
    markChosen();
  }
  // Where the reader is: the block of text at the top of the screen and
  // how far down the screen it is (not a scroll offset, which shifts when
  // the browser lays out the sections it had skipped, see book.css).
  var places = [];
  function placeNow() {
    var c = document.getElementById("content").getBoundingClientRect();
    var bar = document.getElementById("topbar"), y = (bar && bar.offsetHeight) || 0;
    var e = document.elementFromPoint(Math.max(c.left + 24, 4), y + 24);
    while (e && e.parentElement && e.parentElement.id !== "content" && !/^(P|LI|PRE|H[1-6]|FIGURE|TABLE)$/.test(e.tagName) &&
      !(e.classList && e.classList.contains("chunk"))) e = e.parentElement;
    return { el: e, top: e ? e.getBoundingClientRect().top : 0, y: window.scrollY };
  }
  function goPlace(p) {
    if (!p) return;
    window.scrollTo(0, p.y);
    // twice: the first move may bring skipped sections into layout
    for (var i = 0; i < 2; i++) {
      if (p.el && p.el.isConnected) window.scrollBy(0, p.el.getBoundingClientRect().top - p.top);
    }
    requestAnimationFrame(function () {
      if (p.el && p.el.isConnected) window.scrollBy(0, p.el.getBoundingClientRect().top - p.top);
    });
  }
  function openSearch() {
    if (!search) makeSearch();
    if (!search.hidden) { search.querySelector("input").focus(); return; }
    searchFrom = { place: placeNow(), focus: document.activeElement };
    places.push(searchFrom.place);
    // the entry the reader is at remembers where they were; the search
    // gets an entry of its own, so Back closes it
    try {
      history.replaceState(Object.assign({}, history.state || {}, { place: places.length - 1 }), "");
      history.pushState({ search: true }, "");
    } catch (e) { /* some file:// setups refuse: Escape still works */ }
    search.hidden = false;
    root.classList.add("overlay-open");
    var input = search.querySelector("input");
    input.focus(); input.select();
  }
  function hideSearch() {
    search.hidden = true;
    root.classList.remove("overlay-open");
  }
  function closeSearch() {
    if (!search || search.hidden) return;
    if (history.state && history.state.search) { history.back(); return; }   // popstate closes it
    hideSearch();
    restoreFrom();
  }
  function restoreFrom() {
    if (!searchFrom) return;
    goPlace(searchFrom.place);
    if (searchFrom.focus && searchFrom.focus.focus && searchFrom.focus !== document.body) searchFrom.focus.focus({ preventScroll: true });
    searchFrom = null;
  }
  function goTo(b) {
    hideSearch();
    searchFrom = null;
    if (PAGES && b.page !== here) {
      // the search's entry becomes the page found: Back returns to where
      // the reader was before the search
      window.name = "ipc-book-hit " + JSON.stringify({ sec: b.sec, text: b.text });
      location.replace(b.page + "#" + b.sec);
      return;
    }
    if (!b.el) b = blockHere(b.sec, b.text) || b;
    if (!b.el) return;
    // the search's entry becomes the place found: Back returns to where
    // the reader was before the search
    try { history.replaceState({ found: true }, "", "#" + b.sec); } catch (e) { /* ignore */ }
    showHit(b.el);
  }
  function showHit(el) {
    el.scrollIntoView({ block: "center" });
    el.classList.add("search-hit");
    setTimeout(function () { el.classList.remove("search-hit"); }, 2500);
    markCurrent();
  }
  // a result opened from another page
  if (PAGES && window.name.indexOf("ipc-book-hit ") === 0) {
    var hit = null;
    try { hit = JSON.parse(window.name.slice(13)); } catch (e) { /* not ours */ }
    window.name = "";
    var found = hit && blockHere(hit.sec, hit.text);
    if (found) {
      showHit(found.el);
      // again once loaded: the browser's own move to the #section comes
      // later, and the blocks it passes may take a new height as they are
      // laid out (content-visibility, book.css)
      window.addEventListener("load", function () {
        found.el.scrollIntoView({ block: "center" });
        requestAnimationFrame(function () { found.el.scrollIntoView({ block: "center" }); });
      });
    }
  }
  window.addEventListener("popstate", function (e) {
    if (search && !search.hidden) { hideSearch(); restoreFrom(); return; }
    // back at the place a search started from: the same text at the top
    if (e.state && typeof e.state.place === "number" && places[e.state.place]) {
      var p = places[e.state.place];
      setTimeout(function () { goPlace(p); }, 0);
    }
  });

  // ----------------------------------------------------------- keyboard
  // "/" searches; "←" and "→" go to the previous and next chapter.  Never
  // while the reader types in a box.
  function typing(t) {
    return t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));
  }
  var chapters = Array.prototype.slice.call(document.querySelectorAll("#content > section.level1"));
  function chapterAt() {
    var y = 90, best = chapters[0];
    for (var i = 0; i < chapters.length; i++) {
      if (chapters[i].getBoundingClientRect().top <= y) best = chapters[i]; else break;
    }
    return best;
  }
  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey || typing(e.target)) return;
    if ((search && !search.hidden) || (viewer && !viewer.hidden)) return;
    if (e.key === "/") {
      e.preventDefault();
      // at an index, its filter box; anywhere else, the search
      var box = Array.prototype.slice.call(document.querySelectorAll(".filter input")).filter(function (b) {
        var r = b.closest("section") ? b.closest("section").getBoundingClientRect() : b.getBoundingClientRect();
        return r.top < window.innerHeight / 2 && r.bottom > window.innerHeight / 2;
      })[0];
      if (box) { box.focus(); box.select(); } else openSearch();
    } else if ((e.key === "ArrowLeft" || e.key === "ArrowRight") && !e.shiftKey && PAGES) {
      // the page says which pages open the chapters before and after it
      var page = content.getAttribute(e.key === "ArrowRight" ? "data-next-chapter" : "data-prev-chapter");
      if (!page) return;
      e.preventDefault();
      location.href = page;
    } else if ((e.key === "ArrowLeft" || e.key === "ArrowRight") && !e.shiftKey && chapters.length) {
      var i = chapters.indexOf(chapterAt());
      var to = chapters[i + (e.key === "ArrowRight" ? 1 : -1)];
      if (!to) return;
      e.preventDefault();
      location.hash = "#" + to.id;
    }
  });

  // --------------------------------------------------------------- print
  // Every peek is printed open.
  var opened = [];
  window.addEventListener("beforeprint", function () {
    opened = [];
    document.querySelectorAll("details.peek:not([open])").forEach(function (d) { fillPeek(d); d.open = true; opened.push(d); });
  });
  window.addEventListener("afterprint", function () {
    opened.forEach(function (d) { d.open = false; });
  });
  if (window.performance && performance.mark) performance.mark("book-js-end");
})();
