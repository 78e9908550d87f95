-- html.lua: a chunk in HTML: its head (name, previous/next part, the
-- breadcrumb of the chunks it is used in), its highlighted code with links
-- on chunk uses and identifiers, below it each chunk it uses to open in
-- place (<details>, no script), and its footer.
local format = require("chunks.format")
local book = require("chunks.book")
local footer = require("chunks.footer")
local highlight = require("chunks.highlight")

local html_escape, name_html = format.html_escape, format.name_html

local M = {}

-- A link to a chunk by its number; its title names the chunk and section.
function M.link(ref, text)
  return string.format('<a href="#%s" title="%s">%s</a>', ref.label, html_escape(book.describe(ref.label)), text or ref.num)
end
function M.list(rs)
  local t = {}
  for _, r in ipairs(rs) do table.insert(t, M.link(r)) end
  return table.concat(t, ", ")
end

-- Identifiers inside highlighted HTML become links to their definitions,
-- those and only those that idents.awk chose: on code line i, the k-th
-- whole word w, counted in the text of the line (strings and comments too,
-- never inside an entity such as &lt;), if links[i][w .. "#" .. k] names a
-- chunk.  Never in comments, strings, characters or preprocessor lines.
local skip = { co = 1, cv = 1, ["do"] = 1, an = 1, ["in"] = 1, wa = 1, al = 1,
               st = 1, ch = 1, vs = 1, ss = 1, sc = 1, pp = 1, im = 1 }
local function link_idents(code, links)
  if next(links) == nil then return code end
  local out, i = {}, 0
  for line in (code .. "\n"):gmatch("(.-)\n") do
    i = i + 1
    local want, count = links[i], {}
    if want then
      local function words(seg, skipped)
        return (seg:gsub("%f[%w_][%a_][%w_]*", function(w)
          count[w] = (count[w] or 0) + 1
          local label = want[w .. "#" .. count[w]]
          if label and not skipped then return '<a class="id" href="#' .. label .. '">' .. w .. "</a>" end
        end))
      end
      local function text(seg, skipped)
        local t, pos = {}, 1
        while true do
          local s, e = seg:find("&#?%w+;", pos)
          if not s then break end
          table.insert(t, words(seg:sub(pos, s - 1), skipped))
          table.insert(t, seg:sub(s, e))
          pos = e + 1
        end
        table.insert(t, words(seg:sub(pos), skipped))
        return table.concat(t)
      end
      line = line:gsub("(<[^>]*>)([^<]+)", function(tag, t)
        local class = tag:match('^<span class="(%a%a)">$')
        return tag .. text(t, class and skip[class])
      end)
    end
    table.insert(out, line)
  end
  return table.concat(out, "\n")
end

-- A lighter DOM for a long book on a slow phone (tests/browser/perf.js):
-- what pandoc wraps in elements that draw nothing is left as plain text.
-- A line is no <span> of its own (book.js finds the lines by their
-- newlines), nor are operators and variables, whose colour is the code's
-- own in both themes (light.theme, dark.theme).  Half the book's elements.
-- keep_lines keeps each line a <span>, for the EPUB: its style sheet
-- indents a wrapped line under itself, which needs the line as a box.
local plain = { op = true, va = true }
local function lighten(code, keep_lines)
  local head, body, tail = code:match("^(.-<code[^>]*>)(.*)(</code></pre>.*)$")
  if not body then return code end
  if not keep_lines then
    local out = {}
    for line in (body .. "\n"):gmatch("(.-)\n") do
      local inner = line:match("^<span>(.*)</span>$")
      table.insert(out, inner or line)
    end
    body = table.concat(out, "\n")
  end
  body = body:gsub('<span class="(%a%a)">([^<]*)</span>', function(c, t)
    if plain[c] then return t end
  end)
  return head .. body .. tail
end

-- Highlighted code of some lines, with identifier and chunk-use links.
-- pandoc gives every line an id and an empty self-link: both go (the ids
-- would repeat in the peeks, and the links only add weight).  keep_lines:
-- see lighten.
local function code_html(lines, lang, links, keep_lines)
  local code = highlight.code(lines, lang, "html")
  code = code:gsub('<div class="sourceCode" id="cb1">', '<div class="sourceCode">')
  code = code:gsub('<span id="cb1%-%d+"><a href="#cb1%-%d+" aria%-hidden="true" tabindex="%-1"></a>', "<span>")
  code = link_idents(code, links)
  for i, l in ipairs(lines) do
    if l.use then
      local a = string.format('<a class="chunk-use" href="#%s">⟨%s⟩ <span class="chunk-num">%s</span></a>',
        l.label, name_html(l.name), l.num)
      -- the button that opens its peek below the chunk (shown with
      -- scripts only, book.css; its words are CSS, so the code's text
      -- stays the code)
      if book.by_name[l.name] then
        a = a .. string.format('<button type="button" class="peek-toggle" aria-expanded="false" aria-label="peek at chunk %s here"></button>', l.num)
      end
      code = code:gsub(highlight.placeholder(i), function() return a end)
    end
  end
  return lighten(code, keep_lines)
end

-- Below a chunk, each chunk it uses, to open in place.  The peek holds
-- only links to the chunk's parts: book.js copies their code in when it is
-- opened, so the page's text is not there twice for the browser's find.
local function peeks_html(c)
  local out, seen = {}, {}
  for _, l in ipairs(c.lines) do
    if l.use and not seen[l.name] and book.by_name[l.name] then
      seen[l.name] = true
      local parts = book.by_name[l.name]
      local nums = {}
      for _, p in ipairs(parts) do table.insert(nums, M.link(p)) end
      table.insert(out, string.format(
        '<details class="peek" data-peek="%s"><summary>⟨%s⟩ <span class="chunk-num">%s</span></summary><p class="peek-foot">Defined in %s %s.</p></details>',
        parts[1].label, name_html(l.name), l.num,
        footer.plural(#parts, "chunk"), table.concat(nums, ", ")))
    end
  end
  if #out == 0 then return "" end
  return '<div class="peeks">' .. table.concat(out, "\n") .. "</div>\n"
end

-- A link to a whole tangled file: to its root chunk, where the file
-- begins; book.js opens the file itself (to view or download), put
-- together from the chunks, so the HTML needs nothing beside it.
local function file_link(path, text)
  local root = book.by_name[path]
  local label = root and root[1].label or ""
  return string.format('<a class="chunk-file" href="#%s" data-file="%s" title="the whole file %s: view or download">%s</a>',
    label, html_escape(path), html_escape(path), text)
end

local function part_html(p)
  if type(p) == "string" then return p end
  if p.refs then return M.list(p.refs) end
  if p.code and p.id then
    return '<code class="ident" id="' .. html_escape(p.id) .. '">' .. html_escape(p.code) .. "</code>"
  end
  if p.code then return "<code>" .. html_escape(p.code) .. "</code>" end
  if p.tie then return " " end
end

local function footer_html(c)
  local sentences = footer.write(c, part_html)
  if #sentences == 0 then return "" end
  return '<div class="chunk-foot"><p>' .. table.concat(sentences, "</p><p>") .. "</p></div>\n"
end

function M.chunk(c)
  local code = code_html(c.lines, c.lang, c.links)
  local head = { string.format('<div class="chunk" id="%s">', c.label),
    '<div class="chunk-head">',
    string.format('<a class="chunk-name" href="#%s">⟨%s⟩ <span class="chunk-num">%s</span></a>',
      c.label, name_html(c.name), c.num),
    string.format('<span class="chunk-op">%s</span>', c.kind == "first" and "≡" or "+≡") }
  if c.prev then table.insert(head, '<a class="chunk-prev" title="previous part of this chunk" href="#' .. c.prev.label .. '">◁ ' .. c.prev.num .. '</a>') end
  if c.next then table.insert(head, '<a class="chunk-next" title="next part of this chunk" href="#' .. c.next.label .. '">' .. c.next.num .. ' ▷</a>') end
  if c.root then
    table.insert(head, file_link(c.name, "tangle/" .. html_escape(c.name)))
  end
  -- shown with scripts only (book.css); book.js handles every click
  table.insert(head, string.format('<button type="button" class="copy" aria-label="Copy the code of chunk %s">Copy</button>', c.num))
  table.insert(head, "</div>")
  if #c.crumbs > 0 then
    local t = {}
    for i, r in ipairs(c.crumbs) do
      table.insert(t, string.format('<a href="#%s">%s</a>', r.label, i == 1 and html_escape(r.name) or name_html(r.name)))
    end
    table.insert(t, '<span aria-current="location">' .. name_html(c.name) .. "</span>")
    table.insert(head, string.format('<div class="crumbs"><span class="crumb-path">%s</span> %s</div>',
      table.concat(t, ' <span class="crumb-sep">›</span> '), file_link(c.top or "", "whole file")))
  end
  local out = table.concat(head, " ") .. "\n" .. code .. "\n" .. peeks_html(c) .. footer_html(c)
  return pandoc.RawBlock("html", out .. "</div>")
end

-- (chunks/epub.lua writes a chunk's code as this does)
M.code_html = code_html

return M
