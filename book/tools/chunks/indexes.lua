-- indexes.lua: the chunk index and the identifier index at the end of the
-- book, from the raw blocks "chunkindex" and "identindex" that weave.awk
-- writes (HTML: with a filter box that book.js brings to life).
local format = require("chunks.format")
local chunk = require("chunks.chunk")
local html = require("chunks.html")
local book = require("chunks.book")
local latex = require("chunks.latex")

local html_escape, latex_escape = format.html_escape, format.latex_escape
local split_tabs, refs = chunk.split_tabs, chunk.refs

local M = {}

local function filter_box(id, what)
  return string.format('<div class="filter" hidden><input type="search" id="%s" placeholder="Filter %s by words (press /)" aria-label="Filter %s" autocomplete="off"><span class="filter-count" aria-live="polite"></span></div>\n',
    id, what, what)
end

-- One entry of an index: its title, where it is defined, where it is used.
local function index_entry(key, title_html, title_latex, defs_html, defs, uses)
  if format.html then
    local u = #uses > 0 and (", used in " .. html.list(uses)) or ""
    return string.format('<li data-filter="%s">%s %s%s</li>', html_escape(key:lower()), title_html, defs_html, u)
  end
  -- in print: each chunk with its page, in the order of the book
  local u = #uses > 0 and (", used in " .. latex.list(uses)) or ""
  return "\\item " .. title_latex .. "~" .. latex.list(defs) .. u
end

local function index_block(items, box, what, class)
  if format.html then
    return pandoc.RawBlock("html", filter_box(box, what)
      .. '<ul class="index ' .. class .. '" data-filter-by="' .. box .. '">\n' .. table.concat(items, "\n") .. "\n</ul>")
  end
  return pandoc.RawBlock("latex", "\\begin{NWindex}\n" .. table.concat(items, "\n") .. "\n\\end{NWindex}")
end

function M.chunks(text)
  local items = {}
  for line in text:gmatch("[^\n]+") do
    local f = split_tabs(line)
    local defs, uses = refs(f[3] or ""), refs(f[4] or "")
    table.insert(items, index_entry(f[2]:gsub("%[%[(.-)%]%]", "%1"),
      string.format('<a href="#%s">⟨%s⟩</a>', f[1], format.name_html(f[2])),
      "$\\langle$" .. format.name_latex(f[2]) .. "$\\rangle$",
      html.list(defs), defs, uses))
  end
  return index_block(items, "filter-chunks", "chunks", "chunk-index")
end

function M.identifiers(text)
  local items = {}
  for line in text:gmatch("[^\n]+") do
    local f = split_tabs(line)
    local defs, uses = refs(f[2] or ""), refs(f[3] or "")
    local kept = uses
    local d = {}
    for _, r in ipairs(defs) do
      table.insert(d, '<a class="defn" href="#' .. r.label .. '" title="' .. html_escape(book.describe(r.label)) .. '">' .. r.num .. "</a>")
    end
    table.insert(items, index_entry(f[1],
      "<code>" .. html_escape(f[1]) .. "</code>: defined in",
      "\\texttt{" .. latex_escape(f[1]) .. "}: defined in",
      table.concat(d, ", "), defs, kept))
  end
  return index_block(items, "filter-idents", "identifiers", "ident-index")
end

return M
