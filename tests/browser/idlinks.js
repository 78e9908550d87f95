#!/usr/bin/env node
// idlinks.js ROOT HTML...: check every identifier link of the HTML book
// against what the C actually declares, as clang sees it.
//
// The oracle is independent of the weave: the chapters' chunks are found
// with the front end (book/tools/markup.awk, which only numbers chunks and
// lines), every C file the build tangled (book/build/src, whose #line
// directives point into the chapters) is parsed by clang, and each link is
// judged by where clang says its name is declared and what it refers to:
//   - in code, a link on identifier X at a line of chunk C to chunk L is
//     right if, at that line, X refers (clang's DeclRefExpr) to a
//     file-scope declaration whose definition lies in chunk L (for a name
//     with external linkage, the definition in the library counts), or X
//     is a file-scope type, tag or macro of that translation unit defined
//     in L and nothing at that line makes X a local, a member or a field;
//     a link in a comment, string or character constant, or in a chunk that
//     is not C, is wrong;
//   - "Defines X" under a chunk, and "X: defined in L" in the index, are
//     right if clang sees a file-scope definition of X in that chunk
//     (a function with a body, an object that is not extern, a typedef, a
//     tag, an enumeration constant, a #define);
//   - "Uses X L" under chunk C is right if C's code has a right link X -> L;
//     "used in U" (footer or index) if U's code has a right link to X there.
// Prints, for each HTML file, a summary and the wrong links; exits 1 if
// any file has one.  (Several files share one run of clang.)
'use strict';
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');

const [root, ...htmlFiles] = process.argv.slice(2);
if (!root || !htmlFiles.length) { console.error('usage: idlinks.js ROOT HTML...'); process.exit(2); }
const src = path.join(root, 'book/build/src');

// ---------------------------------------------------------------- chunks
const chapters = fs.readdirSync(path.join(root, 'chapters'))
  .filter(f => /^\d\d-.*\.md$/.test(f)).sort().map(f => 'chapters/' + f);
const stream = execFileSync('awk', ['-f', 'book/tools/markup.awk', ...chapters],
  { cwd: root, encoding: 'utf8', maxBuffer: 1 << 28 });
const chunkAt = [];          // num -> { file, line (of <<name>>=), n (code lines), lang }
{
  let file = '', line = 0, cur = null, head = false;
  for (const l of stream.split('\n')) {
    if (l.startsWith('@file ')) { file = l.slice(6); line = 1; continue; }
    if (l.startsWith('@begin code')) { cur = { file, line, n: 0 }; chunkAt.push(cur); head = true; continue; }
    if (l.startsWith('@end code')) { cur = null; continue; }
    if (l === '@nl') {
      if (cur) { if (head) head = false; else cur.n++; }
      line++;
    }
  }
}
const key = (file, line) => file + ':' + line;

// ------------------------------------------------------------ clang's view
const lineStarts = new Map();    // actual file -> [offset of each line]
const presumed = new Map();      // actual file -> [presumed {file,line,delta} per actual line]
const chapterLines = new Map();  // chapter -> its lines
function chapterLine(file, line) {
  if (!chapterLines.has(file)) chapterLines.set(file, fs.readFileSync(path.join(root, file), 'utf8').split('\n'));
  return chapterLines.get(file)[line - 1] || '';
}
function loadFile(f) {
  if (presumed.has(f)) return;
  const text = fs.readFileSync(path.resolve(src, f), 'utf8');
  const lines = text.split('\n');
  const starts = [], pres = [];
  let off = 0, pf = f, pl = 1;
  for (const l of lines) {
    starts.push(off); off += Buffer.byteLength(l, 'utf8') + 1;
    const m = l.match(/^#line (\d+) "([^"]*)"/);
    if (m) { pres.push(null); pf = m[2]; pl = Number(m[1]); continue; }
    // a chunk's line is indented where it is used: delta is that indent
    const delta = pf.startsWith('chapters/') ? Buffer.byteLength(l) - Buffer.byteLength(chapterLine(pf, pl)) : 0;
    pres.push({ file: pf, line: pl, delta }); pl++;
  }
  lineStarts.set(f, starts); presumed.set(f, pres);
}
function toChapter(file, offset, col) {
  if (!file || file.startsWith('/') || file.startsWith('<')) return null;
  loadFile(file);
  const starts = lineStarts.get(file);
  let lo = 0, hi = starts.length - 1;
  while (lo < hi) { const mid = (lo + hi + 1) >> 1; if (starts[mid] <= offset) lo = mid; else hi = mid - 1; }
  const p = presumed.get(file)[lo];
  return p && p.file.startsWith('chapters/') ? { file: p.file, line: p.line, col: col - p.delta } : null;
}

const defs = new Set();          // "chapter:line:X": a file-scope definition of X there
const fileTUs = new Map();       // project file -> Set of TUs that include it
const tus = [];
const libDefs = new Map();       // X -> [chapter:line] definitions with external linkage in lib/*.c
function findC(dir, out) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) findC(p, out); else if (/\.c$/.test(e.name)) out.push(path.relative(src, p));
  }
  return out;
}
for (const tuFile of findC(src, []).sort()) {
  const json = execFileSync('clang', ['-std=c11', '-I.', '-fsyntax-only', '-Xclang', '-ast-dump=json', tuFile],
    { cwd: src, encoding: 'utf8', maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'pipe'] });
  const ast = JSON.parse(json);
  const tu = { file: tuFile, top: new Map(), tdefs: new Map(), refs: new Map(), locals: new Set(), files: new Set(), decls: new Set() };
  let lastFile = null;
  // a bare location: clang writes "file" only when it changes
  function bare(loc) {
    if (!loc || loc.offset === undefined) return null;
    if (loc.file) lastFile = loc.file;
    const p = toChapter(lastFile, loc.offset, loc.col);
    if (p) tu.files.add(lastFile.replace(/^\.\//, ''));
    return p;
  }
  function where(loc) {
    if (!loc) return null;
    if (loc.spellingLoc) { const s = bare(loc.spellingLoc); bare(loc.expansionLoc); return s; }
    return bare(loc);
  }
  const addDef = (name, p, into) => {
    if (!p || !name) return;
    const k = key(p.file, p.line);
    defs.add(k + ':' + name);
    (into.get(name) || into.set(name, []).get(name)).push(k);
  };
  // walk in the order clang wrote the keys, so "file" is tracked right
  function walk(node, depth, inFunction) {
    if (Array.isArray(node)) { for (const n of node) walk(n, depth, inFunction); return; }
    if (!node || typeof node !== 'object') return;
    let here = null;
    for (const [k, v] of Object.entries(node)) {
      if (k === 'loc') here = where(v);
      else if (k === 'range') { where(v.begin); where(v.end); }
      else if (k === 'inner') {
        const fn = inFunction || (node.kind === 'FunctionDecl');
        for (const n of v) walk(n, depth + 1, fn);
      } else if (v && typeof v === 'object' && k !== 'referencedDecl' && k !== 'type') walk(v, depth, inFunction);
    }
    const kind = node.kind, name = node.name;
    if (depth === 1 && name) {
      const t = tu.top.get(name) || tu.top.set(name, { ids: new Set(), defs: [], external: false }).get(name);
      t.ids.add(node.id);
      if (here) tu.decls.add(key(here.file, here.line) + ':' + here.col + ':' + name);
      const isDef = (kind === 'FunctionDecl' && (node.inner || []).some(n => n.kind === 'CompoundStmt'))
        || (kind === 'VarDecl' && node.storageClass !== 'extern')
        || kind === 'TypedefDecl' || (kind === 'RecordDecl' && node.completeDefinition)
        || (kind === 'EnumDecl' && node.inner);
      if ((kind === 'FunctionDecl' || kind === 'VarDecl') && node.storageClass !== 'static') t.external = true;
      if (isDef && here) {
        addDef(name, here, tu.tdefs);
        if (kind === 'RecordDecl' || kind === 'EnumDecl' || kind === 'TypedefDecl') t.type = true;
        if (t.external && /^lib\/.*\.c$/.test(tu.file) && (kind === 'FunctionDecl' || kind === 'VarDecl'))
          (libDefs.get(name) || libDefs.set(name, []).get(name)).push(key(here.file, here.line));
      }
    }
    if (kind === 'EnumConstantDecl' && here && !inFunction) {
      addDef(name, here, tu.tdefs);
      const t = tu.top.get(name) || tu.top.set(name, { ids: new Set(), defs: [], external: false }).get(name);
      t.ids.add(node.id); t.enumConst = true;
    }
    if (here && ((kind === 'VarDecl' || kind === 'ParmVarDecl') && depth > 1 || kind === 'FieldDecl'))
      tu.locals.add(key(here.file, here.line) + ':' + here.col + ':' + name);
  }
  // DeclRefExpr and MemberExpr carry no "loc", only a range: take its begin
  function refs(node) {
    if (Array.isArray(node)) { for (const n of node) refs(n); return; }
    if (!node || typeof node !== 'object') return;
    for (const [k, v] of Object.entries(node)) {
      if (k === 'loc') where(v);
      else if (k === 'range') {
        const b = where(v.begin), e = where(v.end);
        if (b && node.kind === 'DeclRefExpr' && node.referencedDecl) {
          const k2 = key(b.file, b.line) + ':' + b.col + ':' + node.referencedDecl.name;
          (tu.refs.get(k2) || tu.refs.set(k2, []).get(k2)).push(node.referencedDecl.id);
        }
        // a member's name is where the member expression ends
        if (e && node.kind === 'MemberExpr') tu.locals.add(key(e.file, e.line) + ':' + e.col + ':' + node.name);
      } else if (v && typeof v === 'object' && k !== 'referencedDecl' && k !== 'type') refs(v);
    }
  }
  lastFile = null; walk(ast, 0, false);
  lastFile = null; refs(ast);
  // macros: every #define in the files this TU reads
  for (const f of tu.files) {
    loadFile(f);
    const text = fs.readFileSync(path.resolve(src, f), 'utf8').split('\n');
    const pres = presumed.get(f);
    text.forEach((l, i) => {
      const m = l.match(/^\s*#\s*define\s+([A-Za-z_]\w*)/);
      if (m && pres[i] && pres[i].file.startsWith('chapters/')) {
        addDef(m[1], pres[i], tu.tdefs);
        const t = tu.top.get(m[1]) || tu.top.set(m[1], { ids: new Set(), defs: [], external: false }).get(m[1]);
        t.type = true;
      }
    });
    (fileTUs.get(f) || fileTUs.set(f, new Set()).get(f)).add(tu);
  }
  tus.push(tu);
}
// chapter line -> the TUs whose files hold it
const lineTUs = new Map();
for (const tu of tus) for (const f of tu.files) {
  for (const p of presumed.get(f)) if (p) {
    const k = key(p.file, p.line);
    (lineTUs.get(k) || lineTUs.set(k, new Set()).get(k)).add(tu);
  }
}

function check(htmlFile) {
  // ------------------------------------------------------------------ HTML
  const html = fs.readFileSync(htmlFile, 'utf8');
  const numOf = new Map();                 // label -> num
  for (const m of html.matchAll(/<div class="chunk" id="([^"]+)"> <div class="chunk-head"> <a class="chunk-name" href="#[^"]+">.*?<span class="chunk-num">(\d+)<\/span>/g))
    numOf.set(m[1], Number(m[2]));
  const inChunk = (label, k) => {     // is chapter line k (file:line) inside chunk label?
    const c = chunkAt[numOf.get(label) - 1];
    if (!c) return false;
    const [f, l] = [k.slice(0, k.lastIndexOf(':')), Number(k.slice(k.lastIndexOf(':') + 1))];
    return f === c.file && l > c.line && l <= c.line + c.n;
  };
  const defsIn = (label, x) => {
    const c = chunkAt[numOf.get(label) - 1];
    for (let l = c.line + 1; l <= c.line + c.n; l++) if (defs.has(key(c.file, l) + ':' + x)) return true;
    return false;
  };
  const decode = t => t.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'").replace(/&#(\d+);/g, (_, d) => String.fromCodePoint(Number(d))).replace(/&amp;/g, '&');
  const SKIP = new Set(['co', 'cv', 'do', 'an', 'in', 'wa', 'al', 'st', 'ch', 'vs', 'ss', 'sc', 'pp', 'im']);
  // the lines of a highlighted code block: [{ links: [{x, label, skipped}] }]
  function codeLines(block) {
    return block.split('\n').map(line => {
      const links = [], stack = [];
      // the column, in bytes, of the next text in the line (a line may
      // begin with text: html.lua wraps lines in no element)
      let col = 1 + Buffer.byteLength(decode(line.match(/^[^<]*/)[0]));
      for (const m of line.matchAll(/<(\/?)([a-z]+)([^>]*)>([^<]*)/g)) {
        if (m[1]) { stack.pop(); }
        else {
          const cls = (m[3].match(/class="([^"]*)"/) || [])[1] || '';
          stack.push(cls);
          if (m[2] === 'a' && cls === 'id') {
            links.push({ x: m[4], col, label: (m[3].match(/href="#([^"]*)"/) || [])[1],
              skipped: stack.some(c => SKIP.has(c)) });
          }
        }
        col += Buffer.byteLength(decode(m[4]));
      }
      return { links };
    });
  }
  let nLinks = 0;
  const wrong = [];
  const right = new Set();          // "chunklabel X target": a right link in code
  // judge one link of X at chapter line k (in a chunk of language lang) to label
  function judge(k0, col, x, label, lang, skipped) {
    const k = k0 + ':' + col;
    if (lang !== 'c') return 'in a chunk that is not C';
    if (skipped) return 'inside a comment, string or preprocessor line';
    if (!numOf.has(label)) return 'to no chunk';
    const ids = [];
    for (const tu of lineTUs.get(k0) || []) {
      const r = tu.refs.get(k + ':' + x);
      const t = tu.top.get(x);
      if (r) {
        for (const id of r) {
          if (!t || !t.ids.has(id)) { ids.push('local'); continue; }
          const ok = (tu.tdefs.get(x) || []).concat(t.external ? (libDefs.get(x) || []) : []);
          ids.push(ok.some(d => inChunk(label, d)) ? 'ok' : ok.length ? 'elsewhere' : 'outside');
        }
      } else if (t && tu.decls.has(k + ':' + x)) {
        // a declaration (a prototype, say) links to the definition
        const ok = (tu.tdefs.get(x) || []).concat(t.external ? (libDefs.get(x) || []) : []);
        ids.push(ok.some(d => inChunk(label, d)) ? 'ok' : ok.length ? 'elsewhere' : 'outside');
      } else if (tu.locals.has(k + ':' + x)) ids.push('local');
      else if (t && (t.type || t.enumConst)) {
        ids.push((tu.tdefs.get(x) || []).some(d => inChunk(label, d)) ? 'ok' : 'elsewhere');
      }
    }
    if (ids.includes('ok') && !ids.includes('local')) return null;
    if (ids.includes('local')) return 'the name is a local variable, parameter, member or field there';
    if (ids.includes('elsewhere')) return 'its definition is in another chunk';
    if (ids.includes('outside')) return 'it is not defined in the book (a function of the C library?)';
    return 'clang sees no declaration of it here (a library function, a keyword, a member?)';
  }
  const chunkRe = /<div class="chunk" id="([^"]+)">([\s\S]*?)(?=<div class="chunk" id=|<h[1-6] |<section |$)/g;
  const feet = [];
  for (const m of html.matchAll(chunkRe)) {
    const label = m[1], body = m[2];
    const c = chunkAt[numOf.get(label) - 1];
    const blocks = [...body.matchAll(/<pre class="sourceCode ?([a-z]*)"><code[^>]*>([\s\S]*?)<\/code><\/pre>/g)];
    // the first block is the chunk's own code; the others are peeks
    const peeks = [...body.matchAll(/<details class="peek">[\s\S]*?<\/details>/g)];
    const own = blocks[0];
    const check = (lines, lang, lineAt, chunkOf) => lines.forEach((l, i) => {
      for (const a of l.links) {
        nLinks++;
        const [kk, owner] = lineAt(i);
        const why = judge(kk, a.col, a.x, a.label, lang, a.skipped);
        if (why) wrong.push(`chunk ${numOf.get(label)}${chunkOf ? ' (peek of ' + chunkOf + ')' : ''} ${kk}: ${a.x} -> chunk ${numOf.get(a.label)}: ${why}`);
        else if (!chunkOf) right.add(owner + ' ' + a.x + ' ' + a.label);
      }
    });
    if (own) check(codeLines(own[2]), own[1], i => [key(c.file, c.line + 1 + i), label], null);
    for (const p of peeks) {
      const pb = p[0].match(/<pre class="sourceCode ?([a-z]*)"><code[^>]*>([\s\S]*?)<\/code><\/pre>/);
      const parts = [...p[0].match(/<p class="peek-foot">[\s\S]*$/)[0].matchAll(/href="#([^"]+)"/g)].map(x => x[1]);
      const at = [];
      for (const pl of parts) { const pc = chunkAt[numOf.get(pl) - 1]; for (let j = 1; j <= pc.n; j++) at.push([key(pc.file, pc.line + j), pl]); }
      if (pb) check(codeLines(pb[2]), pb[1], i => at[i] || ['?', '?'], parts.map(x => numOf.get(x)).join(','));
    }
    const foot = body.match(/<div class="chunk-foot">([\s\S]*?)<\/div>/);
    if (foot) feet.push([label, foot[1]]);
  }
  // footers
  let nFoot = 0;
  for (const [label, foot] of feet) {
    for (const p of foot.split('</p>')) {
      if (p.startsWith('<p>Defines ')) {
        for (const d of p.matchAll(/<code class="ident" id="[^"]*">([^<]*)<\/code>( \(used in (.*?)\))?/g)) {
          nFoot++;
          const x = d[1];
          if (!defsIn(label, x)) wrong.push(`footer of chunk ${numOf.get(label)}: "Defines ${x}", but clang sees no file-scope definition of it there`);
          for (const u of (d[3] || '').matchAll(/href="#([^"]+)"/g)) {
            nFoot++;
            if (!right.has(u[1] + ' ' + x + ' ' + label))
              wrong.push(`footer of chunk ${numOf.get(label)}: ${x} "used in" chunk ${numOf.get(u[1])}, which has no right link to it`);
          }
        }
      } else if (p.startsWith('<p>Uses ')) {
        for (const u of p.matchAll(/<code>([^<]*)<\/code> <a href="#([^"]+)">/g)) {
          nFoot++;
          if (!right.has(label + ' ' + u[1] + ' ' + u[2]))
            wrong.push(`footer of chunk ${numOf.get(label)}: "Uses ${u[1]} ${numOf.get(u[2])}", but its code has no right link ${u[1]} -> ${numOf.get(u[2])}`);
        }
      }
    }
  }
  // the identifier index
  let nIndex = 0;
  const idx = html.match(/<ul class="index ident-index"[^>]*>([\s\S]*?)<\/ul>/);
  if (idx) for (const li of idx[1].matchAll(/<li[^>]*><code>([^<]*)<\/code>: defined in (.*?)(, used in (.*))?<\/li>/g)) {
    const x = li[1].replace(/&amp;/g, '&');
    const ds = [...li[2].matchAll(/href="#([^"]+)"/g)].map(d => d[1]);
    for (const d of ds) {
      nIndex++;
      if (!defsIn(d, x)) wrong.push(`index: ${x} "defined in" chunk ${numOf.get(d)}, but clang sees no file-scope definition of it there`);
    }
    for (const u of (li[4] || '').matchAll(/href="#([^"]+)"/g)) {
      nIndex++;
      if (!ds.some(d => right.has(u[1] + ' ' + x + ' ' + d)))
        wrong.push(`index: ${x} "used in" chunk ${numOf.get(u[1])}, which has no right link to its definition`);
    }
  }
  const nWrongLinks = wrong.filter(w => w.startsWith('chunk ')).length;
  console.log(`== ${htmlFile}`);
  console.log(`identifier links in code: ${nLinks}, wrong: ${nWrongLinks}; footer entries: ${nFoot}, index entries: ${nIndex}; wrong in all: ${wrong.length}`);
  console.log(`translation units parsed by clang: ${tus.length}; file-scope definitions: ${defs.size}`);
  for (const w of wrong) console.log('wrong: ' + w);
  return wrong.length;
}
let bad = 0;
for (const h of htmlFiles) bad += check(h) ? 1 : 0;
process.exit(bad ? 1 : 0);
