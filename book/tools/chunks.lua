-- chunks.lua: pandoc filter that renders the woven book (HTML and LaTeX).
--
-- book/tools/weave.awk turns each noweb code chunk into a raw block of
-- format "chunk" (its line format is described there).  This filter:
--   * highlights the chunk's code with pandoc's own highlighter, then turns
--     each chunk use inside it into a link (HTML <a>, LaTeX \hyperlink);
--   * heads it "<name> N +=" with previous/next links, and adds the footers
--     "continued in", "used in", "defines", "uses", built by noweb's noidx;
--   * renders the chunk and identifier indexes;
--   * draws ```{.dot} blocks with Graphviz, includes ```{.include} files,
--     converts SVG images to PDF for LaTeX, and marks [ID]{.claim} spans.

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

-- "L N L N ..." -> { {label=L, num=N}, ... }
local function refs(s)
  local t = {}
  for l, n in s:gmatch("(%S+) (%d+)") do table.insert(t, { label = l, num = n }) end
  return t
end

local function parse_chunk(text)
  local c = { cont = {}, usedin = {}, defs = {}, uses = {}, lines = {} }
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
          or key == "lang" or key == "file" then c[key] = val
      elseif key == "root" then c.root = true
      elseif key == "prev" or key == "next" then c[key] = refs(val)[1]
      elseif key == "cont" or key == "usedin" then table.insert(c[key], refs(val)[1])
      elseif key == "def" then
        local ident, rest = val:match("^(%S+) ?(.*)$")
        table.insert(c.defs, { ident = ident, users = refs(rest) })
      elseif key == "use" then
        local ident, rest = val:match("^(%S+) ?(.*)$")
        table.insert(c.uses, { ident = ident, def = refs(rest)[1] })
      end
    end
  end
  return c
end

-- ------------------------------------------------------- highlighting
-- Each use line becomes a placeholder identifier that every highlighter
-- leaves whole; after highlighting it is replaced by the link.
local function placeholder(i) return "NWCHUNKUSE" .. i .. "X" end

local function highlight(c, fmt)
  local text = {}
  for i, l in ipairs(c.lines) do
    table.insert(text, l.use and (l.indent .. placeholder(i)) or l.text)
  end
  local classes = (c.lang ~= "" and { c.lang } or {})
  local block = pandoc.CodeBlock(table.concat(text, "\n"), pandoc.Attr("", classes))
  local out = pandoc.write(pandoc.Pandoc({ block }), fmt)
  return out
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

local function chunk_html(c)
  local code = highlight(c, "html")
  -- pandoc numbers code blocks cb1, cb2... per document: make ids unique.
  local prefix = "c" .. c.num
  code = code:gsub('id="cb1"', ""):gsub("cb1%-", prefix .. "-")
  for i, l in ipairs(c.lines) do
    if l.use then
      local a = string.format('<a class="chunk-use" href="#%s">⟨%s⟩ <span class="chunk-num">%s</span></a>',
        l.label, name_html(l.name), l.num)
      code = code:gsub(placeholder(i), function() return a end)
    end
  end
  local head = { string.format('<div class="chunk" id="%s">', c.label),
    '<div class="chunk-head">',
    string.format('<a class="chunk-name" href="#%s">⟨%s⟩ <span class="chunk-num">%s</span></a>',
      c.label, name_html(c.name), c.num),
    string.format('<span class="chunk-op">%s</span>', c.kind == "first" and "≡" or "+≡") }
  if c.prev then table.insert(head, '<a class="chunk-prev" title="previous definition" href="#' .. c.prev.label .. '">◁ ' .. c.prev.num .. '</a>') end
  if c.next then table.insert(head, '<a class="chunk-next" title="next definition" href="#' .. c.next.label .. '">' .. c.next.num .. ' ▷</a>') end
  if c.root then
    table.insert(head, string.format('<a class="chunk-file" href="../tangle/%s">tangle/%s</a>',
      html_escape(c.name), html_escape(c.name)))
  end
  table.insert(head, "</div>")
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
      local users = #d.users > 0 and (" (used in " .. list_html(d.users) .. ")") or " (not used)"
      table.insert(t, '<code class="ident" id="' .. c.label .. '-def-' .. html_escape(d.ident) .. '">'
        .. html_escape(d.ident) .. "</code>" .. users)
    end
    table.insert(foot, "Defines " .. table.concat(t, ", ") .. ".")
  end
  if #c.uses > 0 then
    local t = {}
    for _, u in ipairs(c.uses) do
      table.insert(t, "<code>" .. html_escape(u.ident) .. "</code> " .. (u.def and link_html(u.def) or ""))
    end
    table.insert(foot, "Uses " .. table.concat(t, ", ") .. ".")
  end
  local out = table.concat(head, " ") .. "\n" .. code .. "\n"
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

local function chunk_latex(c)
  local code = highlight(c, "latex")
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
      local users = #d.users > 0 and (" (used in " .. list_latex(d.users) .. ")") or ""
      table.insert(t, "\\texttt{" .. latex_escape(d.ident) .. "}" .. users)
    end
    table.insert(foot, "Defines " .. table.concat(t, ", ") .. ".")
  end
  if #c.uses > 0 then
    local t = {}
    for _, u in ipairs(c.uses) do
      table.insert(t, "\\texttt{" .. latex_escape(u.ident) .. "}~" .. (u.def and link_latex(u.def) or ""))
    end
    table.insert(foot, "Uses " .. table.concat(t, ", ") .. ".")
  end
  local out = "\\begin{NWchunk}\n" .. head .. "\n" .. code .. "\n"
  if #foot > 0 then out = out .. "\\NWfoot{" .. table.concat(foot, "\\\\\n") .. "}\n" end
  return pandoc.RawBlock("latex", out .. "\\end{NWchunk}")
end

-- ------------------------------------------------------------- indexes
local function chunk_index(text)
  local items = {}
  for line in text:gmatch("[^\n]+") do
    local f = split_tabs(line)
    local defs, uses = refs(f[3] or ""), refs(f[4] or "")
    if html then
      local u = #uses > 0 and (", used in " .. list_html(uses)) or ""
      table.insert(items, string.format('<li data-filter="%s"><a href="#%s">⟨%s⟩</a> %s%s</li>',
        html_escape(f[2]:lower()), f[1], name_html(f[2]), list_html(defs), u))
    else
      local t = {}
      for _, r in ipairs(defs) do table.insert(t, page_latex(r)) end
      local u = #uses > 0 and (", used in " .. list_latex(uses)) or ""
      table.insert(items, "\\item $\\langle$" .. name_latex(f[2]) .. "$\\rangle$~" .. table.concat(t, ", ") .. u)
    end
  end
  if html then
    return pandoc.RawBlock("html", '<ul class="index chunk-index">\n' .. table.concat(items, "\n") .. "\n</ul>")
  end
  return pandoc.RawBlock("latex", "\\begin{NWindex}\n" .. table.concat(items, "\n") .. "\n\\end{NWindex}")
end

local function ident_index(text)
  local items = {}
  for line in text:gmatch("[^\n]+") do
    local f = split_tabs(line)
    local defs, uses = refs(f[2] or ""), refs(f[3] or "")
    if html then
      local d = {}
      for _, r in ipairs(defs) do table.insert(d, '<a class="defn" href="#' .. r.label .. '">' .. r.num .. "</a>") end
      local u = #uses > 0 and (", used in " .. list_html(uses)) or ""
      table.insert(items, string.format('<li data-filter="%s"><code>%s</code>: defined in %s%s</li>',
        html_escape(f[1]:lower()), html_escape(f[1]), table.concat(d, ", "), u))
    else
      local t = {}
      for _, r in ipairs(defs) do table.insert(t, page_latex(r)) end
      local u = #uses > 0 and (", used in " .. list_latex(uses)) or ""
      table.insert(items, "\\item \\texttt{" .. latex_escape(f[1]) .. "}: defined in " .. table.concat(t, ", ") .. u)
    end
  end
  if html then
    return pandoc.RawBlock("html", '<ul class="index ident-index">\n' .. table.concat(items, "\n") .. "\n</ul>")
  end
  return pandoc.RawBlock("latex", "\\begin{NWindex}\n" .. table.concat(items, "\n") .. "\n\\end{NWindex}")
end

-- The claims appendix: "ID<TAB>file<TAB>test name" per line, sorted by ID.
local function claims_table(text)
  local rows, seen = {}, {}
  for line in text:gmatch("[^\n]+") do
    local f = split_tabs(line)
    local id, file, test = f[1], f[2], f[3]
    local first = not seen[id]
    seen[id] = true
    if html then
      table.insert(rows, string.format('<tr%s><td class="claim-id">%s</td><td><code>%s</code></td><td>%s</td></tr>',
        first and (' id="claim-' .. id .. '"') or "", first and id or "", html_escape(file:gsub("%.bats$", "")),
        html_escape(test)))
    else
      table.insert(rows, string.format("%s%s & \\texttt{%s} & %s\\\\",
        first and ("\\hypertarget{claim." .. id .. "}{}") or "", first and id or "",
        latex_escape((file:gsub("%.bats$", ""))), latex_escape(test)))
    end
  end
  if html then
    return pandoc.RawBlock("html", '<table class="claims"><thead><tr><th>Claim</th><th>Tests</th><th>Test</th></tr></thead><tbody>\n'
      .. table.concat(rows, "\n") .. "\n</tbody></table>")
  end
  return pandoc.RawBlock("latex", "{\\small\\begin{longtable}{@{}lp{0.2\\textwidth}p{0.62\\textwidth}@{}}\n"
    .. "Claim & Tests & Test\\\\ \\hline\\endhead\n" .. table.concat(rows, "\n") .. "\n\\end{longtable}}")
end

function RawBlock(el)
  if el.format == "claims" then return claims_table(el.text) end
  if el.format == "chunk" then
    local c = parse_chunk(el.text)
    return html and chunk_html(c) or chunk_latex(c)
  elseif el.format == "chunkindex" then
    return chunk_index(el.text)
  elseif el.format == "identindex" then
    return ident_index(el.text)
  end
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

function CodeBlock(el)
  if el.classes:includes("dot") then return dot_figure(el) end
  if el.classes:includes("include") then return include(el) end
end

-- SVG figures (gnuplot's, say) are converted to PDF for LaTeX.
function Image(el)
  if latex and el.src:match("%.svg$") then
    ensure_dir(FIGDIR)
    local out = FIGDIR .. "/" .. el.src:gsub("[/%.]", "_") .. ".pdf"
    local ok = os.execute(string.format("rsvg-convert -f pdf -o '%s' '%s'", out, el.src))
    if not ok then error("rsvg-convert failed on " .. el.src) end
    el.src = out
    return el
  end
end

-- A claim ID the tests check: [PIPE-07]{.claim}.
function Span(el)
  if el.classes:includes("claim") then
    local id = pandoc.utils.stringify(el.content)
    if html then
      return pandoc.RawInline("html", string.format('<a class="claim" href="#claim-%s" title="checked by a test">%s</a>', id, id))
    elseif latex then
      return pandoc.RawInline("latex", string.format("\\NWclaim{%s}", id))
    end
  end
end
