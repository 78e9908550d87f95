-- claims.lua: the claim marks [ID]{.claim} in the prose, and the appendix
-- "Claims and the tests that check them" they link to, from the raw block
-- "claims" that book/tools/weave writes.
local format = require("chunks.format")
local chunk = require("chunks.chunk")

local html, latex = format.html, format.latex
local html_escape, latex_escape = format.html_escape, format.latex_escape

local M = {}

local claims = {}       -- id -> { file=, tests={...} }
local claim_order = {}  -- ids in order
local marks = {}        -- id -> { {anchor=, sid=, secnum=}, ... }

-- "ID<TAB>file<TAB>test name" per line, sorted by ID.
function M.read(text)
  for line in text:gmatch("[^\n]+") do
    local f = chunk.split_tabs(line)
    local id = f[1]
    if not claims[id] then
      claims[id] = { file = f[2], tests = {} }
      table.insert(claim_order, id)
    end
    table.insert(claims[id].tests, f[3])
  end
end

function M.mark(id, sid, secnum, chapter)
  marks[id] = marks[id] or {}
  local n = #marks[id] + 1
  local a = "claim-mark-" .. id .. (n > 1 and ("-" .. n) or "")
  table.insert(marks[id], { anchor = a, sid = sid, secnum = secnum, chapter = chapter })
  local c = claims[id]
  if html then
    local title = c and ("checked by the test: " .. table.concat(c.tests, "; ")) or "checked by a test"
    return pandoc.RawInline("html", string.format('<a class="claim" id="%s" href="#claim-%s" title="%s">%s</a>',
      a, id, html_escape(title), id))
  elseif latex then
    -- a target and a label, so that the appendix links back to the mark
    -- and gives its page
    return pandoc.RawInline("latex", string.format("\\hypertarget{%s}{}\\label{%s}\\NWclaim{%s}", a, a, id))
  end
end

function M.appendix()
  -- grouped by test file, in the order of the chapters
  local order = {}
  for i, id in ipairs(claim_order) do order[id] = i end
  local ids = { table.unpack(claim_order) }
  table.sort(ids, function(a, b)
    if claims[a].file ~= claims[b].file then return claims[a].file < claims[b].file end
    return order[a] < order[b]
  end)
  local rows, group, ntests = {}, nil, 0
  for _, id in ipairs(ids) do
    local c = claims[id]
    ntests = ntests + #c.tests
    if c.file ~= group then
      group = c.file
      local chapter = ""
      for _, other in ipairs(ids) do
        if claims[other].file == group and marks[other] then chapter = marks[other][1].chapter; break end
      end
      if html then
        table.insert(rows, string.format('<tr class="claim-group"><th colspan="3">%s <code>tests/%s</code></th></tr>',
          chapter ~= "" and ("Chapter " .. chapter .. " ·") or "", html_escape(group)))
      else
        table.insert(rows, string.format("\\NWclaimgroup{%s\\texttt{tests/%s}}",
          chapter ~= "" and ("Chapter " .. latex_escape(chapter) .. " --- ") or "", latex_escape(group)))
      end
    end
    local where = {}
    for _, m in ipairs(marks[id] or {}) do
      if html then
        table.insert(where, string.format('<a href="#%s">§%s</a>', m.anchor, m.secnum))
      else
        table.insert(where, string.format("\\hyperlink{%s}{§%s}~(p.\\,\\pageref*{%s})", m.anchor, m.secnum, m.anchor))
      end
    end
    if html then
      local tests = {}
      for _, t in ipairs(c.tests) do table.insert(tests, html_escape(t)) end
      tests = #tests == 1 and tests[1] or ('<ul class="claim-tests"><li>' .. table.concat(tests, "</li><li>") .. "</li></ul>")
      table.insert(rows, string.format('<tr id="claim-%s"><td class="claim-id">%s</td><td class="claim-where">%s</td><td>%s</td></tr>',
        id, id, #where > 0 and table.concat(where, " ") or "—", tests))
    else
      local tests = {}
      for _, t in ipairs(c.tests) do table.insert(tests, latex_escape(t)) end
      table.insert(rows, string.format("\\hypertarget{claim.%s}{}%s & %s & %s\\\\", id, id,
        #where > 0 and table.concat(where, ", ") or "--", table.concat(tests, "\\par\\smallskip ")))
    end
  end
  local summary = string.format("%d claims, checked by %d tests.", #ids, ntests)
  if html then
    return pandoc.RawBlock("html", "<p>" .. summary .. "</p>\n"
      .. '<table class="claims"><thead><tr><th>Claim</th><th>Stated in</th><th>Checked by the test</th></tr></thead><tbody>\n'
      .. table.concat(rows, "\n") .. "\n</tbody></table>")
  end
  -- book.tex: NWclaims, a longtable ragged right in narrow columns
  return pandoc.RawBlock("latex", summary .. "\n\n\\begin{NWclaims}\n"
    .. table.concat(rows, "\n") .. "\n\\end{NWclaims}")
end

return M
