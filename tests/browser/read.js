#!/usr/bin/env node
// read.js CHECK BOOK.html [ARTEFACTS]: read the HTML book in headless
// Chromium as a reader would, and check one thing (tests/browser.bats).
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
  "contrast", "theme", "contents", "chrome"];
if (!(CHECKS.includes(checkArg) || (checkArg === "all" && results)) || !bookArg) {
  console.error("usage: read.js " + CHECKS.join("|") + " BOOK.html [ARTEFACTS]\n" +
    "       read.js all BOOK.html ARTEFACTS RESULTS");
  process.exit(2);
}
const book = path.resolve(bookArg);
const bookURL = url.pathToFileURL(book).href;
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
    await page.goto(bookURL + (opts.hash || ""), { waitUntil: "load" });
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
    const files = await page.$$eval("a[href^='../tangle/']", (as) => [...new Set(as.map((a) => a.href))]);
    if (files.length === 0) fail("no links to tangled files");
    files.forEach((f) => { if (!fs.existsSync(url.fileURLToPath(f))) fail(`link to a missing file: ${f}`); });
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
      return { crumbs, beside, feet, onePara, share: chrome / total, untitled: untitled.slice(0, 5), nUntitled: untitled.length };
    });
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
      try {
        await main(browser, check);
      } catch (e) {
        fail(`read.js: ${e.stack || e}`);
      }
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
