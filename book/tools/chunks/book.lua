-- book.lua: every chunk of the book, seen whole, and which definition an
-- identifier use in a chunk refers to.
local M = {}

M.by_label = {}     -- label -> chunk
M.by_name = {}      -- name -> { chunk, ... } in order
M.exported = {}     -- identifier -> true if a header (.h root) defines it

function M.add(c)
  M.by_label[c.label] = c
  M.by_name[c.name] = M.by_name[c.name] or {}
  table.insert(M.by_name[c.name], c)
end

-- What the headers declare is the library's interface: once every chunk
-- is added, note the identifiers they define and the names in their code
-- (not in their comments or strings).
function M.find_exported()
  for _, c in pairs(M.by_label) do
    if (c.top or ""):match("%.h$") then
      for _, d in ipairs(c.defs) do M.exported[d.ident] = true end
      local code, incomment = {}, false
      for _, l in ipairs(c.lines) do
        local t = (l.text or "")
        if incomment then
          local e = t:find("*/", 1, true)
          if e then t = t:sub(e + 2); incomment = false else t = "" end
        end
        t = t:gsub("/%*.-%*/", " "):gsub('"[^"]*"', " "):gsub("//.*$", "")
        local s = t:find("/*", 1, true)
        if s then t = t:sub(1, s - 1); incomment = true end
        table.insert(code, t)
      end
      for w in table.concat(code, "\n"):gmatch("[%a_][%w_]*") do M.exported[w] = true end
    end
  end
end

function M.top_of(label)
  local c = M.by_label[label]
  return c and c.top or ""
end

-- noweb's identifier cross-reference is global: a local `count` in one
-- program "uses" a static `count` in another.  A use resolves to a
-- definition in the same file, else, for a name a header declares, to the
-- library's definition (or the header's own).
function M.pick_def(c, defs, ident)
  for _, r in ipairs(defs) do
    if M.top_of(r.label) == c.top then return r end
  end
  if not M.exported[ident] then return nil end
  local header
  for _, r in ipairs(defs) do
    local t = M.top_of(r.label)
    if t:match("^lib/.*%.c$") then return r end
    if t:match("%.h$") then header = header or r end
  end
  return header
end

function M.plausible_users(ident, deftop, users)
  local t = {}
  for _, r in ipairs(users) do
    if M.top_of(r.label) == deftop or M.exported[ident] then table.insert(t, r) end
  end
  return t
end

-- identifier -> label of its definition, for the identifiers chunk c uses
-- (added to `into` if given)
function M.ident_targets(c, into)
  local t = into or {}
  for _, u in ipairs(c.uses) do
    if u.ident:match("^[%a_][%w_]*$") then
      local d = M.pick_def(c, u.defs, u.ident)
      if d and d.label ~= c.label then t[u.ident] = d.label end
    end
  end
  return t
end

return M
