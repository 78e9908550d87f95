-- chunks.lua: pandoc filter that renders the woven book (HTML and LaTeX).
--
-- book/tools/weave writes prose as it is, each code chunk as a raw block
-- of format "chunk", and the indexes and claims as raw blocks too.  This
-- filter walks the book twice: first to learn every chunk, claim and
-- chapter, then to render.  Its parts, in book/tools/chunks/, one job each:
--   format.lua     the output format; escaping text and chunk names
--   chunk.lua      reading a raw chunk block
--   book.lua       every chunk, seen whole; which definition a use means
--   footer.lua     what the footer under a chunk says ("used in", ...)
--   highlight.lua  a chunk's code through pandoc's highlighter
--   html.lua       a chunk in HTML;   latex.lua  a chunk in LaTeX
--   epub.lua       a chunk in an EPUB, and the EPUB's own changes to the book
--   indexes.lua    the chunk index and the identifier index
--   claims.lua     the claim marks and the claims appendix
--   nav.lua        previous/next chapter links (HTML)
--   figures.lua    Graphviz figures, included files, SVG images for LaTeX
--   transcript.lua shell sessions: commands highlighted, output plain
package.path = PANDOC_SCRIPT_FILE:gsub("[^/]*$", "") .. "?.lua;" .. package.path

local format = require("chunks.format")
local chunk = require("chunks.chunk")
local book = require("chunks.book")
local render = format.epub and require("chunks.epub")
  or format.html and require("chunks.html") or require("chunks.latex")
local indexes = require("chunks.indexes")
local claims = require("chunks.claims")
local nav = require("chunks.nav")
local figures = require("chunks.figures")
local transcript = require("chunks.transcript")

-- (the chapter links: HTML only; an e-reader turns the pages itself)
local html = format.html and not format.epub

local function is_numbered(h) return not h.classes:includes("unnumbered") end

local function Pandoc(doc)
  -- pass 1: every chunk, the claims, the chapters
  local chapters = {}
  local n1 = 0
  local s1, s2, section = 0, 0, ""
  for _, b in ipairs(doc.blocks) do
    if b.t == "Header" and b.level <= 2 then
      -- the section each chunk is in, numbered as pandoc numbers it
      local t = pandoc.utils.stringify(b.content)
      if not is_numbered(b) then section = t
      elseif b.level == 1 then s1 = s1 + 1; s2 = 0; section = s1 .. " " .. t
      else s2 = s2 + 1; section = s1 .. "." .. s2 .. " " .. t end
    end
    if b.t == "RawBlock" and b.format == "chunk" then
      local c = chunk.parse(b.text)
      c.section = section
      book.add(c)
    elseif b.t == "RawBlock" and b.format == "claims" then
      claims.read(b.text)
    elseif b.t == "Header" and b.level == 1 then
      local title = format.html_escape(pandoc.utils.stringify(b.content))
      if is_numbered(b) then n1 = n1 + 1; title = n1 .. " " .. title end
      table.insert(chapters, { id = b.identifier, title = title })
    end
  end
  -- pass 2: render, number sections as pandoc will, mark claims
  local out, sec, chap = {}, { 0, 0 }, 0
  local sid, secnum = "", ""
  local span_filter = {
    Span = function(el)
      if el.classes:includes("claim") then
        return claims.mark(pandoc.utils.stringify(el.content), sid, secnum,
          chapters[chap] and chapters[chap].title or "")
      end
    end
  }
  for _, b in ipairs(doc.blocks) do
    if b.t == "Header" and b.level <= 2 then
      if b.level == 1 then
        chap = chap + 1
        if html and chap > 1 then table.insert(out, nav.chapter(chapters, chap - 1, "bottom")) end
      end
      if is_numbered(b) then
        sec[b.level] = sec[b.level] + 1
        if b.level == 1 then sec[2] = 0 end
        secnum = b.level == 1 and tostring(sec[1]) or (sec[1] .. "." .. sec[2])
      end
      sid = b.identifier
      table.insert(out, b)
      if html and b.level == 1 then table.insert(out, nav.chapter(chapters, chap, "top")) end
    elseif b.t == "RawBlock" and b.format == "chunk" then
      table.insert(out, render.chunk(chunk.parse(b.text)))
    elseif b.t == "RawBlock" and b.format == "chunkindex" then
      table.insert(out, indexes.chunks(b.text))
    elseif b.t == "RawBlock" and b.format == "identindex" then
      table.insert(out, indexes.identifiers(b.text))
    elseif b.t == "RawBlock" and b.format == "claims" then
      table.insert(out, "CLAIMS")   -- filled in below, once every mark is seen
    else
      table.insert(out, pandoc.walk_block(b, span_filter))
    end
  end
  if html and chap > 0 then table.insert(out, nav.chapter(chapters, chap, "bottom")) end
  for i, b in ipairs(out) do
    if b == "CLAIMS" then out[i] = claims.appendix() end
  end
  if format.epub then return render.book(pandoc.Pandoc(out, doc.meta)) end
  return pandoc.Pandoc(out, doc.meta)
end

-- Includes and figures first (an included file may hold anything), then
-- shell transcripts, then the book as a whole, then images for LaTeX.
return {
  { CodeBlock = figures.CodeBlock },
  { CodeBlock = transcript.CodeBlock },
  { Pandoc = Pandoc },
  { Image = figures.Image },
}
