-- figures.lua: draws ```{.dot} blocks with Graphviz, includes the files
-- ```{.include} blocks name, and converts SVG images to PDF for LaTeX.
local format = require("chunks.format")

local html, latex = format.html, format.latex
local FIGDIR = pandoc.system.get_working_directory() .. "/book/build/fig"

local M = {}
local ndot = 0          -- figures drawn so far: dot's ids are per figure

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
    ndot = ndot + 1
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

function M.CodeBlock(el)
  if el.classes:includes("dot") then return dot_figure(el) end
  if el.classes:includes("include") then return include(el) end
end

-- SVG figures (gnuplot's, say) are converted to PDF for LaTeX.
function M.Image(el)
  if latex and el.src:match("%.svg$") then
    ensure_dir(FIGDIR)
    local out = FIGDIR .. "/" .. el.src:gsub("[/%.]", "_") .. ".pdf"
    local ok = os.execute(string.format("rsvg-convert -f pdf -o '%s' '%s'", out, el.src))
    if not ok then error("rsvg-convert failed on " .. el.src) end
    el.src = out
    return el
  end
end

return M
