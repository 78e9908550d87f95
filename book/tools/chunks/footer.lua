-- footer.lua: what the footer under a chunk says, in no output format yet;
-- html.lua and latex.lua write it.  A footer is a list of sentences, a
-- sentence a list of parts:
--   "words"                          the same in every format
--   { refs = {ref...}, pages = true } chunks, linked, separated by commas;
--                                    in print with their page numbers if
--                                    pages is set
--   { code = "x", id = "..." }       set as code; id makes it a link target
--   { tie = true }                   a space that never breaks a line

local M = {}

function M.plural(n, word) return n == 1 and word or (word .. "s") end

-- parts separated by ", " (each item a list of parts)
local function series(items)
  local t = {}
  for i, item in ipairs(items) do
    if i > 1 then table.insert(t, ", ") end
    for _, p in ipairs(item) do table.insert(t, p) end
  end
  return t
end

local function sentence(...)
  local t = {}
  for _, p in ipairs({ ... }) do
    if type(p) == "table" and p[1] then
      for _, q in ipairs(p) do table.insert(t, q) end
    else
      table.insert(t, p)
    end
  end
  return t
end

function M.of(c)
  local foot = {}
  if c.kind == "cont" and c.prev then
    table.insert(foot, sentence("Continues chunk ", { refs = { c.prev }, pages = true }, "."))
  end
  if #c.cont > 0 then
    table.insert(foot, sentence("Continued in " .. M.plural(#c.cont, "chunk") .. " ",
      { refs = c.cont, pages = true }, "."))
  end
  if #c.usedin > 0 then
    table.insert(foot, sentence("Used in " .. M.plural(#c.usedin, "chunk") .. " ",
      { refs = c.usedin, pages = true }, "."))
  elseif c.root then
    table.insert(foot, sentence("Root chunk: the file ", { code = "tangle/" .. c.name }, "."))
  end
  if #c.defs > 0 then
    local items = {}
    for _, d in ipairs(c.defs) do
      local users = {}
      for _, r in ipairs(d.users) do
        if r.label ~= c.label then table.insert(users, r) end
      end
      local item = { { code = d.ident, id = c.label .. "-def-" .. d.ident } }
      if #users > 0 then
        table.insert(item, " (used in ")
        table.insert(item, { refs = users })
        table.insert(item, ")")
      end
      table.insert(items, item)
    end
    table.insert(foot, sentence("Defines ", series(items), "."))
  end
  local items = {}
  for _, u in ipairs(c.uses) do
    local d = u.defs[1]
    if d and d.label ~= c.label then
      table.insert(items, { { code = u.ident }, { tie = true }, { refs = { d } } })
    end
  end
  if #items > 0 then table.insert(foot, sentence("Uses ", series(items), ".")) end
  return foot
end

-- The footer of chunk c as one string per sentence, each part written by
-- write(part).
function M.write(c, write)
  local sentences = {}
  for _, s in ipairs(M.of(c)) do
    local t = {}
    for _, p in ipairs(s) do table.insert(t, write(p)) end
    table.insert(sentences, table.concat(t))
  end
  return sentences
end

return M
