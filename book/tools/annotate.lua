-- annotate.lua: pandoc filter for the HTML book, run after chunks.lua.
--
-- A fenced div of class "annotated-chunk" in a chapter, holding a list
-- that explains the parts of a chunk, gets a copy of a real chunk of the
-- book, exactly as chunks.lua rendered it, with its parts numbered to
-- match the list.  The chunk is the first one that shows every part: a
-- continuation (+≡) with a previous and a next part, a breadcrumb, a use
-- of another chunk (so a peek) and a footer, at most 12 lines of code.  A
-- div attribute chunk="name" restricts the choice to chunks of that name.
-- The copy has no ids (the chunk keeps its own); its links lead to the
-- real chunks.
--
-- A span [PIPE-07]{.claim-example} becomes a claim badge that links to
-- that claim's row of the claims appendix, like a real mark, without
-- counting as one.  In the PDF (no annotate.lua) both are plain text.

local function has(html, class)
  return html:find('class="' .. class .. '"', 1, true) ~= nil
end

local function code_lines(html)
  local code = html:match("<code[^>]*>(.-)</code></pre>") or ""
  local n = 1
  for _ in code:gmatch("\n") do n = n + 1 end
  return n
end

local function name_of(html)
  local n = html:match('<a class="chunk%-name"[^>]*>(.-)</a>') or ""
  return n:gsub("<[^>]*>", ""):gsub("&lt;", "<"):gsub("&gt;", ">"):gsub("&amp;", "&")
end

-- how many of the parts to explain a chunk shows (7: all, and short)
local function score(html, want)
  if want and not name_of(html):find("⟨" .. want .. "⟩", 1, true) then return -1 end
  local n = 0
  for _, c in ipairs({ "chunk-prev", "chunk-next", "crumbs", "chunk-use", "chunk-foot", "peeks" }) do
    if has(html, c) then n = n + 1 end
  end
  if code_lines(html) <= 12 then n = n + 1 end
  return n
end

local function callout(n) return '<span class="callout" data-n="' .. n .. '" aria-hidden="true"></span>' end

-- the copy: no ids, each part numbered (1 name, 2 ≡ or +≡, 3 ◁ ▷,
-- 4 breadcrumb, 5 whole file, 6 a use and its peek, 7 footer)
local function annotated(html)
  local t = html:gsub(' id="[^"]*"', "")
  local function once(pat, n, before)
    t = t:gsub(pat, function(m) return before and (callout(n) .. m) or (m .. callout(n)) end, 1)
  end
  once('<a class="chunk%-name".-</a>', 1)
  once('<span class="chunk%-op">.-</span>', 2)
  once('<a class="chunk%-next".-</a>', 3)
  once('<span class="crumb%-path">', 4)
  once('<a class="chunk%-file".-</a>', 5)
  once('<a class="chunk%-use".-</a><button type="button" class="peek%-toggle".-</button>', 6)
  once('<div class="chunk%-foot">', 7)
  t = t:gsub('^<div class="chunk"', '<div class="chunk chunk-example"')
  return t
end

local claim_rows = {}

function Pandoc(doc)
  -- the chunks as chunks.lua wrote them, and the claims appendix's rows
  local chunks = {}
  for _, b in ipairs(doc.blocks) do
    if b.t == "RawBlock" and b.format == "html" then
      if b.text:match('^<div class="chunk" id=') then table.insert(chunks, b.text) end
      for id in b.text:gmatch('<tr id="claim%-([^"]+)"') do claim_rows[id] = true end
    end
  end
  local missing = nil
  local first_claim = nil
  for _, b in ipairs(doc.blocks) do
    if b.t == "RawBlock" and b.format == "html" then
      first_claim = first_claim or b.text:match('<tr id="claim%-([^"]+)"')
    end
  end
  -- the first chunk that shows every part; if none does (a book of other
  -- chapters), the one that shows the most
  local function fill(div)
    local want = div.attributes.chunk
    local best, best_score = nil, -1
    for _, c in ipairs(chunks) do
      local n = score(c, want)
      if n > best_score then best, best_score = c, n end
      if n == 7 then break end
    end
    if best_score < 0 or not best then missing = want or "(any)"; return nil end
    if best_score < 7 then io.stderr:write("annotate.lua: no chunk shows every part; the example shows " .. best_score .. " of 7\n") end
    div.content:insert(1, pandoc.RawBlock("html", annotated(best)))
    return div
  end
  doc = doc:walk({
    Div = function(div) if div.classes:includes("annotated-chunk") then return fill(div) end end,
    Span = function(s)
      if s.classes:includes("claim-example") then
        local id = pandoc.utils.stringify(s.content)
        if not claim_rows[id] then
          -- the claim was renamed or its chapter is not in this book
          if not first_claim then return s.content end
          io.stderr:write("annotate.lua: no claim " .. id .. " in the claims appendix; the example shows " .. first_claim .. "\n")
          id = first_claim
        end
        return pandoc.RawInline("html", string.format(
          '<a class="claim claim-example" href="#claim-%s" title="an example: the claim %s, and the test that checks it">%s</a>', id, id, id))
      end
    end,
  })
  if missing then error("annotate.lua: no chunk fit to annotate: " .. missing) end
  return doc
end
