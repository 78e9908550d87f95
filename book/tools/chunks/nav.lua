-- nav.lua: the links to the previous and next chapter, above and below
-- each chapter (HTML only).
local M = {}

-- chapters: { {id=, title=}, ... }; i: this chapter; where: "top" or "bottom"
function M.chapter(chapters, i, where)
  local prev, nxt = chapters[i - 1], chapters[i + 1]
  local t = {}
  table.insert(t, prev and string.format('<a class="nav-prev" rel="prev" href="#%s"><span class="nav-dir">← Previous</span> %s</a>', prev.id, prev.title) or "<span></span>")
  table.insert(t, nxt and string.format('<a class="nav-next" rel="next" href="#%s"><span class="nav-dir">Next →</span> %s</a>', nxt.id, nxt.title) or "<span></span>")
  return pandoc.RawBlock("html", string.format('<nav class="chapter-nav chapter-nav-%s" aria-label="Chapters">%s</nav>', where, table.concat(t)))
end

return M
