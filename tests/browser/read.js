#!/usr/bin/env node
// read.js CHECK BOOK.html [ARTEFACTS]: read the HTML book in headless
// Chromium as a reader would, and check one thing (tests/browser.bats).
// The checks named pages* read the book in pages, book/html/ beside
// BOOK.html (book/tools/pages).
// read.js all BOOK.html ARTEFACTS RESULTS: every check, in one browser
// started once; each check's verdict goes to RESULTS/CHECK.status (0 or 1)
// and its reasons to RESULTS/CHECK.out.
//
// Exit status: 0 the check passed (with all: every check ran); 1 it
// failed (the reasons on stderr); 2 bad usage; 75 the browser cannot
// start here (the tests skip).
// CHROMIUM names the browser (default /usr/bin/chromium).
"use strict";
const fs = require("fs");
const path = require("path");
const url = require("url");

const [checkArg, bookArg, artefacts, results] = process.argv.slice(2);
const CHECKS = ["shots", "offline", "links", "narrow", "copy", "filter", "nojs",
  "contrast", "theme", "contents", "chrome", "search", "keys", "peeks", "files", "annotated", "figures", "scrollhint", "fonts",
  "pages", "pagesearch", "pagepeeks", "pagekeys", "pagesnojs", "pagefonts"];
if (!(CHECKS.includes(checkArg) || (checkArg === "all" && results)) || !bookArg) {
  console.error("usage: read.js " + CHECKS.join("|") + " BOOK.html [ARTEFACTS]\n" +
    "       read.js all BOOK.html ARTEFACTS RESULTS");
  process.exit(2);
}
const book = path.resolve(bookArg);
const bookURL = url.pathToFileURL(book).href;
const pagesDir = path.join(path.dirname(book), "html");
const pageURL = (name) => url.pathToFileURL(path.join(pagesDir, name)).href;
// the pages' files, by name: [name, HTML]
const pageFiles = () => fs.readdirSync(pagesDir).filter((f) => f.endsWith(".html")).map((f) => [f, fs.readFileSync(path.join(pagesDir, f), "utf8")]);
const failures = [];
function fail(msg) { failures.push(msg); }

let chromium;
try {
  ({ chromium } = require("playwright-core"));
} catch (e) {
  console.error("read.js: playwright-core is not installed: run `npm ci` in tests/browser");
  process.exit(75);
}

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };

async function main(browser, check) {
  // a context per view; every request that is not file: or data: is
  // recorded and refused, so the book can never reach the network
  async function open(opts = {}) {
    const context = await browser.newContext({
      viewport: opts.viewport || DESKTOP, colorScheme: opts.scheme || "light",
      javaScriptEnabled: opts.js !== false, permissions: opts.permissions || [],
      reducedMotion: "reduce",
    });
    const remote = [];
    await context.route(/^(?!file:|data:)/, (route) => { remote.push(route.request().url()); route.abort(); });
    const page = await context.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
    const requests = [];
    page.on("request", (r) => requests.push(r.url()));
    await page.goto(opts.url || bookURL + (opts.hash || ""), { waitUntil: "load" });
    return { context, page, remote, requests, errors };
  }

  switch (check) {
  case "shots": {
    // The four views a reader meets, as test artefacts: phone and desktop,
    // light and dark; at the top of the book and at a chunk with peeks.
    fs.mkdirSync(artefacts, { recursive: true });
    for (const [vname, viewport] of [["phone", PHONE], ["desktop", DESKTOP]]) {
      for (const scheme of ["light", "dark"]) {
        const { context, page, errors } = await open({ viewport, scheme });
        await page.screenshot({ path: path.join(artefacts, `${vname}-${viewport.width}x${viewport.height}-${scheme}.png`) });
        const chunk = await page.$(".chunk:has(.peeks):has(.crumbs)");
        if (!chunk) fail("no chunk with a breadcrumb and peeks to show");
        else {
          await chunk.evaluate((c) => { c.querySelector("details.peek").open = true; c.scrollIntoView(); window.scrollBy(0, -60); });
          await page.waitForTimeout(50);
          await page.screenshot({ path: path.join(artefacts, `${vname}-${viewport.width}x${viewport.height}-${scheme}-chunk.png`) });
        }
        if (vname === "phone") {
          await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight / 3));
          await page.click("#toc-menu > summary");
          await page.screenshot({ path: path.join(artefacts, `${vname}-${viewport.width}x${viewport.height}-${scheme}-menu.png`) });
        }
        errors.forEach((e) => fail(`${vname} ${scheme}: script error: ${e}`));
        await context.close();
      }
    }
    break;
  }
  case "offline": {
    // While the page loads, nothing but file: and data: is asked for.
    for (const js of [true, false]) {
      const { context, page, remote, requests, errors } = await open({ js });
      await page.waitForTimeout(300);
      remote.forEach((u) => fail(`requested from the network (JS ${js ? "on" : "off"}): ${u}`));
      requests.filter((u) => !/^(file|data):/.test(u)).forEach((u) => fail(`request: ${u}`));
      errors.forEach((e) => fail(`script error: ${e}`));
      await context.close();
    }
    break;
  }
  case "links": {
    // Every link to #id lands on an element; every chunk link on a chunk;
    // every link to a tangled file finds the file.
    const { context, page } = await open();
    const bad = await page.evaluate(() => {
      const out = [];
      let n = 0;
      document.querySelectorAll("a[href]").forEach((a) => {
        const h = a.getAttribute("href");
        if (!h.startsWith("#")) return;
        n++;
        const t = document.getElementById(decodeURIComponent(h.slice(1)));
        if (!t) { out.push(`${h}: no such element ("${a.textContent.slice(0, 40)}")`); return; }
        const chunkLink = a.matches(".chunk-use, a.id, .chunk-foot a, .crumbs a, .chunk-prev, .chunk-next, .chunk-index a, .ident-index a, details.peek a");
        if (chunkLink && !t.classList.contains("chunk")) out.push(`${h}: a chunk link that lands on a ${t.tagName}, not a chunk`);
      });
      if (n < 100) out.push(`only ${n} internal links: is this the book?`);
      return out;
    });
    bad.forEach(fail);
    // a link to a whole file lands, without scripts, on the file's root
    // chunk; none leads out of the book
    const files = await page.evaluate(() => [...document.querySelectorAll("a.chunk-file")].map((a) => ({
      file: a.dataset.file, href: a.getAttribute("href"),
      name: (document.getElementById(a.getAttribute("href").slice(1)) || { querySelector: () => null }).querySelector(".chunk-name") })).map((f) => ({ ...f, name: f.name && f.name.textContent })));
    if (files.length < 10) fail(`only ${files.length} links to whole files`);
    files.filter((f) => !f.file || !f.name || !f.name.startsWith("\u27e8" + f.file + "\u27e9"))
      .slice(0, 5).forEach((f) => fail(`the whole-file link ${f.href} (${f.file}) lands on ${f.name}, not the file's root chunk`));
    // ... but for the title's links to the same book as a PDF and an EPUB,
    // which make builds beside it
    const out = await page.$$eval("a[href]", (as) => as.filter((a) => !a.closest("header .formats"))
      .map((a) => a.getAttribute("href")).filter((h) => !/^(#|https?:|mailto:)/.test(h)));
    out.slice(0, 5).forEach((h) => fail(`a link out of the book's file: ${h}`));
    const formats = await page.$$eval("header .formats a[href]", (as) => as.map((a) => a.getAttribute("href")));
    if (formats.join(" ") !== "ipc-book.pdf ipc-book.epub") fail(`the title's other formats: ${formats.join(" ")}`);
    formats.filter((h) => !fs.existsSync(path.join(path.dirname(book), h)))
      .forEach((h) => fail(`the title links to ${h}, which is not beside the book`));
    // and a click on a chunk use scrolls to that chunk
    const use = await page.$(".chunk .chunk-use");
    const href = await use.getAttribute("href");
    await use.click();
    const where = await page.evaluate((h) => {
      const t = document.getElementById(h.slice(1));
      return { hash: location.hash, top: t.getBoundingClientRect().top, vh: innerHeight };
    }, href);
    if (where.hash !== href || where.top < -1 || where.top > where.vh / 2)
      fail(`clicking a chunk use did not bring ${href} into view: ${JSON.stringify(where)}`);
    await context.close();
    break;
  }
  case "chrome": {
    // Issue 9, item 3: on a desktop a chunk's chrome is fewer rows: the
    // breadcrumb beside the head when it fits, the footer one paragraph;
    // every chunk number names its chunk (a title).  Reports the share of
    // chunk height the chrome takes.
    const { context, page } = await open();
    const r = await page.evaluate(() => {
      let crumbs = 0, beside = 0, chrome = 0, total = 0, feet = 0, onePara = 0, untitled = [];
      for (const c of document.querySelectorAll("#content .chunk")) {
        const head = c.querySelector(":scope > .chunk-head"), cr = c.querySelector(":scope > .crumbs");
        const foot = c.querySelector(":scope > .chunk-foot"), box = c.getBoundingClientRect();
        // beside, unless it would not fit there on one line
        if (cr) {
          crumbs++;
          const w = cr.style.width; cr.style.width = "max-content";
          const one = cr.getBoundingClientRect().width; cr.style.width = w;
          if (Math.abs(cr.getBoundingClientRect().top - head.getBoundingClientRect().top) < 1 ||
            head.getBoundingClientRect().width + one > box.width - 2) beside++;
        }
        if (foot) { feet++; if ([...foot.querySelectorAll("p")].every((p) => getComputedStyle(p).display === "inline")) onePara++; }
        const top = Math.max(head.getBoundingClientRect().bottom, cr ? cr.getBoundingClientRect().bottom : 0) - box.top;
        chrome += top + (foot ? foot.getBoundingClientRect().height : 0); total += box.height;
      }
      for (const a of document.querySelectorAll('a[href^="#"]')) {
        const t = a.textContent.trim();
        if (!/^\d+$/.test(t) || a.closest("pre")) continue;
        const c = document.getElementById(a.getAttribute("href").slice(1));
        if (!c || !c.classList.contains("chunk")) continue;
        if (!(a.title || "").startsWith("chunk " + t + " \u27e8")) untitled.push(a.outerHTML.slice(0, 120));
      }
      // rows of chrome: the distinct lines of text in the head, the
      // breadcrumb, the peeks shown and the footer
      const rowsOf = (c) => {
        const tops = [];
        for (const el of c.querySelectorAll(":scope > .chunk-head, :scope > .crumbs, :scope > .peeks, :scope > .chunk-foot")) {
          const w = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
          for (let n; (n = w.nextNode());) {
            if (!n.textContent.trim()) continue;
            const r = document.createRange(); r.selectNodeContents(n);
            for (const b of r.getClientRects()) {
              if (b.width >= 1 && b.height >= 1 && !tops.some((t) => Math.abs(t - b.top) < b.height / 2)) tops.push(b.top);
            }
          }
        }
        return tops.length;
      };
      // (the annotated example in chapter 1 shows its breadcrumb whole)
      const rows = [...document.querySelectorAll("#content .chunk:not(.chunk-example)")].map((c) => ({ id: c.id, n: rowsOf(c) }));
      return { crumbs, beside, feet, onePara, share: chrome / total, untitled: untitled.slice(0, 5), nUntitled: untitled.length, rows };
    });
    const ns = r.rows.map((x) => x.n).sort((a, b) => a - b);
    const over = r.rows.filter((x) => x.n > 2);
    console.log(`chrome rows per chunk at 1280 px: median ${ns[ns.length >> 1]}, max ${ns[ns.length - 1]}, ${over.length} of ${ns.length} chunks over 2`);
    if (over.length) fail(`${over.length} chunks have more than two rows of chrome, e.g. ${over.slice(0, 5).map((x) => `#${x.id} (${x.n})`).join(" ")}`);
    console.log(`chrome: ${(100 * r.share).toFixed(1)} % of chunk height at 1280 px; breadcrumb beside the head (or too long to fit there) in ${r.beside} of ${r.crumbs} chunks`);
    if (r.beside < r.crumbs) fail(`the breadcrumb is below the head, though there is room beside it, in ${r.crumbs - r.beside} of ${r.crumbs} chunks`);
    if (r.onePara < r.feet) fail(`the footer is one paragraph in only ${r.onePara} of ${r.feet} chunks`);
    if (r.share > 0.25) fail(`head and footer take ${(100 * r.share).toFixed(1)} % of the chunks' height`);
    if (r.nUntitled) fail(`${r.nUntitled} chunk numbers do not name their chunk, e.g. ${r.untitled.join(" ")}`);
    await context.close();
    break;
  }
  case "narrow": {
    // At 320 px nothing is wider than the screen: only code scrolls, inside
    // its own box.  Checked with the contents menu closed and open.
    const { context, page } = await open({ viewport: { width: 320, height: 640 } });
    for (const state of ["menu closed", "menu open"]) {
      if (state === "menu open") await page.click("#toc-menu > summary");
      const r = await page.evaluate(() => {
        const vw = document.documentElement.clientWidth, out = [];
        if (document.documentElement.scrollWidth > vw) out.push(`the page scrolls sideways: ${document.documentElement.scrollWidth} > ${vw}`);
        const clips = (e) => { for (let p = e.parentElement; p; p = p.parentElement) { const o = getComputedStyle(p).overflowX; if (o !== "visible") return p.getBoundingClientRect().right <= vw + 0.5; } return false; };
        for (const e of document.querySelectorAll("body *")) {
          if (e.closest("pre")) continue;   // code lines scroll in their block
          const b = e.getBoundingClientRect();
          if (b.width === 0 || b.height === 0) continue;
          if ((b.right > vw + 0.5 || b.left < -0.5) && !clips(e)) {
            out.push(`${e.tagName.toLowerCase()}${e.id ? "#" + e.id : ""}${e.className ? "." + String(e.className).split(" ").join(".") : ""} spans ${Math.round(b.left)}..${Math.round(b.right)} px: "${(e.textContent || "").trim().slice(0, 50)}"`);
            if (out.length > 15) break;
          }
        }
        return out;
      });
      r.forEach((m) => fail(`${state}: ${m}`));
    }
    await context.close();
    break;
  }
  case "copy": {
    // The copy button puts the chunk's exact text on the clipboard: its
    // code lines, and each use as "⟨name⟩ N", as the weave wrote them.
    const woven = path.join(path.dirname(book), "build", "book.md");
    if (!fs.existsSync(woven)) { fail(`${woven} is missing: run make html`); break; }
    const chunks = {};
    const re = /^`{10}\{=chunk\}\n([\s\S]*?)^`{10}$/gm;
    for (const m of fs.readFileSync(woven, "utf8").matchAll(re)) {
      const label = m[1].match(/^label (\S+)$/m)[1];
      const code = m[1].split(/^code\n/m)[1].replace(/\n$/, "").split("\n").map((l) => {
        if (l.startsWith("U ")) {
          const [indent, , num, name] = l.slice(2).split("\t");
          return `${indent}⟨${name.replace(/\[\[(.*?)\]\]/g, "$1")}⟩ ${num}`;
        }
        return l.slice(2);
      });
      chunks[label] = { code: code.join("\n"), uses: m[1].includes("\nU ") };
    }
    const { context, page } = await open({ permissions: ["clipboard-read", "clipboard-write"] });
    // a chunk with a use and one with a tab or a backslash if there is one
    const labels = Object.keys(chunks);
    const picks = [labels.find((l) => chunks[l].uses), labels.find((l) => /\t|\\/.test(chunks[l].code)), labels[labels.length - 1]]
      .filter((l, i, a) => l && a.indexOf(l) === i);
    for (const label of picks) {
      const button = await page.$(`[id="${label}"] > .chunk-head > button.copy`);
      if (!button) { fail(`chunk ${label} has no copy button`); continue; }
      await button.scrollIntoViewIfNeeded();
      await button.click();
      await page.waitForFunction((b) => b.textContent !== "Copy", button, { timeout: 2000 }).catch(() => {});
      const got = await page.evaluate(() => navigator.clipboard.readText());
      if (got !== chunks[label].code) {
        fail(`chunk ${label}: the clipboard holds\n${JSON.stringify(got)}\nnot\n${JSON.stringify(chunks[label].code)}`);
      }
    }
    await context.close();
    break;
  }
  case "filter": {
    // "/" focuses the filter; a word of a chunk's name finds the chunk and
    // narrows the contents to the sections that hold it.
    const { context, page } = await open({ hash: "#index-chunks" });
    await page.keyboard.press("/");
    const focused = await page.evaluate(() => document.activeElement && document.activeElement.id);
    if (focused !== "filter-chunks") fail(`"/" focused ${focused || "nothing"}, not the chunk filter`);
    // a distinctive word from some chunk's name
    const pick = await page.evaluate(() => {
      const items = [...document.querySelectorAll(".chunk-index li")];
      const count = {};
      items.forEach((li) => new Set(li.dataset.filter.split(/[^a-z0-9_]+/)).forEach((w) => { count[w] = (count[w] || 0) + 1; }));
      for (const li of items) {
        const w = li.dataset.filter.split(/[^a-z0-9_]+/).find((x) => x.length >= 5 && count[x] === 1);
        if (w) return { word: w, href: li.querySelector("a").getAttribute("href"), total: items.length };
      }
      return null;
    });
    if (!pick) { fail("no chunk name has a word of its own"); await context.close(); break; }
    await page.fill("#filter-chunks", pick.word.toUpperCase());
    const r = await page.evaluate((p) => {
      const shown = [...document.querySelectorAll(".chunk-index li")].filter((li) => !li.hidden);
      const toc = [...document.querySelectorAll("#sidebar .toc li")];
      const sec = document.getElementById(p.href.slice(1)).closest("section.level2, section.level1");
      const tocShown = toc.filter((li) => !li.hidden).map((li) => li.querySelector("a").getAttribute("href"));
      return { shown: shown.map((li) => li.querySelector("a").getAttribute("href")), tocShown, toc: toc.length,
        sec: sec && sec.id, count: document.querySelector(".filter-count").textContent };
    }, pick);
    if (r.shown.length !== 1 || r.shown[0] !== pick.href)
      fail(`filtering by "${pick.word}" shows ${JSON.stringify(r.shown)}, not just ${pick.href}`);
    if (!r.tocShown.includes("#" + r.sec)) fail(`the contents hide the section #${r.sec} that holds the chunk`);
    if (r.tocShown.length >= r.toc) fail("the filter does not narrow the contents");
    if (r.count !== `1 of ${pick.total}`) fail(`the count reads "${r.count}"`);
    // the identifier filter works the same way
    await page.fill("#filter-idents", "main");
    const ids = await page.$$eval(".ident-index li", (lis) => lis.filter((li) => !li.hidden).map((li) => li.dataset.filter));
    if (ids.length === 0 || ids.some((i) => !i.includes("main"))) fail(`the identifier filter shows ${JSON.stringify(ids.slice(0, 5))}`);
    // clearing the box shows everything again
    await page.fill("#filter-chunks", "");
    const hidden = await page.$$eval(".chunk-index li[hidden], #sidebar .toc li[hidden]", (l) => l.length);
    if (hidden) fail(`${hidden} entries stay hidden after the filter is cleared`);
    await context.close();
    break;
  }
  case "nojs": {
    // With scripts off the whole book is there: every chapter visible, the
    // contents in the sidebar (desktop) and behind the menu (phone), and no
    // button that would do nothing.
    for (const viewport of [DESKTOP, PHONE]) {
      const { context, page } = await open({ js: false, viewport });
      const r = await page.evaluate(() => {
        const secs = [...document.querySelectorAll("#content section.level1")];
        return {
          chapters: secs.map((s) => ({ id: s.id, visible: s.checkVisibility() && s.offsetHeight > 200 })),
          toc: [...document.querySelectorAll(".toc")].filter((t) => t.checkVisibility()).length,
          menu: !!document.querySelector("#toc-menu > summary") && document.querySelector("#toc-menu > summary").checkVisibility(),
          buttons: [...document.querySelectorAll("button, .filter")].filter((b) => b.checkVisibility()).length,
          peeks: document.querySelectorAll("details.peek").length,
          chunks: [...document.querySelectorAll(".chunk pre")].filter((p) => p.checkVisibility()).length,
          allChunks: document.querySelectorAll(".chunk").length,
          hasJsClass: document.documentElement.classList.contains("js"),
        };
      });
      const w = viewport.width;
      if (r.chapters.length < 3) fail(`${w}px: only ${r.chapters.length} top-level sections`);
      r.chapters.filter((c) => !c.visible).forEach((c) => fail(`${w}px: chapter #${c.id} is not shown`));
      if (r.chunks !== r.allChunks) fail(`${w}px: ${r.chunks} of ${r.allChunks} chunks' code shown`);
      if (r.hasJsClass) fail("the js class is set with scripts off");
      if (r.buttons) fail(`${w}px: ${r.buttons} buttons or filter boxes shown that need scripts`);
      if (w === PHONE.width && !r.menu) fail("phone: no contents menu");
      if (w === DESKTOP.width && r.toc !== 1) fail(`desktop: ${r.toc} tables of contents shown, not 1`);
      if (!r.peeks) fail("no peeks");
      await context.close();
    }
    break;
  }
  case "contrast": {
    // Code text against its background: at least 4.5:1 in both themes, for
    // every kind of token the highlighter produced, chunk uses and links.
    for (const scheme of ["light", "dark"]) {
      const { context, page } = await open({ scheme });
      await page.evaluate(() => document.querySelectorAll("details.peek").forEach((d) => { d.open = true; }));
      await page.waitForFunction(() => document.querySelectorAll("details.peek pre").length === document.querySelectorAll("details.peek").length, null, { timeout: 90000 })
        .catch(() => page.evaluate(() => { const e = [...document.querySelectorAll("details.peek")].filter((d) => !d.querySelector("pre")); return e.length + " peeks not filled, e.g. " + e.slice(0, 3).map((d) => d.dataset.peek).join(" "); }).then(fail));
      const r = await page.evaluate(() => {
        const rgb = (s) => { const m = s.match(/[\d.]+/g).map(Number); return { r: m[0], g: m[1], b: m[2], a: m.length > 3 ? m[3] : 1 }; };
        const lum = (c) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }; return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b); };
        const bgOf = (e) => { for (let p = e; p; p = p.parentElement) { const c = rgb(getComputedStyle(p).backgroundColor); if (c.a > 0) return c; } return { r: 255, g: 255, b: 255, a: 1 }; };
        const seen = {}, out = [];
        const sel = "pre code span[class], pre code a, .chunk-head a, .chunk-head span, .crumbs a, .crumbs span, .chunk-foot, .chunk-foot a, details.peek summary, p, a.claim, .toc a";
        for (const e of document.querySelectorAll(sel)) {
          if (!e.textContent.trim() || !e.checkVisibility()) continue;
          const cs = getComputedStyle(e);
          const key = e.tagName + "." + e.className + "|" + cs.color + "|" + bgOf(e).r + "," + bgOf(e).g + "," + bgOf(e).b;
          if (seen[key]) continue;
          seen[key] = true;
          const fg = rgb(cs.color), bg = bgOf(e);
          const l1 = lum(fg), l2 = lum(bg);
          const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
          if (ratio < 4.5) out.push(`${e.tagName.toLowerCase()}.${e.className} "${e.textContent.trim().slice(0, 30)}": ${cs.color} on rgb(${bg.r}, ${bg.g}, ${bg.b}) is ${ratio.toFixed(2)}:1`);
        }
        return { out, kinds: Object.keys(seen).length, theme: getComputedStyle(document.body).backgroundColor };
      });
      r.out.forEach((m) => fail(`${scheme}: ${m}`));
      if (r.kinds < 20) fail(`${scheme}: only ${r.kinds} kinds of text checked`);
      const dark = /rgb\((\d+)/.exec(r.theme)[1] < 100;
      if (dark !== (scheme === "dark")) fail(`${scheme}: the page background is ${r.theme}`);
      await context.close();
    }
    break;
  }
  case "theme": {
    // The toggle flips the theme, and the choice outlives a reload.
    const { context, page } = await open({ scheme: "light" });
    const bg = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const before = await bg();
    await page.click("#sidebar .theme-toggle");
    const after = await bg();
    if (after === before) fail(`the toggle left the background ${before}`);
    await page.reload({ waitUntil: "load" });
    const reloaded = await bg();
    if (reloaded !== after) fail(`after a reload the background is ${reloaded}, not ${after}`);
    // flipping back to what the system shows forgets the choice
    await page.click("#sidebar .theme-toggle");
    const stored = await page.evaluate(() => localStorage.getItem("ipc-book-theme"));
    if (stored !== null) fail(`back to the system's theme, yet "${stored}" is still stored`);
    if (await bg() !== before) fail("the second click did not restore the light theme");
    await context.close();
    break;
  }
  case "contents": {
    // On a desktop the sidebar marks the section being read and keeps it
    // in view; on a phone the menu opens, and closes when a place is chosen.
    const { context, page } = await open();
    const target = await page.evaluate(() => { const s = [...document.querySelectorAll("section.level2")]; return s[Math.floor(s.length * 0.8)].id; });
    await page.evaluate((id) => document.getElementById(id).scrollIntoView(), target);
    await page.waitForTimeout(150);
    const r = await page.evaluate(() => {
      const a = document.querySelector("#sidebar a.current");
      if (!a) return null;
      const s = document.getElementById("sidebar").getBoundingClientRect(), b = a.getBoundingClientRect();
      return { href: a.getAttribute("href"), inView: b.top >= s.top && b.bottom <= s.bottom };
    });
    if (!r) fail("no current section in the sidebar");
    else {
      if (r.href !== "#" + target) fail(`the sidebar marks ${r.href}, not #${target}`);
      if (!r.inView) fail("the current section is out of the sidebar's view");
    }
    await context.close();
    const phone = await open({ viewport: PHONE });
    await phone.page.click("#toc-menu > summary");
    const link = phone.page.locator("#toc-menu .toc a").nth(5);
    await link.click();
    const open_ = await phone.page.evaluate(() => document.getElementById("toc-menu").open);
    if (open_) fail("the phone menu stays open after a place is chosen");
    await phone.context.close();
    break;
  }
  case "figures": {
    // Issue 9, item 7: no Graphviz tooltip (a <title> in a figure's SVG);
    // each figure named by its caption; in the dark theme a figure is no
    // white panel: its mean luminance, from a screenshot, is low (and high
    // in the light theme, so the measure is seen to tell them apart).
    const lum = {};
    for (const scheme of ["light", "dark"]) {
      const { context, page, errors } = await open({ scheme });
      if (scheme === "light") {
        const r = await page.evaluate(() => {
          const svgs = [...document.querySelectorAll("figure svg")];
          return { n: svgs.length, titles: svgs.reduce((n, s) => n + s.querySelectorAll("title").length, 0),
            unnamed: svgs.filter((s) => { const id = s.getAttribute("aria-labelledby"); const c = id && document.getElementById(id); return !(c && c.tagName === "FIGCAPTION" && c.textContent.trim()); }).length };
        });
        if (r.n < 3) fail(`only ${r.n} figures drawn as SVG`);
        if (r.titles) fail(`${r.titles} <title> elements in figures (tooltips such as "ipc->transfer")`);
        if (r.unnamed) fail(`${r.unnamed} figures not named by their caption`);
      }
      lum[scheme] = [];
      const figs = await page.$$("figure svg, figure img");
      for (const f of figs.slice(0, 4)) {
        await f.scrollIntoViewIfNeeded();
        const png = (await f.screenshot()).toString("base64");
        lum[scheme].push(await page.evaluate(async (b64) => {
          const img = new Image(); img.src = "data:image/png;base64," + b64; await img.decode();
          const c = document.createElement("canvas"); c.width = img.width; c.height = img.height;
          const g = c.getContext("2d"); g.drawImage(img, 0, 0);
          const d = g.getImageData(0, 0, c.width, c.height).data;
          let sum = 0;
          for (let i = 0; i < d.length; i += 4) sum += (0.2126 * d[i] + 0.7152 * d[i + 1] + 0.0722 * d[i + 2]) / 255;
          return sum / (d.length / 4);
        }, png));
      }
      errors.forEach((e) => fail(`${scheme}: script error: ${e}`));
      await context.close();
    }
    console.log(`figures: mean luminance light ${lum.light.map((x) => x.toFixed(2)).join(" ")}, dark ${lum.dark.map((x) => x.toFixed(2)).join(" ")}`);
    if (!lum.dark.length) fail("no figure to measure");
    lum.dark.forEach((l, i) => { if (l > 0.3) fail(`figure ${i} in the dark theme is a bright panel: mean luminance ${l.toFixed(2)}`); });
    lum.light.forEach((l, i) => { if (l < 0.6) fail(`figure ${i} in the light theme is dark (${l.toFixed(2)}): the measure is wrong`); });
    break;
  }
  case "scrollhint": {
    // Issue 9, item 7: on a 320 px phone, code wider than its box shows a
    // shadow at the edge where more is hidden: the right edge at first,
    // the left once scrolled to the end.  Measured from screenshots of
    // the code box: the outer 6 px against the box's own background.
    for (const scheme of ["light", "dark"]) {
      const { context, page } = await open({ viewport: { width: 320, height: 640 }, scheme });
      const box = await page.evaluateHandle(() => [...document.querySelectorAll(".chunk > div.sourceCode")].find((d) => d.scrollWidth > d.clientWidth + 40 && d.clientHeight > 60 && d.clientHeight < 500));
      if (!box.asElement()) { fail("no code wider than a 320 px screen"); await context.close(); continue; }
      await box.asElement().scrollIntoViewIfNeeded();
      const edges = async () => {
        const png = (await box.asElement().screenshot()).toString("base64");
        return page.evaluate(async (b64) => {
          const img = new Image(); img.src = "data:image/png;base64," + b64; await img.decode();
          const c = document.createElement("canvas"); c.width = img.width; c.height = img.height;
          const g = c.getContext("2d"); g.drawImage(img, 0, 0);
          // a band 6 px wide at each edge, without the top padding's text-free rows
          const band = (x0) => { const d = g.getImageData(x0, 0, 6, c.height).data; let s = 0; for (let i = 0; i < d.length; i += 4) s += (0.2126 * d[i] + 0.7152 * d[i + 1] + 0.0722 * d[i + 2]) / 255; return s / (d.length / 4); };
          const bg = (() => { const d = g.getImageData(2, 2, 1, 1).data; return (0.2126 * d[0] + 0.7152 * d[1] + 0.0722 * d[2]) / 255; })();
          return { left: band(0), right: band(c.width - 6), w: c.width };
        }, png);
      };
      const bgLum = await page.evaluate(() => { const v = getComputedStyle(document.documentElement).getPropertyValue("--code-bg"); const c = document.createElement("div"); c.style.color = v; document.body.appendChild(c); const m = getComputedStyle(c).color.match(/\d+/g).map(Number); c.remove(); return (0.2126 * m[0] + 0.7152 * m[1] + 0.0722 * m[2]) / 255; });
      const start = await edges();
      await box.asElement().evaluate((d) => { d.scrollLeft = d.scrollWidth; });
      await page.waitForTimeout(100);
      const end = await edges();
      const off = (x) => Math.abs(x - bgLum);
      console.log(`scrollhint ${scheme}: code background ${bgLum.toFixed(3)}; at the start left ${start.left.toFixed(3)} right ${start.right.toFixed(3)}; at the end left ${end.left.toFixed(3)} right ${end.right.toFixed(3)}`);
      if (!(off(start.right) > 0.02 && off(start.right) > off(start.left) + 0.015)) fail(`${scheme}: no shadow at the right edge of code that scrolls (${start.right.toFixed(3)} vs ${start.left.toFixed(3)} on ${bgLum.toFixed(3)})`);
      if (!(off(end.left) > 0.02 && off(end.left) > off(end.right) + 0.015)) fail(`${scheme}: scrolled to its end, no shadow at the left edge (${end.left.toFixed(3)} vs ${end.right.toFixed(3)})`);
      await context.close();
    }
    break;
  }
  case "annotated": {
    // Issue 9, item 3: "How to read this book" shows a real chunk, its
    // parts numbered to match the list that explains them: the name, the
    // ≡ or +≡, ◁ ▷, the breadcrumb, the whole file, a use and its peek,
    // the footer; and a claim badge that leads to the claims table.
    const { context, page, errors } = await open();
    const r = await page.evaluate(() => {
      const sec = [...document.querySelectorAll("section.level2")].find((s) => /How to read this book/.test(s.querySelector("h2").textContent.replace(/\s+/g, " ")));
      if (!sec) return { err: "no section \"How to read this book\"" };
      const ex = sec.querySelector(".annotated-chunk .chunk.chunk-example");
      if (!ex) return { err: "no annotated chunk in \"How to read this book\"" };
      const items = sec.querySelectorAll(".annotated-chunk > ol > li").length;
      const at = {};
      ex.querySelectorAll(".callout").forEach((c) => {
        const prev = c.previousElementSibling, parent = c.parentElement;
        at[c.dataset.n] = { visible: c.checkVisibility() && c.getBoundingClientRect().width > 5,
          after: prev ? prev.className : "", in: parent.className };
      });
      const name = ex.querySelector(".chunk-name").textContent;
      const real = [...document.querySelectorAll(".chunk:not(.chunk-example) > .chunk-head > .chunk-name")].some((n) => n.textContent === name);
      const prev = document.getElementById(ex.querySelector(".chunk-prev").getAttribute("href").slice(1));
      const badge = sec.querySelector("a.claim");
      const row = badge && document.getElementById(badge.getAttribute("href").slice(1));
      return { items, at, name, real, op: ex.querySelector(".chunk-op").textContent, ids: ex.querySelectorAll("[id]").length + (ex.id ? 1 : 0),
        prevName: prev && prev.querySelector(".chunk-name").textContent.replace(/\s*\d+$/, ""),
        badge: badge && badge.textContent, row: row && row.tagName, rowText: row && row.textContent.slice(0, 80) };
    });
    if (r.err) { fail(r.err); await context.close(); break; }
    const want = { 1: ["after", "chunk-name"], 2: ["after", "chunk-op"], 3: ["after", "chunk-next"], 4: ["in", "crumb-path"],
      5: ["after", "chunk-file"], 6: ["after", "peek-toggle"], 7: ["in", "chunk-foot"] };
    for (const [n, [how, cls]] of Object.entries(want)) {
      const c = r.at[n];
      if (!c) fail(`the example has no mark ${n}`);
      else if (!c.visible) fail(`mark ${n} is not shown`);
      else if (!c[how].split(" ").includes(cls)) fail(`mark ${n} is ${how === "after" ? "after" : "in"} .${c[how]}, not .${cls}`);
    }
    if (r.items !== Object.keys(want).length) fail(`the list explains ${r.items} parts, the chunk has ${Object.keys(want).length} marks`);
    if (!r.real) fail(`the example ${r.name} is not a chunk of the book`);
    if (r.op !== "+\u2261") fail(`the example is not a continuation: ${r.op}`);
    if (r.ids) fail(`the copy has ${r.ids} ids (they are the real chunk's)`);
    if (!r.prevName || !r.name.startsWith(r.prevName)) fail(`◁ leads to ${r.prevName}, not a part of ${r.name}`);
    if (!r.badge || r.row !== "TR") fail(`no claim badge leading to the claims table: ${JSON.stringify(r)}`);
    // the example's peek opens, in place
    await page.click(".chunk-example button.peek-toggle");
    const peek = await page.evaluate(() => { const d = document.querySelector(".chunk-example details.peek[open]"); return d && d.querySelector("pre") && d.querySelector("pre").checkVisibility(); });
    if (!peek) fail("the example's peek button does not open a peek");
    errors.forEach((e) => fail(`script error: ${e}`));
    await context.close();
    break;
  }
  case "search": {
    // Issue 9, item 2: "/" opens a search of the whole book over the page;
    // it finds a word that occurs only in the prose, and code too; Escape,
    // Back, and Back after following a result all return the reader to
    // where they were, in the book.
    const { context, page, errors } = await open();
    const pick = await page.evaluate(() => {
      const prose = [], other = [];
      for (const e of document.querySelectorAll("#content p, #content li")) {
        if (e.closest(".chunk, pre, .ident-index, .chunk-index, nav")) continue;
        // the paragraph's own words, without its inline code
        const c = e.cloneNode(true); c.querySelectorAll("code, a.claim").forEach((x) => x.remove());
        prose.push(c.textContent.toLowerCase());
      }
      for (const e of document.querySelectorAll("#content pre, #content code, #content h1, #content h2, #content h3, .chunk-head, .crumbs, .chunk-foot, .peeks")) other.push(e.textContent.toLowerCase());
      const code = other.join("\n");
      const count = {};
      prose.forEach((t) => (t.match(/[a-z]{7,}/g) || []).forEach((w) => { count[w] = (count[w] || 0) + 1; }));
      const ok = (w) => count[w] && !code.includes(w);
      const word = ok("scribble") ? "scribble" : Object.keys(count).find((w) => count[w] === 1 && ok(w));
      return { word, where: word && prose.filter((t) => t.includes(word)).length };
    });
    if (!pick.word) { fail("no word occurs only in the prose"); await context.close(); break; }
    console.log(`search: the prose-only word "${pick.word}"`);
    // reading chapter 2, half way down: the paragraph (or chunk...) at the
    // top of the screen, and how far down it is, say where the reader is
    // (a scroll offset would not: the browser may lay out skipped
    // sections above and shift it, the text staying put)
    const at = await page.evaluate(() => {
      const ch = document.querySelectorAll("#content > section.level1")[1];
      window.scrollTo(0, ch.offsetTop + ch.offsetHeight / 2);
      return { href: location.href };
    });
    await page.waitForTimeout(300);
    Object.assign(at, await page.evaluate(() => {
      const c = document.getElementById("content").getBoundingClientRect();
      let e = document.elementFromPoint(c.left + 30, 200);
      while (e.parentElement && !/^(P|LI|PRE|H[1-6]|FIGURE|TABLE)$/.test(e.tagName) && !e.classList.contains("chunk")) e = e.parentElement;
      window.__probe = e;
      return { top: e.getBoundingClientRect().top, text: e.textContent.slice(0, 40) };
    }));
    const state = () => page.evaluate(() => ({ top: window.__probe.getBoundingClientRect().top, href: location.href.split("#")[0],
      open: !!document.querySelector("#search") && !document.querySelector("#search").hidden,
      focus: document.activeElement && document.activeElement.id }));
    const same = async (what) => {
      const s = await state();
      if (s.open) fail(`${what}: the search is still open`);
      if (Math.abs(s.top - at.top) > 3) fail(`${what}: "${at.text}" is at ${s.top} px, not where the reader had it (${at.top} px)`);
      if (s.href !== at.href.split("#")[0]) fail(`${what}: the reader left the book for ${s.href}`);
    };
    const t0 = Date.now();
    await page.keyboard.press("/");
    let s = await state();
    if (!s.open || s.focus !== "search-input") fail(`"/" did not open the search with its box focused: ${JSON.stringify(s)}`);
    if (Math.abs(s.top - at.top) > 3) fail(`"/" moved the page: "${at.text}" from ${at.top} px to ${s.top} px`);
    const results = async (q) => {
      await page.fill("#search-input", q);
      await page.waitForFunction((q) => document.querySelector(".search-results").getAttribute("data-q") === q, q, { timeout: 20000 });
      return page.evaluate(() => ({ count: document.querySelector(".search-count").textContent,
        items: [...document.querySelectorAll(".search-results li")].map((li) => ({ where: li.querySelector(".search-where").textContent,
          text: li.querySelector(".search-excerpt").textContent, marks: [...li.querySelectorAll("mark")].map((m) => m.textContent.toLowerCase()) })) }));
    };
    let r = await results(pick.word);
    console.log(`search: first results after ${Date.now() - t0} ms (index built on the first search)`);
    if (!r.items.length) fail(`searching "${pick.word}" finds nothing: "${r.count}"`);
    else if (!r.items[0].marks.includes(pick.word)) fail(`the first result does not show "${pick.word}" marked: ${JSON.stringify(r.items[0])}`);
    if (r.items.length < pick.where) fail(`"${pick.word}" is in ${pick.where} paragraphs, the search lists ${r.items.length}`);
    // code too: an identifier from a chunk, with an excerpt of it
    r = await results("O_NONBLOCK");
    if (!r.items.some((i) => /code/.test(i.where) && i.text.includes("O_NONBLOCK"))) fail(`searching O_NONBLOCK finds no code: ${JSON.stringify(r.items.slice(0, 3))}`);
    // ranked: a section's title, searched for, comes first
    const title = await page.evaluate(() => document.querySelectorAll("#content section.level2 > h2")[5].textContent.replace(/^[\d.]+\s*/, ""));
    r = await results(title);
    if (!r.items.length || r.items[0].where.replace(/^[\d.]+\s*/, "") !== title) fail(`searching the title "${title}" does not put its section first: ${JSON.stringify(r.items.slice(0, 2))}`);
    r = await results("zzqxjv");
    if (r.items.length || !/nothing/i.test(r.count)) fail(`a word in no place finds ${r.items.length} places: "${r.count}"`);
    // Escape returns the reader where they were
    await page.keyboard.press("Escape");
    await page.waitForTimeout(200);
    await same("after Escape");
    // so does Back
    await page.keyboard.press("/");
    await results(pick.word);
    await page.goBack();
    await page.waitForTimeout(300);
    await same("after Back");
    // Enter goes to the first result: the paragraph is in view
    await page.keyboard.press("/");
    await results(pick.word);
    await page.keyboard.press("Enter");
    await page.waitForTimeout(300);
    const found = await page.evaluate((w) => {
      const e = [...document.querySelectorAll("#content p, #content li")].find((p) => p.textContent.toLowerCase().includes(w));
      const b = e.getBoundingClientRect();
      return { top: b.top, bottom: b.bottom, vh: innerHeight, open: !document.querySelector("#search").hidden, probe: window.__probe.getBoundingClientRect().top };
    }, pick.word);
    if (found.open || found.bottom < 0 || found.top > found.vh) fail(`Enter did not bring the result into view: ${JSON.stringify(found)}`);
    if (Math.abs(found.probe - at.top) < 100) fail(`Enter did not move the page: ${JSON.stringify(found)}`);
    // and Back from there returns to chapter 2 where the reader was
    await page.goBack();
    await page.waitForTimeout(300);
    await same("after following a result, then Back");
    errors.forEach((e) => fail(`script error: ${e}`));
    await context.close();
    break;
  }
  case "keys": {
    // "→" and "←" go to the next and previous chapter; never while the
    // reader types in a box.
    const { context, page, errors } = await open();
    const chs = await page.evaluate(() => [...document.querySelectorAll("#content > section.level1")].map((s) => s.id));
    const where = () => page.evaluate(() => {
      const secs = [...document.querySelectorAll("#content > section.level1")];
      const tops = secs.map((s) => s.getBoundingClientRect().top);
      return { hash: decodeURIComponent(location.hash), y: scrollY, tops, top: secs.findIndex((s, i) => tops[i] > -3 && tops[i] < 120) };
    });
    await page.evaluate(() => { const ch = document.querySelectorAll("#content > section.level1")[1]; window.scrollTo(0, ch.offsetTop + ch.offsetHeight / 2); });
    const steps = [["ArrowRight", 2], ["ArrowLeft", 1], ["ArrowLeft", 0], ["ArrowRight", 1]];
    for (const [key, want] of steps) {
      await page.keyboard.press(key);
      await page.waitForTimeout(200);
      const w = await where();
      if (w.hash !== "#" + chs[want] || w.top !== want) fail(`${key}: at ${w.hash} (chapter ${w.top} at the top), not chapter ${want} #${chs[want]}`);
    }
    // typing in a box: the arrows move the caret, not the page (the text
    // at the top of the screen stays where it is)
    const probe = () => page.evaluate(() => {
      const c = document.getElementById("content").getBoundingClientRect();
      if (!window.__probe) window.__probe = document.elementFromPoint(c.left + 30, 200);
      return { top: window.__probe.getBoundingClientRect().top, hash: location.hash };
    });
    await page.keyboard.press("/");
    await page.keyboard.type("pipe");
    const before = await probe();
    await page.keyboard.press("ArrowLeft");
    await page.keyboard.press("ArrowRight");
    await page.waitForTimeout(200);
    const after = await probe();
    if (Math.abs(after.top - before.top) > 3 || after.hash !== before.hash) fail(`the arrows in the search box moved the page: ${JSON.stringify([before, after])}`);
    await page.keyboard.press("Escape");
    await page.focus("#filter-chunks");
    await page.waitForTimeout(300);
    await page.evaluate(() => { window.__probe = null; });
    const b2 = await probe();
    await page.keyboard.press("ArrowLeft");
    await page.waitForTimeout(200);
    const a2 = await probe();
    if (Math.abs(a2.top - b2.top) > 3 || a2.hash !== b2.hash) fail(`the arrows in the index filter moved the page: ${JSON.stringify([b2, a2])}`);
    errors.forEach((e) => fail(`script error: ${e}`));
    await context.close();
    break;
  }
  case "peeks": {
    // A closed peek holds no copy of code, so the browser's find (which
    // looks inside closed <details>) meets each line of code once; opened,
    // a peek shows exactly the code of every part of its chunk.
    const { context, page, errors } = await open();
    const r = await page.evaluate(() => {
      const peeks = document.querySelectorAll("details.peek");
      const copies = document.querySelectorAll("details.peek pre, details.peek .sourceCode").length;
      // a word of code: how often the page's text has it, and the chunks
      const count = (t, w) => t.split(w).length - 1;
      const w = "O_NONBLOCK";
      const inChunks = [...document.querySelectorAll(".chunk > div.sourceCode")].reduce((n, e) => n + count(e.textContent, w), 0);
      const inPeeks = [...peeks].reduce((n, e) => n + count(e.textContent, w), 0);
      return { peeks: peeks.length, copies, inChunks, inPeeks, total: count(document.body.textContent, w) };
    });
    console.log(`peeks: ${r.peeks}; O_NONBLOCK ${r.total} times in the page, ${r.inChunks} in chunks' code, ${r.inPeeks} in peeks`);
    if (r.peeks < 10) fail(`only ${r.peeks} peeks`);
    if (r.copies) fail(`closed peeks hold ${r.copies} copies of code`);
    if (r.inPeeks) fail(`O_NONBLOCK is ${r.inPeeks} times inside closed peeks`);
    // open a few peeks, of chunks in one part and in several
    const picks = await page.evaluate(() => {
      const ps = [...document.querySelectorAll("details.peek")];
      const multi = ps.find((d) => d.querySelectorAll(".peek-foot a").length > 1);
      return [0, Math.floor(ps.length / 2), ps.length - 1, multi ? ps.indexOf(multi) : -1].filter((i) => i >= 0);
    });
    for (const i of picks) {
      // the button beside the use in the code opens it
      const ok = await page.evaluate((i) => {
        const d = document.querySelectorAll("details.peek")[i];
        const b = [...d.closest(".chunk").querySelectorAll(":scope > div.sourceCode button.peek-toggle")]
          .find((x) => x.previousElementSibling.getAttribute("href") === "#" + d.dataset.peek);
        if (b) b.setAttribute("data-pick", i);
        return !!b;
      }, i);
      if (!ok) { fail(`peek ${i} has no button beside its use`); continue; }
      const button = page.locator(`button.peek-toggle[data-pick="${i}"]`);
      await button.scrollIntoViewIfNeeded();
      await button.click();
      await page.waitForTimeout(50);
      if (await button.getAttribute("aria-expanded") !== "true") fail(`peek ${i}: its button does not say it is open`);
      const got = await page.evaluate((i) => {
        const d = document.querySelectorAll("details.peek")[i];
        const want = [...d.querySelectorAll(".peek-foot a")].map((a) => document.getElementById(a.getAttribute("href").slice(1)).querySelector(":scope > div.sourceCode code").textContent).join("\n");
        const pre = d.querySelector("pre");
        return { open: d.open, text: pre && pre.textContent, want, visible: !!pre && pre.checkVisibility() };
      }, i);
      if (!got.open || !got.visible) fail(`peek ${i}: not shown when opened`);
      else if (got.text !== got.want) fail(`peek ${i} shows\n${got.text}\nnot\n${got.want}`);
    }
    errors.forEach((e) => fail(`script error: ${e}`));
    await context.close();
    // on a phone, where a use's button may be off to the right of code
    // that scrolls, each closed peek keeps its row below the code
    const phone = await open({ viewport: PHONE });
    const rows = await phone.page.evaluate(() => [...document.querySelectorAll("details.peek:not([open]) > summary")].slice(0, 50).filter((s) => !s.checkVisibility()).length);
    if (rows) fail(`phone: ${rows} of the first 50 closed peeks show no row to open them by`);
    await phone.context.close();
    break;
  }
  case "files": {
    // Issue 9, item 6: every tangled file can be read and downloaded from
    // the HTML alone, copied into an empty directory: each equals its file
    // in tangle/; a click on "whole file" shows it; Download saves it.
    const dir = fs.mkdtempSync(path.join(require("os").tmpdir(), "book-alone-"));
    const copy = path.join(dir, "ipc-book.html");
    fs.copyFileSync(book, copy);
    const tangle = path.join(__dirname, "..", "..", "tangle");
    const context = await browser.newContext({ viewport: DESKTOP, acceptDownloads: true });
    const remote = [];
    await context.route(/^(?!file:|data:|blob:)/, (route) => { remote.push(route.request().url()); route.abort(); });
    const page = await context.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(url.pathToFileURL(copy).href, { waitUntil: "load" });
    const files = await page.$$eval("a.chunk-file[data-file]", (as) => [...new Set(as.map((a) => a.dataset.file))]);
    const want = [];
    (function walk(d) {
      for (const e of fs.readdirSync(path.join(tangle, d), { withFileTypes: true })) {
        const f = path.join(d, e.name);
        if (e.isDirectory()) { if (e.name !== "bin") walk(f); } else if (!/\.(o|a)$/.test(e.name)) want.push(f);
      }
    })("");
    const missing = want.filter((f) => !files.includes(f));
    if (missing.length) fail(`no link to ${missing.length} tangled files, e.g. ${missing.slice(0, 5).join(" ")}`);
    let differ = 0;
    for (const f of files) {
      const text = await page.evaluate((f) => {
        document.querySelector(`a.chunk-file[data-file="${f}"]`).click();
        const t = document.querySelector("#file-viewer .file-text").textContent;
        document.querySelector("#file-viewer .overlay-close").click();
        return t;
      }, f);
      const p = path.join(tangle, f);
      if (!fs.existsSync(p)) { fail(`a link to ${f}, not in tangle/`); continue; }
      if (text !== fs.readFileSync(p, "utf8") && ++differ <= 3) fail(`${f} in the HTML differs from tangle/${f}`);
    }
    console.log(`files: ${files.length} tangled files reachable from a lone copy of the HTML, ${differ} differ`);
    // follow one link as a reader would: click, read, download
    const f = files.find((x) => /\.c$/.test(x)) || files[0];
    const link = page.locator(`.crumbs a.chunk-file[data-file="${f}"], .chunk-head a.chunk-file[data-file="${f}"]`).first();
    await link.scrollIntoViewIfNeeded();
    await link.click();
    const shown = await page.evaluate(() => { const v = document.getElementById("file-viewer"); return { visible: v && v.checkVisibility(), name: v && v.querySelector(".file-name").textContent }; });
    if (!shown.visible || shown.name !== "tangle/" + f) fail(`clicking "whole file" for ${f} shows ${JSON.stringify(shown)}`);
    const [download] = await Promise.all([page.waitForEvent("download", { timeout: 20000 }), page.click("#file-viewer .file-download")]);
    const saved = path.join(dir, "saved");
    await download.saveAs(saved);
    if (download.suggestedFilename() !== path.basename(f)) fail(`the download is named ${download.suggestedFilename()}, not ${path.basename(f)}`);
    if (fs.readFileSync(saved, "utf8") !== fs.readFileSync(path.join(tangle, f), "utf8")) fail(`the downloaded ${f} differs from tangle/${f}`);
    // "Plain text" opens it in a tab of its own
    const [tab] = await Promise.all([context.waitForEvent("page", { timeout: 20000 }), page.click("#file-viewer .file-raw")]);
    await tab.waitForLoadState();
    const raw = await tab.evaluate(() => document.body.innerText);
    if (raw.trim() !== fs.readFileSync(path.join(tangle, f), "utf8").trim()) fail(`the plain-text tab of ${f} shows something else`);
    await page.keyboard.press("Escape");
    if (await page.evaluate(() => !document.getElementById("file-viewer").hidden)) fail("Escape does not close the file");
    remote.forEach((u) => fail(`requested from the network: ${u}`));
    errors.forEach((e) => fail(`script error: ${e}`));
    await context.close();
    fs.rmSync(dir, { recursive: true, force: true });
    break;
  }
  case "fonts": {
    // Issue 9, item 7: the book's own fonts, embedded, and added before the
    // first layout (ADD_FACES in book/tools/fonts).  Every embedded face
    // loads from the file (document.fonts); text of each kind is drawn by a
    // font of the page, not of the system (CDP CSS.getPlatformFontsForNode
    // says isCustomFont); and every character of the text, of each family
    // list, weight and style it is set in, is in an embedded face
    // (fontcover.py reads the faces' WOFF2; bats shows it failing for a
    // subset that dropped one character).
    const { context, page, errors } = await open();
    // the head's script (book/tools/fonts, ADD_FACES) has added every face
    // from its rule's bytes and dropped the rule: at load no face is left
    // unloaded (for which the browser would look up a system font to
    // stand in) and <style id="book-fonts"> holds no rule
    const atLoad = await page.evaluate(() => ({
      waiting: [...document.fonts].filter((f) => /^"?Book /.test(f.family) && f.status !== "loaded").map((f) => `${f.family} ${f.weight} ${f.style}: ${f.status}`),
      rules: document.getElementById("book-fonts").sheet.cssRules.length }));
    atLoad.waiting.forEach((w) => fail(`at load, a face is not loaded: ${w}`));
    if (atLoad.rules) fail(`at load, <style id="book-fonts"> still holds ${atLoad.rules} rules`);
    // the search box and its words exist once opened
    await page.keyboard.press("/");
    await page.keyboard.press("Escape");
    const loaded = await page.evaluate(async () => {
      const fs = [...document.fonts].filter((f) => /^"?Book /.test(f.family));
      await Promise.all(fs.map((f) => f.load().catch(() => null)));
      return fs.map((f) => ({ family: f.family.replace(/"/g, ""), weight: f.weight, style: f.style, status: f.status }));
    });
    const fams = [...new Set(loaded.map((f) => f.family))];
    console.log(`fonts: ${loaded.length} embedded faces in ${fams.join(", ")}; not loaded: ${loaded.filter((f) => f.status !== "loaded").length}`);
    for (const want of ["Book Serif", "Book Sans", "Book Mono", "Book Hangul"]) if (!fams.includes(want)) fail(`no embedded face of ${want}`);
    loaded.filter((f) => f.status !== "loaded").forEach((f) => fail(`the face ${f.family} ${f.weight} ${f.style} is ${f.status}`));
    // what draws a sample of each kind of text, on screen
    const cdp = await context.newCDPSession(page);
    await cdp.send("DOM.enable"); await cdp.send("CSS.enable");
    const samples = { prose: "#content section.level1 p", heading: "#content h2", code: ".chunk pre code span.kw",
      "chunk name": ".chunk-head .chunk-name", "inline code": "#content p > code", figure: "figure svg text",
      hangul: "#glossary-ko td", italic: "#content p em", bold: "#content p strong" };
    for (const [what, sel] of Object.entries(samples)) {
      const ok = await page.evaluate(([sel, what]) => {
        const e = [...document.querySelectorAll(sel)].find((x) => [...x.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim() &&
          (what !== "hangul" || /[\uac00-\ud7a3]/.test(n.textContent))));
        if (!e) return false;
        e.scrollIntoView({ block: "center" });
        e.setAttribute("data-font-probe", what);
        return true;
      }, [sel, what]);
      if (!ok) { fail(`no ${what} (${sel}) to look at`); continue; }
      await page.waitForTimeout(100);
      const { root } = await cdp.send("DOM.getDocument", { depth: 0 });
      const { nodeId } = await cdp.send("DOM.querySelector", { nodeId: root.nodeId, selector: `[data-font-probe="${what}"]` });
      const { fonts } = await cdp.send("CSS.getPlatformFontsForNode", { nodeId });
      console.log(`fonts: ${what}: ${fonts.map((f) => `${f.familyName}${f.isCustomFont ? " (embedded)" : " (system)"} ${f.glyphCount} glyphs`).join(", ")}`);
      if (!fonts.length) fail(`${what}: no font reported`);
      fonts.filter((f) => !f.isCustomFont).forEach((f) => fail(`${what} is drawn with the system's ${f.familyName} (${f.glyphCount} glyphs)`));
    }
    // every character of the text, by the font list, weight and style it
    // is set in (text nodes, and what the style sheet's ::before and
    // ::after write)
    const uses = await page.evaluate(() => {
      const kinds = {}, style = new Map();
      const add = (el, text, pseudo) => {
        let cs = pseudo ? getComputedStyle(el, pseudo) : style.get(el);
        if (!cs) { cs = getComputedStyle(el); style.set(el, cs); }
        const key = cs.fontFamily + "|" + cs.fontWeight + "|" + cs.fontStyle;
        const k = kinds[key] || (kinds[key] = { family: cs.fontFamily, weight: cs.fontWeight, style: cs.fontStyle, chars: {} });
        for (const ch of text) if (!(ch in k.chars)) k.chars[ch] = (el.tagName.toLowerCase() + (el.className && el.className.baseVal === undefined ? "." + String(el.className).split(" ")[0] : "") + (pseudo || "") + ": " + text.trim().slice(0, 50));
      };
      const w = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT, { acceptNode: (n) =>
        n.parentElement.closest("script, style, noscript, template") ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT });
      for (let n; (n = w.nextNode());) if (n.textContent.trim()) add(n.parentElement, n.textContent);
      const rules = [];
      const walk = (list) => { for (const r of list) { if (r.cssRules) walk(r.cssRules); if (r.selectorText && /::?(before|after)/.test(r.selectorText) && r.style.content) rules.push(r.selectorText); } };
      for (const sh of document.styleSheets) { try { walk(sh.cssRules); } catch (e) { /* none here */ } }
      for (const sel of rules) for (const part of sel.split(",")) {
        const m = part.match(/::?(before|after)/);
        const base = part.replace(/::?(before|after)/, "").trim() || "*";
        let els = [];
        try { els = document.querySelectorAll(base); } catch (e) { continue; }
        for (const el of [...els].slice(0, 200)) {
          const c = getComputedStyle(el, "::" + m[1]).content;
          if (!c || c === "none" || c === "normal") continue;
          let t = "";
          c.replace(/"((?:[^"\\]|\\.)*)"|attr\(([\w-]+)\)/g, (_, q, a) => { t += q !== undefined ? q.replace(/\\([0-9a-fA-F]{1,6}) ?|\\(.)/g, (x, h, o) => h ? String.fromCodePoint(parseInt(h, 16)) : o) : (el.getAttribute(a) || ""); });
          if (t.trim()) add(el, t, "::" + m[1]);
        }
      }
      return Object.values(kinds);
    });
    const usesDir = results || artefacts || require("os").tmpdir();
    fs.mkdirSync(usesDir, { recursive: true });
    const usesFile = path.join(usesDir, "fontuses.json");
    fs.writeFileSync(usesFile, JSON.stringify(uses));
    const r = require("child_process").spawnSync("/usr/bin/python3", [path.join(__dirname, "fontcover.py"), "check", book, usesFile], { encoding: "utf8" });
    console.log((r.stdout || "").split("\n")[0]);
    if (r.status !== 0) fail(`fontcover.py (status ${r.status}):\n${r.stdout}${r.stderr}`);
    errors.forEach((e) => fail(`script error: ${e}`));
    await context.close();
    break;
  }
  case "pages": {
    // The book in pages: every link on every page lands on a page and an
    // element there (a chunk link on a chunk); every chunk and section of
    // the one file is on exactly one page; the pages, in the order their
    // Next links take, hold the one file's text, nothing lost or doubled;
    // each page says where it is and lists every chapter, but only its own
    // chapter's sections.
    const { context, page } = await open();
    const r = await page.evaluate((docs) => {
      const bad = [], P = new DOMParser(), d = {};
      for (const [n, h] of docs) d[n] = P.parseFromString(h, "text/html");
      let links = 0;
      const chunkLink = ".chunk-use, a.id, .chunk-foot a, .crumbs a, .chunk-prev, .chunk-next, .chunk-index a, .ident-index a, details.peek a";
      const ups = new Set();
      for (const [n, doc] of Object.entries(d)) {
        for (const a of doc.querySelectorAll("a[href]")) {
          const h = a.getAttribute("href");
          if (h.startsWith("../")) { ups.add(h.split("#")[0]); continue; }
          links++;
          const [p, f] = [h.split("#")[0] || n, h.includes("#") ? decodeURIComponent(h.slice(h.indexOf("#") + 1)) : ""];
          if (!d[p]) { bad.push(`${n}: ${h}: no such page`); continue; }
          const t = f ? d[p].getElementById(f) : d[p].body;
          if (!t) bad.push(`${n}: ${h}: no such element on ${p} ("${a.textContent.slice(0, 40)}")`);
          else if (a.matches(chunkLink) && !t.classList.contains("chunk")) bad.push(`${n}: ${h}: a chunk link that lands on a ${t.tagName}`);
        }
      }
      // the pages in order, from the contents page along the Next links
      const order = [];
      for (let n = "index.html"; n && d[n] && !order.includes(n);) {
        order.push(n);
        const next = d[n].querySelector(".page-nav a[rel=next]");
        n = next && next.getAttribute("href");
      }
      const missed = Object.keys(d).filter((n) => !order.includes(n));
      if (missed.length) bad.push(`the Next links miss ${missed.length} pages: ${missed.slice(0, 5).join(" ")}`);
      // every chunk and section on exactly one page
      const on = {};
      for (const n of order) for (const e of d[n].querySelectorAll("#content .chunk[id], #content section[id]")) (on[e.id] = on[e.id] || []).push(n);
      const mine = [...document.querySelectorAll("#content .chunk[id], #content section[id]")].map((e) => e.id);
      for (const id of mine) if ((on[id] || []).length !== 1) bad.push(`${id} is on ${(on[id] || []).length} pages: ${(on[id] || []).join(" ")}`);
      // the text: the one file's without its chapter links, the pages'
      // without what the pages add (the place, the page links, "This edition")
      const text = (main, drop) => { const c = main.cloneNode(true); c.querySelectorAll(drop).forEach((e) => e.remove()); return c.textContent.replace(/\s+/g, ""); };
      const one = text(document.getElementById("content"), ".chapter-nav, #title-block-header .formats");
      const all = order.map((n) => text(d[n].getElementById("content"), ".pages-gen")).join("");
      if (one !== all) {
        let i = 0; while (i < one.length && one[i] === all[i]) i++;
        bad.push(`the pages' text differs from the one file's at character ${i} of ${one.length}: "${one.slice(i - 40, i + 60)}" against "${all.slice(i - 40, i + 60)}"`);
      }
      // where am I, and a small contents
      const chapters = d["index.html"].querySelectorAll("#about-pages .toc > ul > li").length;
      let most = 0;
      for (const n of order.slice(1)) {
        const place = d[n].querySelector(".page-place a");
        if (!place) bad.push(`${n}: no place line naming its chapter`);
        const top = d[n].querySelectorAll("#sidebar .toc > ul > li").length, open = d[n].querySelectorAll("#sidebar .toc > ul > li > ul").length;
        if (top !== chapters || open > 1) bad.push(`${n}: its contents list ${top} chapters (not ${chapters}) and the sections of ${open}`);
        most = Math.max(most, d[n].querySelectorAll("#sidebar .toc li").length);
        // each page, a section's later part too, opens with a heading
        const first = [...d[n].querySelectorAll("#content :is(h1, h2, h3, h4, p, div.chunk, figure, table, ul, ol, pre)")].find((e) => !e.closest("nav, .page-place"));
        if (!first || !/^H[1-4]$/.test(first.tagName)) bad.push(`${n}: its text begins with a ${first ? first.tagName : "nothing"}, not a heading`);
      }
      return { bad, links, pages: order.length, ups: [...ups], chars: one.length, chapters, most, sizes: docs.length };
    }, pageFiles());
    console.log(`pages: ${r.pages} pages, ${r.links} links followed, ${r.chars} characters of text; contents of ${r.chapters} chapters, at most ${r.most} entries`);
    r.bad.slice(0, 30).forEach(fail);
    if (r.pages < 20 || r.links < 1000) fail(`only ${r.pages} pages and ${r.links} links: are these the pages?`);
    // small pages (item 8: a page's time grows with its size, perf.js):
    // a long section is cut in parts (each opens with a heading, above)
    const sizes = pageFiles().map(([n, h]) => [n, Buffer.byteLength(h)]).sort((a, b) => b[1] - a[1]);
    console.log(`pages: the largest ${sizes.slice(0, 3).map(([n, b]) => `${n} ${(b / 1000).toFixed(0)} KB`).join(", ")}`);
    sizes.filter(([, b]) => b > 80000).forEach(([n, b]) => fail(`${n} is ${(b / 1000).toFixed(0)} KB: a page over 80 KB (book/tools/pages cuts a section over 30 KB)`));
    // a link out of the pages: to the one file, the PDF, the EPUB beside them
    for (const u of r.ups) if (!fs.existsSync(path.join(pagesDir, u))) fail(`a link to ${u}, which is not there`);
    await context.close();
    break;
  }
  case "pagesearch": {
    // From one page, "/" finds a word that occurs only in the prose of
    // another page and opens it there, the word in view; Escape first
    // returns the reader to where they were; Back from the result too.
    const docs = pageFiles();
    const scout = await open({ url: pageURL("index.html") });
    const pick = await scout.page.evaluate((docs) => {
      const P = new DOMParser(), prose = {}, code = [];
      for (const [n, h] of docs) {
        const doc = P.parseFromString(h, "text/html");
        for (const e of doc.querySelectorAll("#content p, #content li")) {
          if (e.closest(".chunk, pre, .ident-index, .chunk-index, nav, .pages-gen")) continue;
          const c = e.cloneNode(true); c.querySelectorAll("code, a.claim").forEach((x) => x.remove());
          (c.textContent.toLowerCase().match(/[a-z]{7,}/g) || []).forEach((w) => { (prose[w] = prose[w] || new Set()).add(n); });
        }
        for (const e of doc.querySelectorAll("#content pre, #content code, #content h1, #content h2, #content h3, .chunk-head, .crumbs, .chunk-foot, title, .toc")) code.push(e.textContent.toLowerCase());
      }
      const all = code.join("\n"), names = docs.map(([n]) => n).sort();
      const from = names.find((n) => /^[a-c]/.test(n) && n !== "index.html");
      const word = Object.keys(prose).find((w) => prose[w].size === 1 && !prose[w].has(from) && !all.includes(w));
      return { from, word, to: word && [...prose[word]][0] };
    }, docs);
    await scout.context.close();
    if (!pick.word) { fail("no word occurs in the prose of one page only"); break; }
    console.log(`pagesearch: "${pick.word}", only in the prose of ${pick.to}, searched from ${pick.from}`);
    const { context, page, remote, errors } = await open({ url: pageURL(pick.from) });
    await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight / 3));
    await page.waitForTimeout(200);
    const probe = () => page.evaluate(() => {
      const c = document.getElementById("content").getBoundingClientRect();
      let e = window.__probe || document.elementFromPoint(c.left + 30, 300);
      window.__probe = e;
      return { top: Math.round(e.getBoundingClientRect().top), url: location.href.split("#")[0], open: !!document.querySelector("#search:not([hidden])") };
    });
    const at = await probe();
    const find = async () => {
      await page.keyboard.press("/");
      await page.fill("#search-input", pick.word);
      await page.waitForFunction((q) => document.querySelector(".search-results").getAttribute("data-q") === q &&
        document.querySelector(".search-count").textContent !== "", pick.word, { timeout: 20000 });
      return page.evaluate(() => [...document.querySelectorAll(".search-results li a")].map((a) => ({ href: a.getAttribute("href"), marks: [...a.querySelectorAll("mark")].map((m) => m.textContent.toLowerCase()) })));
    };
    let hits = await find();
    if (!hits.length || !hits[0].marks.includes(pick.word) || !hits[0].href.startsWith(pick.to + "#")) fail(`the first result is not the word on ${pick.to}: ${JSON.stringify(hits.slice(0, 2))}`);
    await page.keyboard.press("Escape");
    await page.waitForTimeout(300);
    let s = await probe();
    if (s.open || s.url !== at.url || Math.abs(s.top - at.top) > 3) fail(`after Escape the reader is not where they were: ${JSON.stringify(s)} against ${JSON.stringify(at)}`);
    hits = await find();
    await Promise.all([page.waitForURL((u) => u.href.includes(pick.to), { timeout: 20000 }), page.keyboard.press("Enter")]);
    await page.waitForLoadState("load");
    await page.waitForTimeout(300);
    const there = await page.evaluate((w) => {
      const e = document.querySelector(".search-hit"), b = e && e.getBoundingClientRect();
      return { url: location.href, hit: !!e && e.textContent.toLowerCase().includes(w), inView: !!b && b.bottom > 0 && b.top < innerHeight };
    }, pick.word);
    if (!there.url.includes("/" + pick.to) || !there.hit || !there.inView) fail(`Enter did not open ${pick.to} with the word marked in view: ${JSON.stringify(there)}`);
    await page.goBack();
    await page.waitForLoadState("load");
    await page.waitForTimeout(300);
    if (page.url().split("#")[0] !== at.url) fail(`Back from the result went to ${page.url()}, not ${at.url}`);
    remote.forEach((u) => fail(`requested from the network: ${u}`));
    errors.forEach((e) => fail(`script error: ${e}`));
    await context.close();
    break;
  }
  case "pagepeeks": {
    // On a page whose chunks live on other pages: a peek of a chunk on
    // another page shows what the same peek shows in the one file (which
    // the check "peeks" holds to the chunk), and each whole tangled file
    // whose root chunk is on another page equals its file in tangle/.
    const docs = pageFiles();
    const ids = new Map(docs.map(([n, h]) => [n, new Set([...h.matchAll(/ id="([^"]*)"/g)].map((m) => m[1]))]));
    const pick = docs.map(([n, h]) => ({ n, peek: [...h.matchAll(/data-peek="([^"]*)"/g)].map((m) => m[1]).find((x) => !ids.get(n).has(x)),
      files: [...h.matchAll(/<a class="chunk-file" href="([a-z0-9_.-]+\.html)#[^"]*" data-file="([^"]*)"/g)].map((m) => m[2]) }))
      .find((p) => p.peek && p.files.length);
    if (!pick) { fail("no page has both a peek and a whole file from other pages"); break; }
    console.log(`pagepeeks: on ${pick.n}, the peek of ${pick.peek} and ${pick.files.length} whole files`);
    const one = await open();
    const want = await one.page.evaluate((label) => {
      const d = document.querySelector(`details.peek[data-peek="${label}"]`);
      return [...d.querySelectorAll(".peek-foot a")].map((a) => document.getElementById(a.getAttribute("href").slice(1)).querySelector(":scope > div.sourceCode code").textContent).join("\n");
    }, pick.peek);
    await one.context.close();
    const { context, page, remote, errors } = await open({ url: pageURL(pick.n) });
    // the button beside the use in the code opens it
    await page.evaluate((l) => [...document.querySelectorAll("button.peek-toggle")]
      .find((x) => x.previousElementSibling.getAttribute("href").endsWith("#" + l)).setAttribute("data-pick", ""), pick.peek);
    const b = page.locator("button.peek-toggle[data-pick]");
    await b.scrollIntoViewIfNeeded();
    await b.click();
    await page.waitForFunction((l) => document.querySelector(`details.peek[data-peek="${l}"] pre`), pick.peek, { timeout: 20000 });
    const got = await page.evaluate((l) => { const p = document.querySelector(`details.peek[data-peek="${l}"] pre`); return { text: p.textContent, visible: p.checkVisibility() }; }, pick.peek);
    if (!got.visible) fail(`the peek of ${pick.peek} is not shown`);
    if (got.text !== want) fail(`the peek of ${pick.peek} shows\n${got.text}\nnot, as the one file does,\n${want}`);
    const tangle = path.join(__dirname, "..", "..", "tangle");
    for (const f of [...new Set(pick.files)]) {
      await page.locator(`a.chunk-file[data-file="${f}"]`).first().click();
      await page.waitForFunction(() => document.querySelector("#file-viewer:not([hidden]) .file-text"), null, { timeout: 20000 });
      const text = await page.evaluate(() => document.querySelector("#file-viewer .file-text").textContent);
      const disk = fs.readFileSync(path.join(tangle, f), "utf8");
      if (text !== disk) fail(`the whole file ${f} is not tangle/${f} (${text.length} against ${disk.length} characters)`);
      await page.keyboard.press("Escape");
    }
    remote.forEach((u) => fail(`requested from the network: ${u}`));
    errors.forEach((e) => fail(`script error: ${e}`));
    await context.close();
    break;
  }
  case "pagekeys": {
    // In the pages, "→" and "←" open the next and previous chapter's first
    // page (not while typing), and an index's filter on one piece of it
    // finds entries on the other pieces, linked to their pages.
    const { context, page, remote, errors } = await open({ url: pageURL("index.html") });
    const firsts = await page.evaluate(() => [...document.querySelectorAll("#about-pages .toc > ul > li > a")].map((a) => a.getAttribute("href").split("#")[0]));
    const mid = await page.evaluate(() => [...document.querySelectorAll("#about-pages .toc > ul > li > ul > li > a")].map((a) => a.getAttribute("href").split("#")[0]));
    // a section's page in the middle of the third chapter
    const ch = 2, from = mid.find((p) => !firsts.includes(p) && mid.indexOf(p) > mid.indexOf(firsts[ch]));
    await page.goto(pageURL(from), { waitUntil: "load" });
    await Promise.all([page.waitForURL((u) => u.href.endsWith("/" + firsts[ch + 1]), { timeout: 10000 }).catch(() => {}), page.keyboard.press("ArrowRight")]);
    if (!page.url().endsWith("/" + firsts[ch + 1])) fail(`"→" on ${from} went to ${page.url()}, not ${firsts[ch + 1]}`);
    await Promise.all([page.waitForURL((u) => u.href.endsWith("/" + firsts[ch]), { timeout: 10000 }).catch(() => {}), page.keyboard.press("ArrowLeft")]);
    if (!page.url().endsWith("/" + firsts[ch])) fail(`"←" went to ${page.url()}, not ${firsts[ch]}`);
    // the filter: the last entry of the last piece of the identifiers'
    // index, typed on its first piece
    const pieces = fs.readdirSync(pagesDir).filter((f) => /^index-identifiers(-\d+)?\.html$/.test(f)).sort((a, b) => (+(a.match(/\d+/) || [1])[0]) - (+(b.match(/\d+/) || [1])[0]));
    const last = [...fs.readFileSync(path.join(pagesDir, pieces[pieces.length - 1]), "utf8").matchAll(/<li data-filter="([^"]*)"/g)].pop()[1];
    if (pieces.length < 2) fail(`the identifiers' index is in ${pieces.length} piece`);
    await page.goto(pageURL(pieces[0]), { waitUntil: "load" });
    await page.fill("#filter-idents", last);
    await page.keyboard.press("ArrowRight");   // typing: stays
    await page.waitForFunction((w) => [...document.querySelectorAll("ul.ident-index > li")].some((li) => li.dataset.filter === w), last, { timeout: 20000 }).catch(() => {});
    const r = await page.evaluate((w) => ({ url: location.href, lis: [...document.querySelectorAll("ul.ident-index > li")].map((li) => ({ f: li.dataset.filter, href: (li.querySelector("a") || { getAttribute: () => "" }).getAttribute("href") })),
      count: document.querySelector(".filter-count").textContent }), last);
    const hit = r.lis.find((l) => l.f === last);
    if (!r.url.endsWith("/" + pieces[0])) fail(`"→" while typing in the filter left the page for ${r.url}`);
    if (!hit) fail(`filtering "${last}" on ${pieces[0]} does not find it (it is on ${pieces[pieces.length - 1]}): ${JSON.stringify(r.lis.slice(0, 3))} ${r.count}`);
    else if (!/^[a-z0-9_.-]+\.html#/.test(hit.href)) fail(`the entry found links to "${hit.href}", not to a page`);
    if (r.lis.some((l) => !l.f.includes(last.split(/\s+/)[0]))) fail(`the filter shows entries without "${last}"`);
    remote.forEach((u) => fail(`requested from the network: ${u}`));
    errors.forEach((e) => fail(`script error: ${e}`));
    await context.close();
    break;
  }
  case "pagefonts": {
    // The pages' faces come from fonts.js, decoded in the head before the
    // page is first laid out: no face is fetched (fonts.css,
    // their @font-face rules, is for reading without scripts), and the
    // page has no face left unloaded, for which the browser
    // would look up a system font to stand in (book/tools/pages,
    // fonts_js()); the text is drawn with the embedded faces.  Shown
    // failing: with fonts.js refused, the same pages fetch those faces'
    // files (fonts.css, loaded in its place).
    const css = fs.readFileSync(path.join(pagesDir, "fonts.css"), "utf8");
    const textFaces = [...css.matchAll(/@font-face\{([^}]*)\}/g)].map((m) => m[1])
      .map((r) => r.match(/url\((fonts\/[0-9a-f]+\.woff2)\)/)[1]);
    if (textFaces.length < 6) fail(`only ${textFaces.length} faces in fonts.css`);
    const big = pageFiles().sort((a, b) => b[1].length - a[1].length)[0][0];
    const look = async (refuse) => {
      const { context, page, requests, errors } = await open({ viewport: PHONE, url: pageURL("index.html") });
      if (refuse) await context.route(/fonts\.js$/, (r) => r.abort());
      const got = [];
      for (const n of ["index.html", big, "pipes.html"]) {
        requests.length = 0;
        await page.goto(pageURL(n), { waitUntil: "load" });
        await page.evaluate(() => document.fonts.ready);
        const fetched = textFaces.filter((f) => requests.some((u) => u.endsWith(f)));
        const drawn = await page.evaluate(() => {
          const text = [...document.fonts].filter((f) => /^"?Book /.test(f.family));
          return { loaded: text.filter((f) => f.status === "loaded").length,
            waiting: text.filter((f) => f.status !== "loaded").map((f) => `${f.family} ${f.weight} ${f.style} ${f.unicodeRange.slice(0, 12)}: ${f.status}`) };
        });
        got.push({ n, fetched, fontsjs: requests.some((u) => /\/fonts\.js$/.test(u)), ...drawn });
      }
      if (!refuse) {
        const cdp = await context.newCDPSession(page);
        await cdp.send("DOM.enable"); await cdp.send("CSS.enable");
        const { root } = await cdp.send("DOM.getDocument", { depth: 0 });
        for (const sel of ["#content p:not(.pages-gen)", "#content h1, #content h2", "#content pre code"]) {
          await page.evaluate((sel) => { const e = document.querySelector(sel); if (e) e.scrollIntoView({ block: "center" }); }, sel);
          await page.waitForTimeout(100);
          const { nodeId } = await cdp.send("DOM.querySelector", { nodeId: root.nodeId, selector: sel });
          const { fonts } = nodeId ? await cdp.send("CSS.getPlatformFontsForNode", { nodeId }) : { fonts: [] };
          if (!fonts.length || fonts.some((f) => !f.isCustomFont)) fail(`pipes.html: ${sel} is drawn with ${JSON.stringify(fonts)}, not only the embedded faces`);
        }
      }
      if (!refuse) errors.forEach((e) => fail(`pagefonts: ${e}`));
      await context.close();
      return got;
    };
    const good = await look(false), refused = await look(true);
    for (const g of good) {
      console.log(`pagefonts: ${g.n}: fonts.js ${g.fontsjs ? "loaded" : "not loaded"}, ${g.loaded} faces ready, ${g.waiting.length} not loaded, ${g.fetched.length} fetched by a style sheet`);
      if (!g.fontsjs) fail(`${g.n}: fonts.js is not loaded`);
      if (g.fetched.length) fail(`${g.n}: a style sheet fetched ${g.fetched.join(" ")}: fonts.js did not provide them`);
      if (g.loaded < textFaces.length) fail(`${g.n}: ${g.loaded} faces ready, not ${textFaces.length}`);
      g.waiting.forEach((w) => fail(`${g.n}: a face is not loaded (the browser looks up a system font to stand in for it): ${w}`));
    }
    const caught = refused.filter((g) => g.fetched.length).length;
    console.log(`pagefonts: with fonts.js refused, ${caught} of ${refused.length} pages fetch the text's faces from the style sheet`);
    if (caught !== refused.length) fail(`with fonts.js refused, only ${caught} of ${refused.length} pages fetched a face: the check cannot fail`);
    break;
  }
  case "pagesnojs": {
    // With scripts off every page shows its text: the page's place, its
    // headings and its first paragraph are drawn, in the book's own faces
    // (fonts.css, loaded from <noscript>: CSS.getPlatformFontsForNode on
    // the first pages); nothing but file: is asked for.
    const names = pageFiles().map(([n]) => n);
    const { context, page, remote, requests } = await open({ js: false, url: pageURL("index.html") });
    const cdp = await context.newCDPSession(page);
    await cdp.send("DOM.enable"); await cdp.send("CSS.enable");
    let shown = 0, drawn = 0;
    for (const n of names) {
      await page.goto(pageURL(n), { waitUntil: "load" });
      if (drawn < 3) {
        drawn++;
        await page.evaluate(() => document.fonts.ready);
        const { root } = await cdp.send("DOM.getDocument", { depth: 0 });
        for (const sel of ["#content h1, #content h2", "#content p.page-place", "#content p:not(.pages-gen)"]) {
          const { nodeId } = await cdp.send("DOM.querySelector", { nodeId: root.nodeId, selector: sel });
          const { fonts } = nodeId ? await cdp.send("CSS.getPlatformFontsForNode", { nodeId }) : { fonts: [] };
          if (!fonts.length || fonts.some((f) => !f.isCustomFont)) fail(`${n} with scripts off: ${sel} is drawn with ${JSON.stringify(fonts)}, not only the book's faces`);
        }
      }
      const r = await page.evaluate(() => {
        const c = document.getElementById("content"), h = c.querySelector("h1, h2, h3");
        // the first paragraph of the text (not of a closed peek)
        const p = [...c.querySelectorAll("p:not(.pages-gen), li")].find((e) => !e.closest("details"));
        return { chars: c.innerText.length, head: !!h && h.checkVisibility(), para: !!p && p.checkVisibility() };
      });
      if (r.chars < 100 || !r.head || !r.para) fail(`${n} with scripts off: ${JSON.stringify(r)}`);
      else shown++;
    }
    console.log(`pagesnojs: ${shown} of ${names.length} pages show their text without scripts`);
    remote.forEach((u) => fail(`requested from the network: ${u}`));
    requests.filter((u) => !/^file:/.test(u)).forEach((u) => fail(`request: ${u}`));
    await context.close();
    break;
  }
  }
}

(async () => {
  let browser;
  try {
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"],
      timeout: 20000,
    });
  } catch (e) {
    console.error(`read.js: chromium cannot start here: ${e.message.split("\n")[0]}`);
    process.exit(75);
  }
  const checks = checkArg === "all" ? CHECKS : [checkArg];
  let failed = false;
  try {
    for (const check of checks) {
      failures.length = 0;
      const t0 = Date.now();
      try {
        await main(browser, check);
      } catch (e) {
        fail(`read.js: ${e.stack || e}`);
      }
      console.log(`${check}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      if (results) {
        fs.writeFileSync(path.join(results, check + ".out"), failures.join("\n"));
        fs.writeFileSync(path.join(results, check + ".status"), failures.length ? "1" : "0");
      } else if (failures.length) {
        failures.forEach((f) => console.error(f));
        failed = true;
      }
    }
  } finally {
    await browser.close();
  }
  process.exit(failed ? 1 : 0);
})();
