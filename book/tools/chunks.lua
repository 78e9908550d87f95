-- chunks.lua: pandoc filter that renders the woven book (HTML and LaTeX).
--
-- book/tools/weave.awk turns each noweb code chunk into a raw block of
-- format "chunk" (its line format is described there).  This filter:
--   * highlights the chunk's code with pandoc's own highlighter, then turns
--     each chunk use inside it into a link (HTML <a>, LaTeX \hyperlink),
--     and each identifier into a link to its definition;
--   * heads it "<name> N +=" with previous/next links and a breadcrumb from
--     the use graph (file > chunk > ... > this chunk), and adds the footers
--     "continued in", "used in", "defines", "uses", built by noweb's noidx;
--   * in HTML, puts below it each chunk it uses, to open in place
--     (<details>, no script);
--   * renders the chunk and identifier indexes (HTML: with a filter box that
--     book.js brings to life), previous/next chapter links, the claim marks
--     [ID]{.claim} and the "claims and tests" appendix that they link to;
--   * draws ```{.dot} blocks with Graphviz, includes ```{.include} files,
--     converts SVG images to PDF for LaTeX.

local html = FORMAT:match("html") ~= nil
local latex = FORMAT:match("latex") ~= nil
local FIGDIR = pandoc.system.get_working_directory() .. "/book/build/fig"

-- ------------------------------------------------------------- escaping
local function html_escape(s)
  return (s:gsub("&", "&amp;"):gsub("<", "&lt;"):gsub(">", "&gt;"):gsub('"', "&quot;"))
end

local latex_specials = {
  ["\\"] = "\\textbackslash{}", ["{"] = "\\{", ["}"] = "\\}", ["$"] = "\\$",
  ["&"] = "\\&", ["#"] = "\\#", ["%"] = "\\%", ["_"] = "\\_",
  ["^"] = "\\textasciicircum{}", ["~"] = "\\textasciitilde{}",
}
local function latex_escape(s)
  return (s:gsub("[\\{}$&#%%_^~]", latex_specials):gsub("%-", "-{}"))
end
-- Inside the Highlighting (fancyvrb) environment only \ { } are special.
local function verb_escape(s)
  return (s:gsub("[\\{}]", latex_specials))
end
-- Hyperref anchors: noweb labels contain '-', which is active in
-- Highlighting; '.' is harmless everywhere.
local function anchor(label) return (label:gsub("%-", ".")) end

-- A chunk name: [[code]] is shown as code, the rest as text.
local function name_html(name)
  local out = html_escape(name)
  return (out:gsub("%[%[(.-)%]%]", "<code>%1</code>"))
end
local function name_latex(name, in_verbatim)
  local parts, pos = {}, 1
  local esc = in_verbatim and verb_escape or latex_escape
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

-- ------------------------------------------------------- chunk parsing
local function split_tabs(s)
  local t = {}
  for f in (s .. "\t"):gmatch("([^\t]*)\t") do table.insert(t, f) end
  return t
end

-- "L N L N ..." -> { {label=L, num=N}, ... }, each label once
local function refs(s)
  local t, seen = {}, {}
  for l, n in s:gmatch("(%S+) (%d+)") do
    if not seen[l] then seen[l] = true; table.insert(t, { label = l, num = n }) end
  end
  return t
end

local function parse_chunk(text)
  local c = { cont = {}, usedin = {}, defs = {}, uses = {}, lines = {}, crumbs = {} }
  local in_code = false
  for line in (text .. "\n"):gmatch("(.-)\n") do
    if in_code then
      local kind, rest = line:sub(1, 1), line:sub(3)
      if kind == "U" then
        local f = split_tabs(rest)
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
      elseif key == "prev" or key == "next" then c[key] = refs(val)[1]
      elseif key == "cont" or key == "usedin" then table.insert(c[key], refs(val)[1])
      elseif key == "crumb" then
        local l, n, name = val:match("^(%S+) (%d+) (.*)$")
        table.insert(c.crumbs, { label = l, num = n, name = name })
      elseif key == "def" then
        local ident, rest = val:match("^(%S+) ?(.*)$")
        table.insert(c.defs, { ident = ident, users = refs(rest) })
      elseif key == "use" then
        local ident, rest = val:match("^(%S+) ?(.*)$")
        table.insert(c.uses, { ident = ident, defs = refs(rest) })
      end
    end
  end
  return c
end

-- ------------------------------------------------ the book, seen whole
-- Filled by the first pass over the document (see Pandoc below).
local by_label = {}     -- label -> chunk
local by_name = {}      -- name -> { chunk, ... } in order
local exported = {}     -- identifier -> true if a header (.h root) defines it
local claims = {}       -- id -> { file=, tests={...} }
local claim_order = {}  -- ids in order
local marks = {}        -- id -> { {anchor=, sid=, secnum=}, ... }

local function top_of(label)
  local c = by_label[label]
  return c and c.top or ""
end

-- noweb's identifier cross-reference is global: a local `count` in one
-- program "uses" a static `count` in another.  A use resolves to a
-- definition in the same file, else, for a name a header declares, to the
-- library's definition (or the header's own).
local function pick_def(c, defs, ident)
  for _, r in ipairs(defs) do
    if top_of(r.label) == c.top then return r end
  end
  if not exported[ident] then return nil end
  local header
  for _, r in ipairs(defs) do
    local t = top_of(r.label)
    if t:match("^lib/.*%.c$") then return r end
    if t:match("%.h$") then header = header or r end
  end
  return header
end

local function plausible_users(ident, deftop, users)
  local t = {}
  for _, r in ipairs(users) do
    if top_of(r.label) == deftop or exported[ident] then table.insert(t, r) end
  end
  return t
end

-- ------------------------------------------------------- highlighting
-- Each use line becomes a placeholder identifier that every highlighter
-- leaves whole; after highlighting it is replaced by the link.
local function placeholder(i) return "NWCHUNKUSE" .. i .. "X" end

local function highlight(lines, lang, fmt)
  local text = {}
  for i, l in ipairs(lines) do
    table.insert(text, l.use and (l.indent .. placeholder(i)) or l.text)
  end
  local classes = ((lang or "") ~= "" and { lang } or {})
  local block = pandoc.CodeBlock(table.concat(text, "\n"), pandoc.Attr("", classes))
  return pandoc.write(pandoc.Pandoc({ block }), fmt)
end

-- ------------------------------------------------------------- HTML
local function link_html(ref, text)
  return string.format('<a href="#%s">%s</a>', ref.label, text or ref.num)
end
local function list_html(rs)
  local t = {}
  for _, r in ipairs(rs) do table.insert(t, link_html(r)) end
  return table.concat(t, ", ")
end
local function plural(n, word) return n == 1 and word or (word .. "s") end

-- Identifiers inside highlighted HTML become links to their definitions:
-- only in text between tags, never inside an entity such as &lt;.
local function link_idents(code, targets)
  if next(targets) == nil then return code end
  local function words(seg)
    return (seg:gsub("%f[%w_][%a_][%w_]*", function(w)
      local label = targets[w]
      if label then return '<a class="id" href="#' .. label .. '">' .. w .. "</a>" end
    end))
  end
  local function text(seg)
    local out, pos = {}, 1
    while true do
      local s, e = seg:find("&#?%w+;", pos)
      if not s then break end
      table.insert(out, words(seg:sub(pos, s - 1)))
      table.insert(out, seg:sub(s, e))
      pos = e + 1
    end
    table.insert(out, words(seg:sub(pos)))
    return table.concat(out)
  end
  -- not in comments, strings, characters or preprocessor lines
  local skip = { co = 1, cv = 1, ["do"] = 1, an = 1, ["in"] = 1, wa = 1, al = 1,
                 st = 1, ch = 1, vs = 1, ss = 1, sc = 1, pp = 1, im = 1 }
  return (code:gsub("(<[^>]*>)([^<]+)", function(tag, t)
    local class = tag:match('^<span class="(%a%a)">$')
    if class and skip[class] then return nil end
    return tag .. text(t)
  end))
end

-- Highlighted code of some lines, with identifier and chunk-use links.
-- pandoc gives every line an id and an empty self-link: both go (the ids
-- would repeat in the peeks, and the links only add weight).
local function code_html(lines, lang, targets)
  local code = highlight(lines, lang, "html")
  code = code:gsub('<div class="sourceCode" id="cb1">', '<div class="sourceCode">')
  code = code:gsub('<span id="cb1%-%d+"><a href="#cb1%-%d+" aria%-hidden="true" tabindex="%-1"></a>', "<span>")
  code = link_idents(code, targets)
  for i, l in ipairs(lines) do
    if l.use then
      local a = string.format('<a class="chunk-use" href="#%s">⟨%s⟩ <span class="chunk-num">%s</span></a>',
        l.label, name_html(l.name), l.num)
      code = code:gsub(placeholder(i), function() return a end)
    end
  end
  return code
end

local function ident_targets(c, into)
  local t = into or {}
  for _, u in ipairs(c.uses) do
    if u.ident:match("^[%a_][%w_]*$") then
      local d = pick_def(c, u.defs, u.ident)
      if d and d.label ~= c.label then t[u.ident] = d.label end
    end
  end
  return t
end

-- Below a chunk, each chunk it uses, to open in place: all its parts.
local function peeks_html(c)
  local out, seen = {}, {}
  for _, l in ipairs(c.lines) do
    if l.use and not seen[l.name] and by_name[l.name] then
      seen[l.name] = true
      local parts, lines, targets = by_name[l.name], {}, {}
      for _, p in ipairs(parts) do
        for _, pl in ipairs(p.lines) do table.insert(lines, pl) end
        ident_targets(p, targets)
      end
      local nums = {}
      for _, p in ipairs(parts) do table.insert(nums, link_html(p)) end
      table.insert(out, string.format(
        '<details class="peek"><summary>⟨%s⟩ <span class="chunk-num">%s</span></summary>\n%s<p class="peek-foot">Defined in %s %s.</p></details>',
        name_html(l.name), l.num, code_html(lines, parts[1].lang, targets),
        plural(#parts, "chunk"), table.concat(nums, ", ")))
    end
  end
  if #out == 0 then return "" end
  return '<div class="peeks">' .. table.concat(out, "\n") .. "</div>\n"
end

local function chunk_html(c)
  local code = code_html(c.lines, c.lang, ident_targets(c))
  local head = { string.format('<div class="chunk" id="%s">', c.label),
    '<div class="chunk-head">',
    string.format('<a class="chunk-name" href="#%s">⟨%s⟩ <span class="chunk-num">%s</span></a>',
      c.label, name_html(c.name), c.num),
    string.format('<span class="chunk-op">%s</span>', c.kind == "first" and "≡" or "+≡") }
  if c.prev then table.insert(head, '<a class="chunk-prev" title="previous part of this chunk" href="#' .. c.prev.label .. '">◁ ' .. c.prev.num .. '</a>') end
  if c.next then table.insert(head, '<a class="chunk-next" title="next part of this chunk" href="#' .. c.next.label .. '">' .. c.next.num .. ' ▷</a>') end
  if c.root then
    table.insert(head, string.format('<a class="chunk-file" href="../tangle/%s" title="the whole file, tangled">tangle/%s</a>',
      html_escape(c.name), html_escape(c.name)))
  end
  table.insert(head, "</div>")
  if #c.crumbs > 0 then
    local t = {}
    for i, r in ipairs(c.crumbs) do
      table.insert(t, string.format('<a href="#%s">%s</a>', r.label, i == 1 and html_escape(r.name) or name_html(r.name)))
    end
    table.insert(t, '<span aria-current="location">' .. name_html(c.name) .. "</span>")
    table.insert(head, string.format('<div class="crumbs"><span class="crumb-path">%s</span> <a class="chunk-file" href="../tangle/%s" title="the whole file, tangled">whole file</a></div>',
      table.concat(t, ' <span class="crumb-sep">›</span> '), html_escape(c.top or "")))
  end
  local foot = {}
  if c.kind == "cont" and c.prev then
    table.insert(foot, "Continues chunk " .. link_html(c.prev) .. ".")
  end
  if #c.cont > 0 then
    table.insert(foot, "Continued in " .. plural(#c.cont, "chunk") .. " " .. list_html(c.cont) .. ".")
  end
  if #c.usedin > 0 then
    table.insert(foot, "Used in " .. plural(#c.usedin, "chunk") .. " " .. list_html(c.usedin) .. ".")
  elseif c.root then
    table.insert(foot, "Root chunk: the file <code>tangle/" .. html_escape(c.name) .. "</code>.")
  end
  if #c.defs > 0 then
    local t = {}
    for _, d in ipairs(c.defs) do
      local users = {}
      for _, r in ipairs(plausible_users(d.ident, c.top, d.users)) do
        if r.label ~= c.label then table.insert(users, r) end
      end
      users = #users > 0 and (" (used in " .. list_html(users) .. ")") or ""
      table.insert(t, '<code class="ident" id="' .. c.label .. '-def-' .. html_escape(d.ident) .. '">'
        .. html_escape(d.ident) .. "</code>" .. users)
    end
    table.insert(foot, "Defines " .. table.concat(t, ", ") .. ".")
  end
  local t = {}
  for _, u in ipairs(c.uses) do
    local d = pick_def(c, u.defs, u.ident)
    if d and d.label ~= c.label then
      table.insert(t, "<code>" .. html_escape(u.ident) .. "</code> " .. link_html(d))
    end
  end
  if #t > 0 then table.insert(foot, "Uses " .. table.concat(t, ", ") .. ".") end
  local out = table.concat(head, " ") .. "\n" .. code .. "\n" .. peeks_html(c)
  if #foot > 0 then
    out = out .. '<div class="chunk-foot"><p>' .. table.concat(foot, "</p><p>") .. "</p></div>\n"
  end
  return pandoc.RawBlock("html", out .. "</div>")
end

-- ------------------------------------------------------------- LaTeX
local function link_latex(ref)
  return string.format("\\hyperlink{%s}{%s}", anchor(ref.label), ref.num)
end
local function list_latex(rs)
  local t = {}
  for _, r in ipairs(rs) do table.insert(t, link_latex(r)) end
  return table.concat(t, ", ")
end
local function page_latex(ref)
  return string.format("\\hyperlink{%s}{%s}~(p.\\,\\pageref{%s})", anchor(ref.label), ref.num, anchor(ref.label))
end

-- Identifiers inside highlighted LaTeX become links too.  The code is a
-- run of \XxxTok{...} tokens whose text escapes _ { } as \_ \{ \}; the
-- tokens of comments, strings and preprocessor lines are left alone.
local latex_skip = { CommentTok = 1, StringTok = 1, CharTok = 1, PreprocessorTok = 1,
  ImportTok = 1, DocumentationTok = 1, CommentVarTok = 1, VerbatimStringTok = 1,
  SpecialStringTok = 1, SpecialCharTok = 1, AnnotationTok = 1, InformationTok = 1 }

local function link_words_latex(body, targets)
  local out, word, i = {}, {}, 1
  local function flush()
    if #word == 0 then return end
    local w = table.concat(word)
    local label = targets[(w:gsub("\\_", "_"))]
    if label and w:match("^[%a\\]") then
      -- the link keeps the token's colour
      w = "{\\hypersetup{linkcolor=.}\\hyperlink{" .. anchor(label) .. "}{" .. w .. "}}"
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

local function link_idents_latex(code, targets)
  if next(targets) == nil then return code end
  local out, pos = {}, 1
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
    table.insert(out, latex_skip[tok] and body or link_words_latex(body, targets))
    table.insert(out, "}")
    pos = i + 1
  end
  table.insert(out, code:sub(pos))
  return table.concat(out)
end

local function chunk_latex(c)
  local code = link_idents_latex(highlight(c.lines, c.lang, "latex"), ident_targets(c))
  for i, l in ipairs(c.lines) do
    if l.use then
      local a = string.format("\\hyperlink{%s}{\\NWuse{%s}{%s}}", anchor(l.label), name_latex(l.name, true), l.num)
      code = code:gsub(placeholder(i), function() return a end)
    end
  end
  local nav = {}
  if c.prev then table.insert(nav, "\\hyperlink{" .. anchor(c.prev.label) .. "}{$\\triangleleft$\\," .. c.prev.num .. "}") end
  if c.next then table.insert(nav, "\\hyperlink{" .. anchor(c.next.label) .. "}{" .. c.next.num .. "\\,$\\triangleright$}") end
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
  local foot = {}
  if c.kind == "cont" and c.prev then
    table.insert(foot, "Continues chunk " .. page_latex(c.prev) .. ".")
  end
  if #c.cont > 0 then
    local t = {}
    for _, r in ipairs(c.cont) do table.insert(t, page_latex(r)) end
    table.insert(foot, "Continued in " .. plural(#c.cont, "chunk") .. " " .. table.concat(t, ", ") .. ".")
  end
  if #c.usedin > 0 then
    local t = {}
    for _, r in ipairs(c.usedin) do table.insert(t, page_latex(r)) end
    table.insert(foot, "Used in " .. plural(#c.usedin, "chunk") .. " " .. table.concat(t, ", ") .. ".")
  elseif c.root then
    table.insert(foot, "Root chunk: the file \\texttt{tangle/" .. latex_escape(c.name) .. "}.")
  end
  if #c.defs > 0 then
    local t = {}
    for _, d in ipairs(c.defs) do
      local users = {}
      for _, r in ipairs(plausible_users(d.ident, c.top, d.users)) do
        if r.label ~= c.label then table.insert(users, r) end
      end
      users = #users > 0 and (" (used in " .. list_latex(users) .. ")") or ""
      table.insert(t, "\\texttt{" .. latex_escape(d.ident) .. "}" .. users)
    end
    table.insert(foot, "Defines " .. table.concat(t, ", ") .. ".")
  end
  local t = {}
  for _, u in ipairs(c.uses) do
    local d = pick_def(c, u.defs, u.ident)
    if d and d.label ~= c.label then
      table.insert(t, "\\texttt{" .. latex_escape(u.ident) .. "}~" .. link_latex(d))
    end
  end
  if #t > 0 then table.insert(foot, "Uses " .. table.concat(t, ", ") .. ".") end
  local out = "\\begin{NWchunk}\n" .. head .. "\n" .. code .. "\n"
  if #foot > 0 then out = out .. "\\NWfoot{" .. table.concat(foot, "\\\\\n") .. "}\n" end
  return pandoc.RawBlock("latex", out .. "\\end{NWchunk}")
end

-- ------------------------------------------------------------- indexes
local function filter_box(id, what)
  return string.format('<div class="filter" hidden><input type="search" id="%s" placeholder="Filter %s by words (press /)" aria-label="Filter %s" autocomplete="off"><span class="filter-count" aria-live="polite"></span></div>\n',
    id, what, what)
end

-- One entry of an index: its title, where it is defined, where it is used.
local function index_entry(key, title_html, title_latex, defs_html, defs, uses)
  if html then
    local u = #uses > 0 and (", used in " .. list_html(uses)) or ""
    return string.format('<li data-filter="%s">%s %s%s</li>', html_escape(key:lower()), title_html, defs_html, u)
  end
  local t = {}
  for _, r in ipairs(defs) do table.insert(t, page_latex(r)) end
  local u = #uses > 0 and (", used in " .. list_latex(uses)) or ""
  return "\\item " .. title_latex .. "~" .. table.concat(t, ", ") .. u
end

local function index_block(items, box, what, class)
  if html then
    return pandoc.RawBlock("html", filter_box(box, what)
      .. '<ul class="index ' .. class .. '" data-filter-by="' .. box .. '">\n' .. table.concat(items, "\n") .. "\n</ul>")
  end
  return pandoc.RawBlock("latex", "\\begin{NWindex}\n" .. table.concat(items, "\n") .. "\n\\end{NWindex}")
end

local function chunk_index(text)
  local items = {}
  for line in text:gmatch("[^\n]+") do
    local f = split_tabs(line)
    local defs, uses = refs(f[3] or ""), refs(f[4] or "")
    table.insert(items, index_entry(f[2]:gsub("%[%[(.-)%]%]", "%1"),
      string.format('<a href="#%s">⟨%s⟩</a>', f[1], name_html(f[2])),
      "$\\langle$" .. name_latex(f[2]) .. "$\\rangle$",
      list_html(defs), defs, uses))
  end
  return index_block(items, "filter-chunks", "chunks", "chunk-index")
end

local function ident_index(text)
  local items = {}
  for line in text:gmatch("[^\n]+") do
    local f = split_tabs(line)
    local defs, uses = refs(f[2] or ""), refs(f[3] or "")
    -- keep the uses that resolve to one of these definitions
    local deftops, kept = {}, {}
    for _, r in ipairs(defs) do deftops[top_of(r.label)] = true end
    for _, r in ipairs(uses) do
      if exported[f[1]] or deftops[top_of(r.label)] then table.insert(kept, r) end
    end
    local d = {}
    for _, r in ipairs(defs) do table.insert(d, '<a class="defn" href="#' .. r.label .. '">' .. r.num .. "</a>") end
    table.insert(items, index_entry(f[1],
      "<code>" .. html_escape(f[1]) .. "</code>: defined in",
      "\\texttt{" .. latex_escape(f[1]) .. "}: defined in",
      table.concat(d, ", "), defs, kept))
  end
  return index_block(items, "filter-idents", "identifiers", "ident-index")
end

-- ------------------------------------------------------------- claims
-- "ID<TAB>file<TAB>test name" per line, sorted by ID.
local function read_claims(text)
  for line in text:gmatch("[^\n]+") do
    local f = split_tabs(line)
    local id = f[1]
    if not claims[id] then
      claims[id] = { file = f[2], tests = {} }
      table.insert(claim_order, id)
    end
    table.insert(claims[id].tests, f[3])
  end
end

local function claim_mark(id, sid, secnum, chapter)
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
    return pandoc.RawInline("latex", string.format("\\NWclaim{%s}", id))
  end
end

local function claims_table()
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
        table.insert(rows, string.format("\\multicolumn{3}{@{}l}{\\textbf{%s}\\texttt{tests/%s}}\\\\",
          chapter ~= "" and ("Chapter " .. latex_escape(chapter) .. " --- ") or "", latex_escape(group)))
      end
    end
    local where = {}
    for _, m in ipairs(marks[id] or {}) do
      if html then
        table.insert(where, string.format('<a href="#%s">§%s</a>', m.anchor, m.secnum))
      else
        table.insert(where, string.format("§%s", m.secnum))
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
        #where > 0 and table.concat(where, " ") or "--", table.concat(tests, "\\newline ")))
    end
  end
  local summary = string.format("%d claims, checked by %d tests.", #ids, ntests)
  if html then
    return pandoc.RawBlock("html", "<p>" .. summary .. "</p>\n"
      .. '<table class="claims"><thead><tr><th>Claim</th><th>Stated in</th><th>Checked by the test</th></tr></thead><tbody>\n'
      .. table.concat(rows, "\n") .. "\n</tbody></table>")
  end
  return pandoc.RawBlock("latex", summary .. "\n\n{\\small\\begin{longtable}{@{}l l p{0.72\\textwidth}@{}}\n"
    .. "Claim & Stated in & Checked by the test\\\\ \\hline\\endhead\n" .. table.concat(rows, "\n") .. "\n\\end{longtable}}")
end

-- ---------------------------------------------- chapter navigation (HTML)
local function chapter_nav(chapters, i, where)
  local prev, nxt = chapters[i - 1], chapters[i + 1]
  local t = {}
  table.insert(t, prev and string.format('<a class="nav-prev" rel="prev" href="#%s"><span class="nav-dir">← Previous</span> %s</a>', prev.id, prev.title) or "<span></span>")
  table.insert(t, nxt and string.format('<a class="nav-next" rel="next" href="#%s"><span class="nav-dir">Next →</span> %s</a>', nxt.id, nxt.title) or "<span></span>")
  return pandoc.RawBlock("html", string.format('<nav class="chapter-nav chapter-nav-%s" aria-label="Chapters">%s</nav>', where, table.concat(t)))
end

-- ------------------------------------------------------------ the passes
local function is_numbered(h) return not h.classes:includes("unnumbered") end

local function Pandoc(doc)
  -- pass 1: every chunk, the claims, the chapters
  local chapters = {}
  local n1 = 0
  for _, b in ipairs(doc.blocks) do
    if b.t == "RawBlock" and b.format == "chunk" then
      local c = parse_chunk(b.text)
      by_label[c.label] = c
      by_name[c.name] = by_name[c.name] or {}
      table.insert(by_name[c.name], c)
    elseif b.t == "RawBlock" and b.format == "claims" then
      read_claims(b.text)
    elseif b.t == "Header" and b.level == 1 then
      local title = html_escape(pandoc.utils.stringify(b.content))
      if is_numbered(b) then n1 = n1 + 1; title = n1 .. " " .. title end
      table.insert(chapters, { id = b.identifier, title = title })
    end
  end
  -- what the headers declare is the library's interface
  for _, c in pairs(by_label) do
    if (c.top or ""):match("%.h$") then
      for _, d in ipairs(c.defs) do exported[d.ident] = true end
      -- the names in its code, not in its comments or strings
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
      for w in table.concat(code, "\n"):gmatch("[%a_][%w_]*") do exported[w] = true end
    end
  end
  -- pass 2: render, number sections as pandoc will, mark claims
  local out, sec, chap = {}, { 0, 0 }, 0
  local sid, secnum = "", ""
  local span_filter = {
    Span = function(el)
      if el.classes:includes("claim") then
        return claim_mark(pandoc.utils.stringify(el.content), sid, secnum,
          chapters[chap] and chapters[chap].title or "")
      end
    end
  }
  for _, b in ipairs(doc.blocks) do
    if b.t == "Header" and b.level <= 2 then
      if b.level == 1 then
        chap = chap + 1
        if html and chap > 1 then table.insert(out, chapter_nav(chapters, chap - 1, "bottom")) end
      end
      if is_numbered(b) then
        sec[b.level] = sec[b.level] + 1
        if b.level == 1 then sec[2] = 0 end
        secnum = b.level == 1 and tostring(sec[1]) or (sec[1] .. "." .. sec[2])
      end
      sid = b.identifier
      table.insert(out, b)
      if html and b.level == 1 then table.insert(out, chapter_nav(chapters, chap, "top")) end
    elseif b.t == "RawBlock" and b.format == "chunk" then
      local c = parse_chunk(b.text)
      table.insert(out, html and chunk_html(c) or chunk_latex(c))
    elseif b.t == "RawBlock" and b.format == "chunkindex" then
      table.insert(out, chunk_index(b.text))
    elseif b.t == "RawBlock" and b.format == "identindex" then
      table.insert(out, ident_index(b.text))
    elseif b.t == "RawBlock" and b.format == "claims" then
      table.insert(out, "CLAIMS")   -- filled in below, once every mark is seen
    else
      table.insert(out, pandoc.walk_block(b, span_filter))
    end
  end
  if html and chap > 0 then table.insert(out, chapter_nav(chapters, chap, "bottom")) end
  for i, b in ipairs(out) do
    if b == "CLAIMS" then out[i] = claims_table() end
  end
  return pandoc.Pandoc(out, doc.meta)
end

-- ------------------------------------------------ figures and includes
local function caption_inlines(s)
  if not s or s == "" then return {} end
  local doc = pandoc.read(s, "markdown")
  return doc.blocks[1] and doc.blocks[1].content or {}
end

local function ensure_dir(d) os.execute("mkdir -p '" .. d .. "'") end

local function dot_figure(el)
  local id, caption = el.identifier, el.attributes.caption or ""
  if html then
    local svg = pandoc.pipe("dot", { "-Tsvg" }, el.text)
    svg = svg:gsub("^.-(<svg)", "%1")               -- drop the XML prolog and doctype
    svg = svg:gsub("<!%-%-.-%-%->", "")             -- and dot's comments
    -- dot names its elements node1, edge1...: unique per figure, not per book
    ndot = (ndot or 0) + 1
    svg = svg:gsub(' id="', ' id="dot' .. ndot .. '-')
    local cap = pandoc.write(pandoc.Pandoc({ pandoc.Plain(caption_inlines(caption)) }), "html")
    return pandoc.RawBlock("html", string.format('<figure class="diagram"%s>\n%s\n<figcaption>%s</figcaption>\n</figure>',
      id ~= "" and (' id="' .. id .. '"') or "", svg, cap))
  end
  ensure_dir(FIGDIR)
  local file = FIGDIR .. "/" .. pandoc.sha1(el.text) .. ".pdf"
  local f = io.open(file, "r")
  if f then f:close() else
    local pdf = pandoc.pipe("dot", { "-Tpdf" }, el.text)
    f = assert(io.open(file, "wb")); f:write(pdf); f:close()
  end
  return pandoc.Para({ pandoc.Image(caption_inlines(caption), file, "fig:", pandoc.Attr(id)) })
end

local function include(el)
  local path = el.text:match("^%s*(.-)%s*$")
  local f = io.open(path, "r")
  if not f then error("include: cannot open " .. path) end
  local text = f:read("a"); f:close()
  return pandoc.read(text, "markdown").blocks
end

local function CodeBlock(el)
  if el.classes:includes("dot") then return dot_figure(el) end
  if el.classes:includes("include") then return include(el) end
end

-- SVG figures (gnuplot's, say) are converted to PDF for LaTeX.
local function Image(el)
  if latex and el.src:match("%.svg$") then
    ensure_dir(FIGDIR)
    local out = FIGDIR .. "/" .. el.src:gsub("[/%.]", "_") .. ".pdf"
    local ok = os.execute(string.format("rsvg-convert -f pdf -o '%s' '%s'", out, el.src))
    if not ok then error("rsvg-convert failed on " .. el.src) end
    el.src = out
    return el
  end
end

-- Includes and figures first (an included file may hold anything), then
-- the book as a whole, then images for LaTeX.
return {
  { CodeBlock = CodeBlock },
  { Pandoc = Pandoc },
  { Image = Image },
}
