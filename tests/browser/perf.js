#!/usr/bin/env node
// perf.js BOOK.html...: how long the book takes to become usable on a slow
// phone: each book loaded in headless Chromium with the CPU slowed down 4
// times (CDP Emulation.setCPUThrottlingRate), at 390x844, 3 loads each
// (the median reported): the time scripts ran (CDP ScriptDuration), all
// main-thread tasks (TaskDuration), DOMContentLoaded and load, the DOM's
// size, and book.js's own run (from its performance marks).  Prints one
// line per book; a measurement, not a test (issue 9, item 8).
"use strict";
const url = require("url");
const path = require("path");
const { chromium } = require("playwright-core");
const RATE = +(process.env.RATE || 4), RUNS = +(process.env.RUNS || 3);
(async () => {
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"] });
  for (const book of process.argv.slice(2)) {
    const runs = [];
    for (let i = 0; i < RUNS; i++) {
      const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
      await context.route(/^(?!file:|data:)/, (r) => r.abort());
      const page = await context.newPage();
      const cdp = await context.newCDPSession(page);
      await cdp.send("Performance.enable");
      await cdp.send("Emulation.setCPUThrottlingRate", { rate: RATE });
      await page.goto(url.pathToFileURL(path.resolve(book)).href, { waitUntil: "load", timeout: 300000 });
      const m = Object.fromEntries((await cdp.send("Performance.getMetrics")).metrics.map((x) => [x.name, x.value]));
      const t = await page.evaluate(() => {
        const n = performance.getEntriesByType("navigation")[0];
        const js = performance.getEntriesByName("book-js-start")[0], end = performance.getEntriesByName("book-js-end")[0];
        return { dcl: n.domContentLoadedEventEnd, load: n.loadEventEnd, elements: document.getElementsByTagName("*").length,
          bookjs: js && end ? end.startTime - js.startTime : null };
      });
      runs.push({ script: m.ScriptDuration, task: m.TaskDuration, ...t });
      await context.close();
    }
    const med = (k) => { const v = runs.map((r) => r[k]).filter((x) => x !== null).sort((a, b) => a - b); return v.length ? v[v.length >> 1] : null; };
    const f = (x, s = 1) => x === null ? "-" : (x / s).toFixed(2);
    console.log(`${book}: at ${RATE}x slowdown, median of ${RUNS}: scripts ${f(med("script"))} s, main-thread tasks ${f(med("task"))} s, ` +
      `book.js ${f(med("bookjs"), 1000)} s, DOMContentLoaded ${f(med("dcl"), 1000)} s, load ${f(med("load"), 1000)} s, ${med("elements")} elements`);
  }
  await browser.close();
})();
