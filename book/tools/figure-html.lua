-- figure-html.lua: pandoc filter for the HTML book, run after chunks.lua.
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
