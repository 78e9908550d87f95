-- latex.lua: a chunk in LaTeX: its head (name, previous/next part, the
-- breadcrumb of the chunks it is used in), its highlighted code with links
-- on chunk uses and identifiers, and its footer with page numbers.
local format = require("chunks.format")
local book = require("chunks.book")
local footer = require("chunks.footer")
local highlight = require("chunks.highlight")

local anchor, latex_escape, name_latex = format.anchor, format.latex_escape, format.name_latex

local M = {}

-- Every chunk reference in print carries the page where the chunk is
-- defined (the introduction promises it): "12 (p. 34)", the number a
-- link, the page a \pageref* that never breaks from it.
local function pageref(label)
  return string.format("\\pageref*{%s}", anchor(label))
end
function M.link(ref)
  return string.format("\\hyperlink{%s}{%s}~(p.\\,%s)", anchor(ref.label), ref.num, pageref(ref.label))
end
-- a list of references, in the order of the book, each once
function M.list(rs)
  local sorted, seen = {}, {}
  for _, r in ipairs(rs) do
    if not seen[r.label] then seen[r.label] = true; table.insert(sorted, r) end
  end
  table.sort(sorted, function(a, b) return tonumber(a.num) < tonumber(b.num) end)
  local t = {}
  for _, r in ipairs(sorted) do table.insert(t, M.link(r)) end
  return table.concat(t, ", ")
end

-- Identifiers inside highlighted LaTeX become links too, as in HTML (see
-- html.lua): on code line i, the k-th whole word w if links[i][w.."#"..k]
-- names a chunk.  The code is a run of \XxxTok{...} tokens whose text
-- escapes _ { } as \_ \{ \}; the words of comments, strings and
-- preprocessor lines are counted but never linked.
local latex_skip = { CommentTok = 1, StringTok = 1, CharTok = 1, PreprocessorTok = 1,
  ImportTok = 1, DocumentationTok = 1, CommentVarTok = 1, VerbatimStringTok = 1,
  SpecialStringTok = 1, SpecialCharTok = 1, AnnotationTok = 1, InformationTok = 1 }

local function link_words_latex(body, want, count, skipped)
  local out, word, i = {}, {}, 1
  local function flush()
    if #word == 0 then return end
    local w = table.concat(word)
    local raw = w:gsub("\\_", "_")
    if raw:match("^[%a_]") then
      count[raw] = (count[raw] or 0) + 1
      local label = want[raw .. "#" .. count[raw]]
      if label and not skipped then
        -- the link keeps the token's colour
        w = "{\\hypersetup{linkcolor=.}\\hyperlink{" .. anchor(label) .. "}{" .. w .. "}}"
      end
    end
    table.insert(out, w)
    word = {}
  end
  while i <= #body do
    local ch = body:sub(i, i)
    if ch == "\\" and body:sub(i + 1, i + 1) == "_" then
      table.insert(word, "\\_"); i = i + 2
    elseif ch == "\\" then
      flush()
      local cmd = body:match("^\\%a+", i) or body:sub(i, i + 1)
      table.insert(out, cmd); i = i + #cmd
    elseif ch:match("[%w]") then
      table.insert(word, ch); i = i + 1
    else
      flush(); table.insert(out, ch); i = i + 1
    end
  end
  flush()
  return table.concat(out)
end

local function link_line_latex(code, want)
  local out, pos, count = {}, 1, {}
  while true do
    local s, e, tok = code:find("\\(%a+Tok){", pos)
    if not s then break end
    local i, depth = e + 1, 1             -- find the token's closing brace
    while i <= #code do
      local ch = code:sub(i, i)
      if ch == "\\" then i = i + 2
      elseif ch == "{" then depth = depth + 1; i = i + 1
      elseif ch == "}" then
        depth = depth - 1
        if depth == 0 then break end
        i = i + 1
      else i = i + 1 end
    end
    local body = code:sub(e + 1, i - 1)
    table.insert(out, code:sub(pos, e))
    table.insert(out, link_words_latex(body, want, count, latex_skip[tok]))
    table.insert(out, "}")
    pos = i + 1
  end
  table.insert(out, code:sub(pos))
  return table.concat(out)
end

-- code line i is the i-th line after \begin{Highlighting}
local function link_idents_latex(code, links)
  if next(links) == nil then return code end
  local out, i = {}, nil
  for line in (code .. "\n"):gmatch("(.-)\n") do
    if i and links[i] and not line:match("^\\end{Highlighting}") then line = link_line_latex(line, links[i]) end
    if line:match("^\\begin{Highlighting}") then i = 1 elseif i then i = i + 1 end
    table.insert(out, line)
  end
  return table.concat(out, "\n")
end

local function part_latex(p)
  if type(p) == "string" then return p end
  if p.refs then return M.list(p.refs) end
  if p.code then return "\\texttt{" .. latex_escape(p.code) .. "}" end
  if p.tie then return "~" end
end

local function footer_latex(c)
  local sentences = footer.write(c, part_latex)
  if #sentences == 0 then return "" end
  return "\\NWfoot{" .. table.concat(sentences, "\\\\\n") .. "}\n"
end

function M.chunk(c)
  local code = link_idents_latex(highlight.code(c.lines, c.lang, "latex"), c.links)
  for i, l in ipairs(c.lines) do
    if l.use then
      local a = string.format("\\hyperlink{%s}{\\NWuse{%s}{%s}{%s}}", anchor(l.label), name_latex(l.name, true), l.num,
        pageref(l.label))
      code = code:gsub(highlight.placeholder(i), function() return a end)
    end
  end
  local nav = {}
  if c.prev then table.insert(nav, "$\\triangleleft$\\," .. M.link(c.prev)) end
  if c.next then table.insert(nav, M.link(c.next) .. "\\,$\\triangleright$") end
  local head = string.format("\\hypertarget{%s}{}\\label{%s}\\NWhead{%s}{%s}{%s}{%s}", anchor(c.label), anchor(c.label), name_latex(c.name),
    c.num, c.kind == "first" and "$\\equiv$" or "$+\\equiv$", table.concat(nav, " "))
  if #c.crumbs > 0 then
    local t = {}
    for _, r in ipairs(c.crumbs) do
      table.insert(t, string.format("\\hyperlink{%s}{%s}", anchor(r.label), name_latex(r.name)))
    end
    table.insert(t, name_latex(c.name))
    head = head .. "\n\\NWcrumbs{" .. table.concat(t, "\\NWsep ") .. "}"
  end
  local out = "\\begin{NWchunk}\n" .. head .. "\n" .. code .. "\n" .. footer_latex(c)
  return pandoc.RawBlock("latex", out .. "\\end{NWchunk}")
end

return M
