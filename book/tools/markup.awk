# markup.awk: noweb front end for Markdown chapters.
#
# Reads chapters/NN-slug.md and writes noweb's pipeline representation
# (see noweb's Hacker's Guide).  Unlike noweb's own markup it never looks
# for << or [[ in prose, so C shifts, shell heredocs and [[ ]] tests need
# no escapes.  The rules an author has to know:
#   - "<<name>>=" alone at column 0 starts a code chunk (outside a ``` fence);
#   - "@" alone (or "@ text") at column 0 ends it;
#   - inside a code chunk, "<<name>>" standing alone on its line is a use.
# Exactly one @nl is emitted per source line, so notangle -L's #line
# directives point at the right line of the chapter.

function flush_begin_docs() {
    if (!indocs) { print "@begin docs " chunk; indocs = 1 }
}
function end_docs() {
    if (indocs) { print "@end docs " chunk++; indocs = 0 }
}
function end_code() {
    if (incode) { print "@end code " chunk++; incode = 0 }
}
function start_file(name) {
    end_code(); end_docs()
    print "@file " name
    fence = ""
}
BEGIN { chunk = 0 }
FNR == 1 { start_file(FILENAME) }
{
    line = $0
    sub(/\r$/, "", line)
}
# A definition: <<name>>= at column 0, outside a fenced block of prose.
fence == "" && line ~ /^<<.*>>=[ \t]*$/ {
    name = line
    sub(/^<</, "", name); sub(/>>=[ \t]*$/, "", name)
    end_code(); end_docs()
    print "@begin code " chunk
    print "@defn " name
    print "@nl"
    incode = 1
    next
}
incode && (line == "@" || line ~ /^@[ \t]/) {
    end_code()
    print "@begin docs " chunk
    indocs = 1
    rest = line; sub(/^@[ \t]*/, "", rest)
    if (rest != "") print "@text " rest
    print "@nl"
    next
}
incode && line ~ /^[ \t]*<<.*>>[ \t]*$/ && line !~ />>=[ \t]*$/ {
    indent = line; sub(/<<.*$/, "", indent)
    name = line
    sub(/^[ \t]*<</, "", name); sub(/>>[ \t]*$/, "", name)
    if (indent != "") print "@text " indent
    print "@use " name
    print "@nl"
    next
}
incode {
    if (line != "") print "@text " line
    print "@nl"
    next
}
{
    # Prose: track ``` and ~~~ fences so a chunk-like line inside an
    # example is shown, not tangled.
    if (fence == "" && match(line, /^(```+|~~~+)/)) fence = substr(line, 1, RLENGTH)
    else if (fence != "" && index(line, fence) == 1 && line ~ /^(```+|~~~+)[ \t]*$/) fence = ""
    flush_begin_docs()
    if (line != "") print "@text " line
    print "@nl"
}
END { end_code(); end_docs() }
