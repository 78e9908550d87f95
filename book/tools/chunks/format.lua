-- format.lua: the output format (HTML or LaTeX), and plain text and chunk
-- names written for it.
local M = {}

-- An EPUB is XHTML: every part writes it as it writes HTML, and
-- chunks/epub.lua makes the EPUB's own changes (chunks.lua says when).
M.epub = FORMAT:match("epub") ~= nil
M.html = FORMAT:match("html") ~= nil or M.epub
M.latex = FORMAT:match("latex") ~= nil

function M.html_escape(s)
  return (s:gsub("&", "&amp;"):gsub("<", "&lt;"):gsub(">", "&gt;"):gsub('"', "&quot;"))
end

local latex_specials = {
  ["\\"] = "\\textbackslash{}", ["{"] = "\\{", ["}"] = "\\}", ["$"] = "\\$",
  ["&"] = "\\&", ["#"] = "\\#", ["%"] = "\\%", ["_"] = "\\_",
  ["^"] = "\\textasciicircum{}", ["~"] = "\\textasciitilde{}",
}
function M.latex_escape(s)
  return (s:gsub("[\\{}$&#%%_^~]", latex_specials):gsub("%-", "-{}"))
end
-- Inside the Highlighting (fancyvrb) environment only \ { } are special.
function M.verb_escape(s)
  return (s:gsub("[\\{}]", latex_specials))
end
-- Hyperref anchors: noweb labels contain '-', which is active in
-- Highlighting; '.' is harmless everywhere.
function M.anchor(label) return (label:gsub("%-", ".")) end

-- A chunk name: [[code]] is shown as code, the rest as text.
function M.name_html(name)
  local out = M.html_escape(name)
  return (out:gsub("%[%[(.-)%]%]", "<code>%1</code>"))
end
function M.name_latex(name, in_verbatim)
  local parts, pos = {}, 1
  local esc = in_verbatim and M.verb_escape or M.latex_escape
  while true do
    local s, e, code = name:find("%[%[(.-)%]%]", pos)
    if not s then break end
    table.insert(parts, esc(name:sub(pos, s - 1)))
    table.insert(parts, "\\texttt{" .. esc(code) .. "}")
    pos = e + 1
  end
  table.insert(parts, esc(name:sub(pos)))
  return table.concat(parts)
end

return M
