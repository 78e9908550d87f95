-- figure-html.lua: pandoc filter for the HTML book, run after chunks.lua:
-- the figures, diagrams and plots, drawn inline.
--
-- Graphviz writes a <title> into every node and edge of its SVG
-- ("ipc->transfer"), which a browser shows as a tooltip over the figure:
-- they go.  The figure is named by its caption instead (role="img" and
-- aria-labelledby; the caption gets an id).  The dark theme is book.css's
-- business (the figure's colours inverted, hues kept).
local n = 0

local function strip(html)
  if not html:match('^<figure class="diagram"') then return nil end
  n = n + 1
  local t = html:gsub("<title>.-</title>%s*", "")
  local cap = "figcap-" .. n
  t = t:gsub("<svg ", '<svg role="img" aria-labelledby="' .. cap .. '" ', 1)
  t = t:gsub("<figcaption>", '<figcaption id="' .. cap .. '">', 1)
  return t
end

function RawBlock(b)
  if b.format == "html" then
    local t = strip(b.text)
    if t then return pandoc.RawBlock("html", t) end
  end
end

-- A plot (an SVG file shown as a figure, gnuplot's) is put into the page
-- as the diagrams are, not as an <img>: an image cannot use the page's
-- fonts, so its text fell back to whatever sans the reader's system had
-- (issue 9, item 7).  Inline, its text is drawn by the embedded DejaVu
-- Sans (book.css: figure svg text).  Its ids get a prefix of their own
-- (each plot defines gpPt0, textbox, ...), its <title>s go (tooltips),
-- and, like the diagrams, it is named by its caption.
local nplot = 0

local function read_svg(path)
  local f = io.open(path, "r")
  if not f then error("figure-html: cannot open " .. path) end
  local svg = f:read("a"); f:close()
  svg = svg:gsub("^.-(<svg)", "%1")                 -- no XML prolog
  svg = svg:gsub("<title>.-</title>%s*", "")
  svg = svg:gsub("<desc>.-</desc>%s*", "")
  -- gnuplot names DejaVu Sans on every <g> and <tspan>: the system's; the
  -- text takes the embedded face from book.css instead
  svg = svg:gsub(' font%-family="[^"]*"', "")
  return svg
end

function Para(p)
  local img = #p.content == 1 and p.content[1]
  if not (img and img.t == "Image" and img.title:match("^fig:") and img.src:match("%.svg$")) then
    return nil
  end
  nplot = nplot + 1
  local pre, cap = "plot" .. nplot .. "-", "plotcap-" .. nplot
  local svg = read_svg(img.src)
  svg = svg:gsub("( id=)(['\"])", "%1%2" .. pre)
  svg = svg:gsub("(href=)(['\"])#", "%1%2#" .. pre)
  svg = svg:gsub("url%(#", "url(#" .. pre)
  svg = svg:gsub("<svg%s", '<svg role="img" aria-labelledby="' .. cap .. '" ', 1)
  local blocks = { pandoc.RawBlock("html", '<figure class="plot">\n' .. svg),
                   pandoc.RawBlock("html", '<figcaption id="' .. cap .. '">') }
  blocks[#blocks + 1] = pandoc.Plain(img.caption)
  blocks[#blocks + 1] = pandoc.RawBlock("html", "</figcaption>\n</figure>")
  return blocks
end
