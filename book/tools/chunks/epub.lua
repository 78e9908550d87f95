-- epub.lua: the book as an EPUB 3 (pandoc's epub3 writer).  Every other
-- part writes an EPUB as it writes HTML (format.lua); this one makes what
-- differs, for a reader that runs no script and turns pages:
--
-- * pandoc splits the book into files (one per section: book/tools/render
--   says why), and points a link "#id" at the file that holds the id,
--   "ch005.xhtml#id": but only the
--   links and ids it can see, pandoc's own elements, never those inside
--   raw HTML.  So a chunk here is built of pandoc's elements (a Div with
--   the chunk's label as its id, Links), and every raw HTML block that
--   the other parts write (highlighted code, figures, the indexes, the
--   claims) has its <a href="#..."> made a Link, and each id an empty Span
--   where an id is a link's target, before pandoc sees it (M.inlines).
-- * No script: no peeks, no filter boxes, no chapter links; a reference
--   that the HTML names only in a tooltip (the parts of a chunk, "used
--   in") names its chunk.
-- * The whole tangled files, which the HTML puts together with its
--   script, are an appendix of their own, "Source files"; a chunk's
--   "whole file" link leads to its file there.
-- * Korean text is marked lang="ko" and class "ko", which epub.css sets
--   in the Hangul font that the EPUB embeds (book/tools/render makes it).
local format = require("chunks.format")
local book = require("chunks.book")
local footer = require("chunks.footer")
local html = require("chunks.html")

local html_escape, name_html = format.html_escape, format.name_html

local M = {}

local function raw(s) return pandoc.RawInline("html", s) end

local entities = { amp = "&", lt = "<", gt = ">", quot = '"', apos = "'" }
local function unescape(s)
  return (s:gsub("&(#?%w+);", function(e)
    if entities[e] then return entities[e] end
    local d = e:match("^#(%d+)$")
    if d then return utf8.char(tonumber(d)) end
    local x = e:match("^#[xX](%x+)$")
    if x then return utf8.char(tonumber(x, 16)) end
  end))
end

local function classes_of(attrs)
  local t = {}
  for c in (attrs:match(' class="([^"]*)"') or ""):gmatch("%S+") do table.insert(t, c) end
  return t
end

-- The id of the section of "Source files" that shows the file at path.
function M.file_id(path) return "file-" .. (path:gsub("[^%w_]", "-")) end

-- Elements inside which an empty span may not stand: an id on one of
-- them moves into its first child of the kind named.
local id_home = { tr = { td = true, th = true }, tbody = { td = true, th = true },
  table = { td = true, th = true }, ul = { li = true }, ol = { li = true } }

-- Raw HTML as inlines that pandoc sees into: each <a href="#..."> ...
-- </a> a Link (with its id on a Span around it), each other id an empty
-- Span with that id, where a span may stand; the rest stays raw.  Inside
-- an <svg>, nothing changes: its ids are the figure's own.
function M.inlines(s)
  local out, buf = {}, {}
  local function flush()
    if #buf > 0 then table.insert(out, raw(table.concat(buf))); buf = {} end
  end
  local function anchor(id)
    flush(); table.insert(out, pandoc.Span({}, pandoc.Attr(id)))
  end
  local pos, svg, moving = 1, 0, nil
  while true do
    local s1, e1, slash, tag, attrs = s:find("<(/?)([%a][%w:%-]*)([^>]*)>", pos)
    if not s1 then break end
    table.insert(buf, s:sub(pos, s1 - 1))
    pos = e1 + 1
    local whole = s:sub(s1, e1)
    tag = tag:lower()
    if tag == "svg" then svg = svg + (slash == "" and 1 or -1) end
    local id = slash == "" and attrs:match(' id="([^"]*)"')
    if svg > 0 or (tag == "svg" and slash == "") or slash ~= "" then
      table.insert(buf, whole)
    elseif tag == "a" and attrs:match(' href="#') then
      local close = assert(s:find("</a>", pos, true), "epub.lua: an <a> without its </a>")
      local inner = s:sub(pos, close - 1)
      pos = close + 4
      flush()
      local link = pandoc.Link({ raw(inner) }, unescape(attrs:match(' href="([^"]*)"')),
        unescape(attrs:match(' title="([^"]*)"') or ""), pandoc.Attr("", classes_of(attrs)))
      table.insert(out, id and pandoc.Span({ link }, pandoc.Attr(id)) or link)
    else
      if id then whole = whole:gsub(' id="[^"]*"', "", 1) end
      table.insert(buf, whole)
      if moving and moving.into[tag] then anchor(moving.id); moving = nil end
      if id then
        if id_home[tag] then moving = { id = id, into = id_home[tag] } else anchor(id) end
      end
    end
  end
  table.insert(buf, s:sub(pos))
  flush()
  assert(not moving, "epub.lua: nowhere to put the id " .. (moving and moving.id or ""))
  return out
end

-- A reference to a chunk: by its name and number where the HTML names it
-- only when the reader points at it (named), else by its number alone;
-- its title names it in full.
local function ref_link(r, named, class)
  local c = book.by_label[r.label]
  local text = html_escape(r.num)
  if named and c then
    text = "⟨" .. name_html(c.name) .. '⟩ <span class="chunk-num">' .. html_escape(r.num) .. "</span>"
  end
  return pandoc.Link({ raw(text) }, "#" .. r.label, book.describe(r.label),
    pandoc.Attr("", class and { class } or {}))
end

local function file_link(path, content, class)
  return pandoc.Link(content, "#" .. M.file_id(path), "the whole file " .. path,
    pandoc.Attr("", class and { class } or {}))
end

-- A footer's part (footer.lua) as inlines: the references that the PDF
-- gives with their pages, here with their names.
local function part(p)
  if type(p) == "string" then return { raw(html_escape(p)) } end
  if p.refs then
    local t = {}
    for i, r in ipairs(p.refs) do
      if i > 1 then table.insert(t, raw(", ")) end
      table.insert(t, ref_link(r, p.pages))
    end
    return t
  end
  if p.code and p.id then return { pandoc.Code(p.code, pandoc.Attr(p.id, { "ident" })) } end
  if p.code then
    local path = p.code:match("^tangle/(.*)$")
    if path and book.by_name[path] then return { file_link(path, { pandoc.Code(p.code) }) } end
    return { pandoc.Code(p.code) }
  end
  if p.tie then return { raw("\u{00A0}") } end
  return {}
end

local function div(class, blocks) return pandoc.Div(blocks, pandoc.Attr("", { class })) end

function M.chunk(c)
  local head = { raw(string.format('<span class="chunk-name">⟨%s⟩ <span class="chunk-num">%s</span></span> <span class="chunk-op">%s</span>',
    name_html(c.name), html_escape(c.num), c.kind == "first" and "≡" or "+≡")) }
  if c.prev then
    table.insert(head, raw(" "))
    table.insert(head, pandoc.Link({ raw("◁ " .. html_escape(c.prev.num)) }, "#" .. c.prev.label,
      "the previous part: " .. book.describe(c.prev.label), pandoc.Attr("", { "chunk-prev" })))
  end
  if c.next then
    table.insert(head, raw(" "))
    table.insert(head, pandoc.Link({ raw(html_escape(c.next.num) .. " ▷") }, "#" .. c.next.label,
      "the next part: " .. book.describe(c.next.label), pandoc.Attr("", { "chunk-next" })))
  end
  if c.root then
    table.insert(head, raw(" "))
    table.insert(head, file_link(c.name, { pandoc.Code("tangle/" .. c.name) }, "chunk-file"))
  end
  local blocks = { div("chunk-head", { pandoc.Plain(head) }) }
  if #c.crumbs > 0 then
    local t = {}
    for i, r in ipairs(c.crumbs) do
      table.insert(t, pandoc.Link({ raw(i == 1 and html_escape(r.name) or name_html(r.name)) }, "#" .. r.label,
        book.describe(r.label)))
      table.insert(t, raw(' <span class="crumb-sep">›</span> '))
    end
    table.insert(t, raw('<span class="crumb-here">' .. name_html(c.name) .. "</span> · "))
    table.insert(t, file_link(c.top or "", { raw("whole file") }, "chunk-file"))
    table.insert(blocks, div("crumbs", { pandoc.Plain(t) }))
  end
  table.insert(blocks, pandoc.Plain(M.inlines(html.code_html(c.lines, c.lang, c.links, true))))
  local foot = {}
  for _, s in ipairs(footer.of(c)) do
    local t = {}
    for _, p in ipairs(s) do
      for _, x in ipairs(part(p)) do table.insert(t, x) end
    end
    table.insert(foot, pandoc.Para(t))
  end
  if #foot > 0 then table.insert(blocks, div("chunk-foot", foot)) end
  return pandoc.Div(blocks, pandoc.Attr(c.label, { "chunk" }))
end

-- "Source files": every file of tangle/ whole, as the build writes it,
-- grouped by directory in the order the book first shows one; each
-- names the chunk it starts from.  (Raw blocks: M.book makes them
-- Plain, as it does every other raw block.)
local function source_files()
  local roots = {}
  for _, parts in pairs(book.by_name) do
    if parts[1].root then table.insert(roots, parts[1]) end
  end
  if #roots == 0 then return {} end
  table.sort(roots, function(a, b) return tonumber(a.num) < tonumber(b.num) end)
  local dirs, order = {}, {}
  for _, c in ipairs(roots) do
    local d = c.name:match("^(.*)/[^/]*$") or ""
    if not dirs[d] then dirs[d] = {}; table.insert(order, d) end
    table.insert(dirs[d], c)
  end
  local blocks = {
    pandoc.Header(1, { pandoc.Str("Source"), pandoc.Space(), pandoc.Str("files") },
      pandoc.Attr("source-files", { "unnumbered" })),
    pandoc.Para({ raw("Every file of the book’s <code>tangle/</code> directory, whole: each is put together from its chunks, as <code>make</code> writes it. Each chunk that is part of a file links here from its breadcrumb (“whole file”).") }),
  }
  for _, d in ipairs(order) do
    local title = d == "" and "The top directory" or (d .. "/")
    table.insert(blocks, pandoc.Header(2, { pandoc.Code(title) }, pandoc.Attr("files-" .. (d:gsub("[^%w_]", "-")), { "unnumbered" })))
    for _, c in ipairs(dirs[d]) do
      local path = "tangle/" .. c.name
      local f = io.open(path, "r")
      if not f then error("epub.lua: cannot open " .. path .. " (the file of root chunk <<" .. c.name .. ">>)") end
      local text = f:read("a"); f:close()
      local lines = {}
      for l in text:gmatch("([^\n]*)\n") do table.insert(lines, { text = l }) end
      table.insert(blocks, pandoc.Header(3, { pandoc.Code(path) }, pandoc.Attr(M.file_id(c.name), { "unnumbered" })))
      table.insert(blocks, pandoc.Para({ raw(string.format("%d lines, from ", #lines)),
        ref_link({ label = c.label, num = c.num }, true),
        raw(c.section ~= "" and (", in §" .. html_escape(c.section) .. ".") or ".") }))
      -- as plain text: the chunks above show it highlighted, and here it
      -- would triple the size of the book
      table.insert(blocks, pandoc.RawBlock("html", '<div class="sourceCode"><pre class="sourceCode source-file"><code>'
        .. html_escape(text) .. "</code></pre></div>"))
    end
  end
  return blocks
end

-- Korean: a run of words in Hangul, as a span marked lang="ko".
local function hangul(s)
  for _, cp in utf8.codes(s) do
    if (cp >= 0xAC00 and cp <= 0xD7A3) or (cp >= 0x1100 and cp <= 0x11FF)
        or (cp >= 0x3130 and cp <= 0x318F) then return true end
  end
  return false
end
local function korean(inlines)
  local out, i = pandoc.List(), 1
  while i <= #inlines do
    local x = inlines[i]
    if x.t == "Str" and hangul(x.text) then
      local run, j = { x }, i + 1
      while inlines[j] and inlines[j].t == "Space" and inlines[j + 1]
          and inlines[j + 1].t == "Str" and hangul(inlines[j + 1].text) do
        table.insert(run, inlines[j]); table.insert(run, inlines[j + 1]); j = j + 2
      end
      out:insert(pandoc.Span(run, pandoc.Attr("", { "ko" }, { lang = "ko" })))
      i = j
    else
      out:insert(x); i = i + 1
    end
  end
  return out
end

-- The whole book, once chunks.lua has rendered it.
function M.book(doc)
  local blocks = {}
  for _, b in ipairs(doc.blocks) do table.insert(blocks, b) end
  for _, b in ipairs(source_files()) do table.insert(blocks, b) end
  doc = pandoc.Pandoc(blocks, doc.meta)
  doc = doc:walk({
    RawBlock = function(b)
      if b.format ~= "html" then return nil end
      -- an index's filter box needs the script
      local t = b.text:gsub('<div class="filter" hidden>.-</div>\n?', "")
      return pandoc.Plain(M.inlines(t))
    end,
    RawInline = function(r)
      -- a claim mark (claims.lua); the chunks' own raw pieces hold neither
      if r.format == "html" and r.text:match("^<a ") then
        return M.inlines(r.text)
      end
    end,
  })
  return doc:walk({ Inlines = korean })
end

return M
