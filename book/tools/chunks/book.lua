-- book.lua: every chunk of the book, seen whole.
--
-- Which identifier is a link, and to which chunk, is decided once, by
-- book/tools/idents.awk: a chunk arrives with its links line by line
-- (c.links), the identifiers it defines with the chunks that use them
-- (c.defs) and those it uses with the one chunk defining each (c.uses).
local M = {}

M.by_label = {}     -- label -> chunk
M.by_name = {}      -- name -> { chunk, ... } in order

function M.add(c)
  M.by_label[c.label] = c
  M.by_name[c.name] = M.by_name[c.name] or {}
  table.insert(M.by_name[c.name], c)
end

-- What a reference to chunk `label` says when the reader asks (an HTML
-- title): its number, name and section.
function M.describe(label)
  local c = M.by_label[label]
  if not c then return "" end
  local name = c.name:gsub("%[%[(.-)%]%]", "%1")
  return "chunk " .. c.num .. " \u{27E8}" .. name .. "\u{27E9}" .. (c.section ~= "" and (", in " .. c.section) or "")
end

-- The links of several chunks shown as one block of code (a peek): line i
-- of the block is line i - offset of its part.
function M.joined_links(parts)
  local links, offset = {}, 0
  for _, p in ipairs(parts) do
    for i, l in pairs(p.links) do links[offset + i] = l end
    offset = offset + #p.lines
  end
  return links
end

return M
