-- highlight.lua: a chunk's code through pandoc's own highlighter.  Each
-- chunk use becomes a placeholder identifier that every highlighter leaves
-- whole; the writers then replace it with a link.
local M = {}

function M.placeholder(i) return "NWCHUNKUSE" .. i .. "X" end

function M.code(lines, lang, fmt)
  local text = {}
  for i, l in ipairs(lines) do
    table.insert(text, l.use and (l.indent .. M.placeholder(i)) or l.text)
  end
  local classes = ((lang or "") ~= "" and { lang } or {})
  local block = pandoc.CodeBlock(table.concat(text, "\n"), pandoc.Attr("", classes))
  return pandoc.write(pandoc.Pandoc({ block }), fmt)
end

return M
