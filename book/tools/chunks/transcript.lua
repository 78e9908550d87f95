-- transcript.lua: a shell transcript in the prose, told apart from a script.
--
-- Chapters show a session as a ```sh block whose commands start with "$ "
-- (a command ending in a backslash goes on to the next line):
--
--     $ yes | pipe_demo | head -n 1; echo "${PIPESTATUS[@]}"
--     y
--     141 141 0
--
-- Given to the highlighter whole, its output is read as shell: "y" and
-- "141" become commands, "(Interrupted" an error.  Here only the commands
-- are highlighted (as bash); the prompt is set apart (and is not copied
-- with the text in HTML); every other line is output, set as plain text in
-- a muted colour.  A ```sh block without a "$ " line is a script and stays
-- as it is.
local format = require("chunks.format")

local M = {}

-- text inside Highlighting, escaped as pandoc escapes it there
local more = { ["_"] = "\\_", ["%"] = "\\%", ["#"] = "\\#", ["&"] = "\\&",
  ["^"] = "\\^{}", ["~"] = "\\textasciitilde{}", ["-"] = "{-}" }
local function latex_verb(s) return (format.verb_escape(s):gsub("[_%%#&^~%-]", more)) end

local SHELLS = { sh = true, bash = true, console = true, ["shell-session"] = true }

-- the lines of a transcript: { cmd = true|false, text = ... }, or nil
local function parse(text)
  local lines, any, cont = {}, false, false
  for l in (text .. "\n"):gmatch("(.-)\n") do
    local cmd = l:match("^%$ (.*)$") or (l == "$" and "")
    if cmd then
      table.insert(lines, { cmd = true, prompt = true, text = cmd }); any = true
    elseif cont then
      table.insert(lines, { cmd = true, text = l })
    else
      table.insert(lines, { cmd = false, text = l })
    end
    cont = lines[#lines].cmd and l:match("\\$") ~= nil
  end
  if lines[#lines] and lines[#lines].text == "" and not lines[#lines].cmd then table.remove(lines) end
  return any and lines or nil
end

-- the commands, highlighted as bash, one string per command line
local function highlight(lines, fmt)
  local cmds = {}
  for _, l in ipairs(lines) do if l.cmd then table.insert(cmds, l.text) end end
  local out = pandoc.write(pandoc.Pandoc({ pandoc.CodeBlock(table.concat(cmds, "\n"), pandoc.Attr("", { "bash" })) }), fmt)
  local t = {}
  if fmt == "html" then
    local code = out:match("<code[^>]*>(.*)</code>") or ""
    for l in (code .. "\n"):gmatch("(.-)\n") do
      l = l:gsub('^<span id="cb%d+%-%d+"><a href="#cb%d+%-%d+" aria%-hidden="true" tabindex="%-1"></a>', ""):gsub("</span>$", "")
      table.insert(t, l)
    end
  else
    local body = out:match("\\begin{Highlighting}%[%]\n(.-)\n?\\end{Highlighting}") or ""
    for l in (body .. "\n"):gmatch("(.-)\n") do table.insert(t, l) end
  end
  return t
end

function M.CodeBlock(b)
  local shell = false
  for _, c in ipairs(b.classes) do if SHELLS[c] then shell = true end end
  if not shell then return nil end
  local lines = parse(b.text)
  if not lines then return nil end
  local fmt = format.html and "html" or "latex"
  local hl, j, out = highlight(lines, fmt), 0, {}
  for _, l in ipairs(lines) do
    if l.cmd then
      j = j + 1
      local h = hl[j] or ""
      if format.html then
        table.insert(out, '<span class="cmd">' .. (l.prompt and '<span class="prompt">$ </span>' or "") .. h .. "</span>")
      else
        table.insert(out, (l.prompt and "\\NWprompt{}" or "") .. h)
      end
    elseif format.html then
      table.insert(out, '<span class="out">' .. format.html_escape(l.text) .. "</span>")
    else
      table.insert(out, l.text == "" and "" or ("\\NWout{" .. latex_verb(l.text) .. "}"))
    end
  end
  if format.html then
    return pandoc.RawBlock("html", '<div class="sourceCode transcript"><pre class="sourceCode transcript" aria-label="a shell session: commands after $, then their output"><code>'
      .. table.concat(out, "\n") .. "</code></pre></div>")
  end
  return pandoc.RawBlock("latex", "\\begin{Shaded}\n\\begin{Highlighting}[]\n" .. table.concat(out, "\n")
    .. "\n\\end{Highlighting}\n\\end{Shaded}")
end

return M
