#!/usr/bin/env node
// transcripts.js ROOT HTML: every shell transcript of the chapters (a ```sh
// block with "$ " lines) is in the HTML book as a transcript: each command
// line a command after a prompt, each other line plain output, with no
// highlighting inside, its text exactly the chapter's.  Prints what
// differs; exits 1 if anything does.
'use strict';
const fs = require('fs');
const path = require('path');
const [root, htmlFile] = process.argv.slice(2);
const decode = t => t.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"')
  .replace(/&#39;/g, "'").replace(/&#(\d+);/g, (_, d) => String.fromCodePoint(Number(d))).replace(/&amp;/g, '&');
const wanted = [];
for (const f of fs.readdirSync(path.join(root, 'chapters')).filter(f => /^\d\d-.*\.md$/.test(f)).sort()) {
  const lines = fs.readFileSync(path.join(root, 'chapters', f), 'utf8').split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] !== '```sh') continue;
    const block = [];
    let j = i + 1;
    for (; j < lines.length && lines[j] !== '```'; j++) block.push(lines[j]);
    if (block.some(l => /^\$( |$)/.test(l))) {
      let cont = false;
      wanted.push({ where: `${f}:${i + 1}`, lines: block.map(l => {
        const cmd = /^\$( |$)/.test(l) || cont;
        cont = cmd && /\\$/.test(l);
        return { cmd, text: l };
      }) });
    }
    i = j;
  }
}
const html = fs.readFileSync(htmlFile, 'utf8');
const got = [...html.matchAll(/<pre class="sourceCode transcript"[^>]*><code>([\s\S]*?)<\/code><\/pre>/g)].map(m => m[1].split('\n'));
const bad = [];
let k = 0, outputs = 0, commands = 0;
for (const w of wanted) {
  // the next transcript in the HTML with as many lines
  while (k < got.length && got[k].length !== w.lines.length) k++;
  if (k >= got.length) { bad.push(`${w.where}: no transcript in the HTML for it`); continue; }
  const g = got[k++];
  w.lines.forEach((l, i) => {
    if (l.cmd) {
      commands++;
      if (!g[i].startsWith('<span class="cmd">')) bad.push(`${w.where}: command line ${i + 1} not shown as a command: ${g[i]}`);
      const text = decode(g[i].replace(/<[^>]*>/g, ''));
      if (text !== l.text) bad.push(`${w.where}: command line ${i + 1} reads ${text}, not ${l.text}`);
    } else {
      outputs++;
      const m = g[i].match(/^<span class="out">([^<]*)<\/span>$/);
      if (!m || decode(m[1]) !== l.text) bad.push(`${w.where}: output line ${i + 1} is not plain output: ${g[i]}`);
    }
  });
}
console.log(`transcripts in the chapters: ${wanted.length}, in the HTML: ${got.length}; command lines: ${commands}, output lines: ${outputs}; wrong: ${bad.length}`);
for (const b of bad) console.log('wrong: ' + b);
process.exit(bad.length ? 1 : 0);
