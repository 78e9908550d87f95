-- chunk.lua: reads the raw "chunk" blocks that book/tools/weave.awk writes
-- (their line format is described there) into tables.
local M = {}

function M.split_tabs(s)
  local t = {}
  for f in (s .. "\t"):gmatch("([^\t]*)\t") do table.insert(t, f) end
  return t
end

-- "L N L N ..." -> { {label=L, num=N}, ... }, each label once
function M.refs(s)
  local t, seen = {}, {}
  for l, n in s:gmatch("(%S+) (%d+)") do
    if not seen[l] then seen[l] = true; table.insert(t, { label = l, num = n }) end
  end
  return t
end

function M.parse(text)
  local c = { cont = {}, usedin = {}, defs = {}, uses = {}, lines = {}, crumbs = {}, links = {} }
  local in_code = false
  for line in (text .. "\n"):gmatch("(.-)\n") do
    if in_code then
      local kind, rest = line:sub(1, 1), line:sub(3)
      if kind == "U" then
        local f = M.split_tabs(rest)
        table.insert(c.lines, { use = true, indent = f[1], label = f[2], num = f[3], name = f[4] })
      elseif kind == "T" then
        table.insert(c.lines, { text = rest })
      end
    else
      local key, val = line:match("^(%S+) ?(.*)$")
      if key == "code" then in_code = true
      elseif key == "label" or key == "num" or key == "name" or key == "kind"
          or key == "lang" or key == "file" or key == "top" then c[key] = val
      elseif key == "root" then c.root = true
      elseif key == "prev" or key == "next" then c[key] = M.refs(val)[1]
      elseif key == "cont" or key == "usedin" then table.insert(c[key], M.refs(val)[1])
      elseif key == "crumb" then
        local l, n, name = val:match("^(%S+) (%d+) (.*)$")
        table.insert(c.crumbs, { label = l, num = n, name = name })
      elseif key == "def" then
        local ident, rest = val:match("^(%S+) ?(.*)$")
        table.insert(c.defs, { ident = ident, users = M.refs(rest) })
      elseif key == "link" then
        -- link I IDENT K L: the K-th word IDENT on code line I links to L
        local i, ident, k, l = val:match("^(%d+) (%S+) (%d+) (%S+)$")
        i = tonumber(i)
        c.links[i] = c.links[i] or {}
        c.links[i][ident .. "#" .. k] = l
      elseif key == "use" then
        local ident, rest = val:match("^(%S+) ?(.*)$")
        table.insert(c.uses, { ident = ident, defs = M.refs(rest) })
      end
    end
  end
  return c
end

return M
