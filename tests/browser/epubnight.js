#!/usr/bin/env node
// epubnight.js DIR FILE...: the EPUB's pages (unpacked in DIR, FILE as the
// package names them: EPUB/text/ch005.xhtml) as an e-reader shows them by
// day and at night (tests/epub.bats).  Each page is drawn in Chromium with
// the reader's own page colours put over the book's, as readers do (day:
// black on white; night: #e0e0e0 on #121212, and prefers-color-scheme:
// dark, which readers with a night mode set), and every element that
// draws text is measured: its colour against the background it is drawn
// on must reach 4.5:1 (WCAG AA), and at night no code panel may be bright.
// Each token of code must be drawn as wide as its text (no gap after it).
// Prints one line a page and mode; exit 1 with the failures, 2 bad usage,
// 75 when the browser cannot start here.
"use strict";
const path = require("path");
const url = require("url");
const [dir, ...files] = process.argv.slice(2);
if (!dir || !files.length) { console.error("usage: epubnight.js DIR FILE..."); process.exit(2); }
let chromium;
try { ({ chromium } = require("playwright-core")); } catch (e) {
  console.error("epubnight.js: playwright-core is not installed: run `npm ci` in tests/browser"); process.exit(75);
}
const MODES = {
  day: { scheme: "light", css: "html, body { background: #ffffff !important; color: #000000 !important; }" },
  night: { scheme: "dark", css: "html, body { background: #121212 !important; color: #e0e0e0 !important; }" },
};

// In the page: [selector-ish name, contrast, text] of every element with
// text of its own below 4.5:1, the number measured, and the brightest code
// panel's luminance.
function measure() {
  function rgb(c) { const m = c.match(/[\d.]+/g).map(Number); return { r: m[0], g: m[1], b: m[2], a: m.length > 3 ? m[3] : 1 }; }
  function lum(c) {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
  }
  function background(e) {
    for (; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.a > 0) return c;
    }
    return { r: 255, g: 255, b: 255, a: 1 };
  }
  const bad = [];
  let n = 0;
  for (const e of document.body.querySelectorAll("*")) {
    const own = [...e.childNodes].filter((t) => t.nodeType === 3 && t.textContent.trim()).map((t) => t.textContent.trim()).join(" ");
    if (!own || e.closest("svg")) continue;
    const s = getComputedStyle(e);
    if (s.visibility === "hidden" || s.display === "none") continue;
    const fg = lum(rgb(s.color)), bg = lum(background(e));
    const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
    n++;
    if (ratio < 4.5) bad.push([e.tagName.toLowerCase() + (e.className ? "." + e.className : ""), ratio.toFixed(2), own.slice(0, 40)]);
  }
  let panel = 0;
  for (const p of document.querySelectorAll("div.sourceCode")) panel = Math.max(panel, lum(background(p)));
  // a token's box as wide as its text: a line's style (its hanging indent)
  // that lands on a token draws a gap after it ("argv[0  ]")
  const gaps = [];
  for (const t of document.querySelectorAll("pre code span[class]")) {
    const r = document.createRange();
    r.selectNodeContents(t);
    const box = t.getBoundingClientRect(), text = r.getBoundingClientRect();
    if (text.width > 0 && box.width - text.width > 2) gaps.push(t.textContent.slice(0, 20));
  }
  return { bad, n, panel, panels: document.querySelectorAll("div.sourceCode").length, gaps };
}

(async () => {
  let browser;
  try {
    browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"] });
  } catch (e) { console.error("epubnight.js: the browser cannot start: " + e.message.split("\n")[0]); process.exit(75); }
  const failures = [];
  let panels = 0;
  for (const f of files) {
    for (const [mode, m] of Object.entries(MODES)) {
      const page = await browser.newPage({ colorScheme: m.scheme, viewport: { width: 600, height: 900 } });
      await page.goto(url.pathToFileURL(path.join(dir, f)).href);
      await page.addStyleTag({ content: m.css });
      const r = await page.evaluate(measure);
      console.log(`${f} ${mode}: ${r.n} elements with text, ${r.bad.length} below 4.5:1; ${r.panels} code panels, brightest ${r.panel.toFixed(3)}`);
      r.bad.slice(0, 5).forEach((b) => failures.push(`${f} ${mode}: ${b[0]} at ${b[1]}:1 ("${b[2]}")`));
      if (r.bad.length > 5) failures.push(`${f} ${mode}: and ${r.bad.length - 5} more below 4.5:1`);
      if (mode === "night" && r.panel > 0.1) failures.push(`${f} night: a code panel is bright (luminance ${r.panel.toFixed(3)})`);
      panels += r.panels;
      if (r.gaps.length) failures.push(`${f} ${mode}: ${r.gaps.length} code tokens drawn wider than their text, e.g. "${r.gaps[0]}"`);
      await page.close();
    }
  }
  await browser.close();
  if (!panels) failures.push("no code panel to measure");
  if (failures.length) { console.error(failures.join("\n")); process.exit(1); }
})();
