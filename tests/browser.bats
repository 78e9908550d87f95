#!/usr/bin/env bats
# The HTML book, read in headless Chromium as a reader would: screenshots
# (phone and desktop, light and dark, kept in tests/artifacts/browser/),
# nothing fetched from the network, every link landing, nothing wider than
# a 320 px screen, the copy button, the index filters, the theme toggle,
# the contents, contrast of code, and the whole book with scripts off; and
# the book in pages (book/html/): its links, its text, search, peeks and
# whole files across pages, and every page with scripts off.
#
# Needs book/ipc-book.html (`make check` builds it), node, the npm packages
# of tests/browser (`npm ci` there; build.sh does it) and /usr/bin/chromium
# (or CHROMIUM=...).  Where the browser cannot start, the tests skip.

load helpers/common

# Chromium starts once for the whole file: setup_file runs every check of
# read.js in one browser, and each test reports one check's verdict.
setup_file() {
    export BOOK=$IPC_ROOT/book/ipc-book.html
    export ARTEFACTS=$IPC_ROOT/tests/artifacts/browser
    export RESULTS=$BATS_FILE_TMPDIR/results
    mkdir -p "$RESULTS" "$ARTEFACTS"
    rm -f "$ARTEFACTS"/*.png
    [ -f "$BOOK" ] && command -v node >/dev/null && command -v clang >/dev/null && judge_links
    [ -f "$BOOK" ] && [ -d "$IPC_ROOT/tests/browser/node_modules/playwright-core" ] &&
        [ -x "${CHROMIUM:-/usr/bin/chromium}" ] && command -v node >/dev/null || return 0
    # every check in one browser: 250 s measured on two CPUs shared by ten
    # processes, with 11 checks; with 19, about 600 s at load 10 to 13 on
    # two CPUs (a test has 60 s, so they run here; each check's time is in
    # $RESULTS/browser.out); with the five checks of the pages (about 65 s
    # of it, 40 s of that every page without scripts), the file took 177 s
    # at load 0.2 to 4 on two CPUs
    timeout -k 5 1500 node "$IPC_ROOT/tests/browser/read.js" all "$BOOK" "$ARTEFACTS" \
        "$RESULTS" > "$RESULTS/browser.out" 2>&1
    echo $? > "$RESULTS/browser.status"
}

# judge_links: tests/browser/idlinks.js on the book and on copies of it with
# one wrong link planted each (clang parses every C file once for all; about
# 95 s on the loaded machine, more than a test's 60 s, so setup_file runs it
# when clang is there).  The output goes to $RESULTS/idlinks.out.
judge_links() {
    local t=$RESULTS/planted label
    mkdir -p "$t"
    # a library function linked, as printf once was to a chunk calling it
    label=$(grep -o '<a class="id" href="#[^"]*">usage</a>' "$BOOK" | head -1 | sed 's/.*href="#//; s/".*//')
    # (in the first C chunk that calls it: code lines are plain text with
    # spans only on tokens that have a colour, see html.lua)
    perl -0pe 's{(<code class="sourceCode c">(?:(?!</code>).)*?)\bprintf\(}{$1<a class="id" href="#'"$label"'">printf</a>(}s' "$BOOK" > "$t/printf.html"
    # a link inside a string
    perl -0pe 's{(<span class="st">&quot;)usage}{$1<a class="id" href="#'"$label"'">usage</a>}' "$BOOK" > "$t/string.html"
    # a local variable linked: the first "n =" in code
    perl -0pe 's{(<code class="sourceCode c">(?:(?!</code>).)*?\n[ \t]+)n =}{$1<a class="id" href="#'"$label"'">n</a> =}s' "$BOOK" > "$t/local.html"
    # the index repeating a false definition
    perl -0pe 's{(<ul class="index ident-index"[^>]*>\n)}{$1<li data-filter="_noreturn"><code>_Noreturn</code>: defined in <a class="defn" href="#'"$label"'">1</a></li>\n}' "$BOOK" > "$t/index.html"
    echo "label $label" > "$RESULTS/idlinks.out"
    local rc=0
    timeout -k 5 400 node "$IPC_ROOT/tests/browser/idlinks.js" "$IPC_ROOT" "$BOOK" \
        "$t/printf.html" "$t/string.html" "$t/local.html" "$t/index.html" >> "$RESULTS/idlinks.out" 2>&1 || rc=$?
    echo $rc > "$RESULTS/idlinks.status"
}

setup() {
    [ -f "$BOOK" ] || fail "book/ipc-book.html is missing: run \`make html\` first (\`make check\` does)"
    [ "$BOOK" -nt "$IPC_ROOT/book/build/book.md" ] || [ ! -f "$IPC_ROOT/book/build/book.md" ] ||
        fail "book/ipc-book.html is older than the woven book: run \`make html\`"
    command -v node >/dev/null || skip "node is not installed (Debian: nodejs; ./build.sh installs it)"
    ipc_audit_begin
}

# the checks that need the browser (read_book does this first)
needs_browser() {
    [ -d "$IPC_ROOT/tests/browser/node_modules/playwright-core" ] ||
        skip "playwright-core is not installed: run \`npm ci\` in tests/browser (./build.sh does)"
    [ -x "${CHROMIUM:-/usr/bin/chromium}" ] ||
        skip "no browser at ${CHROMIUM:-/usr/bin/chromium} (Debian: chromium; ./build.sh installs it)"
}

teardown() {
    ipc_audit_end
}

# read_book CHECK: the verdict of one check of tests/browser/read.js; skip
# if the browser could not start here, fail with its reasons otherwise.
read_book() {
    local status
    needs_browser
    status=$(cat "$RESULTS/browser.status")
    [ "$status" -ne 75 ] || skip "$(cat "$RESULTS/browser.out")"
    [ "$status" -eq 0 ] || fail "read.js all: status $status: $(cat "$RESULTS/browser.out")"
    [ -f "$RESULTS/$1.status" ] || fail "read.js did not run the check $1"
    [ "$(cat "$RESULTS/$1.status")" = 0 ] || fail "$(cat "$RESULTS/$1.out")"
}

@test "screenshots at 390x844 and 1280x800, light and dark, are kept as artefacts" {
    read_book shots
    local v s
    for v in phone-390x844 desktop-1280x800; do
        for s in light dark; do
            assert_file_exists "$ARTEFACTS/$v-$s.png"
            assert_file_exists "$ARTEFACTS/$v-$s-chunk.png"
        done
    done
    assert_file_exists "$ARTEFACTS/phone-390x844-dark-menu.png"
}

@test "while the page loads, nothing but file: and data: is requested" {
    read_book offline
}

@test "every internal link lands on an element, every chunk link on a chunk" {
    read_book links
}

@test "at 320 px no element is wider than the screen" {
    read_book narrow
}

@test "the copy button puts the chunk's exact text on the clipboard" {
    read_book copy
}

@test "the filter box finds a chunk by a word of its name, and narrows the contents" {
    read_book filter
}

@test "with JavaScript disabled the page still shows every chapter" {
    read_book nojs
}

@test "code text stands out from its background by 4.5:1 or more, light and dark" {
    read_book contrast
}

@test "the theme toggle flips the theme and remembers the choice across a reload" {
    read_book theme
}

@test "the sidebar marks the section being read; the phone menu closes on a choice" {
    read_book contents
}

@test "on a desktop a chunk has at most two rows of chrome (head and breadcrumb, footer); every chunk number names its chunk" {
    read_book chrome
}

# Item 1 of issue 9: a link on an identifier in code goes to its definition,
# or there is none.  tests/browser/idlinks.js judges every link of the book
# by what clang sees in the tangled C (see there); the same run judges
# copies of the book with one wrong link planted each, so the check is
# seen to catch what it is for.
@test "every identifier link in the code, the footers and the index goes to a definition clang agrees with" {
    command -v clang >/dev/null || skip "clang is not installed (Debian: clang): it is the judge of the links"
    [ -f "$RESULTS/idlinks.status" ] || fail "idlinks.js did not run: $(cat "$RESULTS/idlinks.out" 2>/dev/null)"
    local t=$RESULTS/planted m
    for m in printf string local index; do ! cmp -s "$BOOK" "$t/$m.html" || fail "could not plant a wrong link ($m)"; done
    output=$(cat "$RESULTS/idlinks.out")
    # the book itself: links checked, none wrong
    local book
    book=$(awk -v f="$BOOK" '$0 == "== " f { on = 1; next } /^== / { on = 0 } on' <<< "$output")
    echo "$book" | head -20
    grep -qE 'identifier links in code: [0-9]{3,}, wrong: 0;' <<< "$book"
    grep -q 'wrong in all: 0$' <<< "$book"
    # each planted link is caught, for its reason
    section() { awk -v f="$t/$1.html" '$0 == "== " f { on = 1; next } /^== / { on = 0 } on' <<< "$output"; }
    section printf | grep -q 'wrong: .*: printf -> chunk [0-9]*: it is not defined in the book'
    section string | grep -q 'wrong: .*: usage -> .*inside a comment, string'
    section local | grep -q 'wrong: .*: n -> .*local variable'
    section index | grep -q 'wrong: index: _Noreturn "defined in"'
    [ "$(cat "$RESULTS/idlinks.status")" = 1 ]
}

# Item 5 of issue 9: a shell session in a ```sh block ("$ " before each
# command) is shown as one: commands highlighted after a prompt, every other
# line plain output, never coloured as shell (once "141" and "y" were red).
@test "every shell transcript shows its commands after a prompt and its output as plain text" {
    run node "$IPC_ROOT/tests/browser/transcripts.js" "$IPC_ROOT" "$BOOK"
    echo "$output" | head -20
    assert_success
    assert_line --regexp '^transcripts in the chapters: [1-9][0-9]*, in the HTML: [1-9]'
    # the prompt is not copied with the commands; the output is muted
    grep -q 'pre.transcript .prompt {[^}]*user-select: none' "$IPC_ROOT/book/tools/book.css"
    grep -q 'pre.transcript .out { color: var(--muted); }' "$IPC_ROOT/book/tools/book.css"
}

# Item 2 of issue 9: a search of the whole book, over the page.
@test "\"/\" searches prose and code, ranked, with excerpts; Escape and Back return the reader where they were" {
    read_book search
}

@test "the arrow keys go to the previous and next chapter, but not while typing in a box" {
    read_book keys
}

@test "peeks hold no copy of code until opened (the browser's find meets each line once), and then show the chunk exactly" {
    read_book peeks
}

# Item 6 of issue 9: the HTML alone is the whole book.
@test "every tangled file can be viewed and downloaded from a copy of the HTML alone, equal to tangle/" {
    read_book files
}

# Item 3 of issue 9: the chunk explained with a real one, and less chrome.
@test "\"How to read this book\" shows a real chunk with its parts numbered as the list explains them, and a claim badge" {
    read_book annotated
}

# Item 7 of issue 9, its HTML parts.
@test "figures: no Graphviz tooltips, each named by its caption, no bright panel in the dark theme" {
    read_book figures
}

@test "on a 320 px phone, code that scrolls sideways shows a shadow at the edge that hides more" {
    read_book scrollhint
}

# Item 7 of issue 9: the fonts are the book's own.
@test "the fonts are embedded: each face is added from the file before the first layout (none left unloaded), draws the text (not a system font), and has every character the text uses" {
    read_book fonts
}

@test "the character check fails for a font subset that lacks one character the book uses" {
    read_book fonts
    /usr/bin/python3 -c 'import fontTools, brotli' ||
        fail "python3-fonttools and python3-brotli are missing (./build.sh installs them)"
    local check=$IPC_ROOT/tests/browser/fontcover.py uses=$RESULTS/fontuses.json
    run /usr/bin/python3 "$check" check "$BOOK" "$uses"
    assert_success
    # "e" dropped from the text face, as a subset cut from too few
    # characters would: every "e" of the prose has no embedded font
    run /usr/bin/python3 "$check" drop "$BOOK" "Book Serif" 400 normal e "$BATS_TEST_TMPDIR/drop.html"
    assert_success
    run /usr/bin/python3 "$check" check "$BATS_TEST_TMPDIR/drop.html" "$uses"
    assert_failure
    assert_output --partial 'not covered: U+0065 e in "Book Serif"'
}

# Item 8 of issue 9: the book in pages (book/tools/pages, book/html/), fast
# on a slow phone; tests/browser/perf.js measures it, these check it reads.
@test "the pages: every link lands on a page and an element; each chunk and section on one page; together the one file's text; each opens with a heading; none over 80 KB" {
    read_book pages
}

@test "the pages: \"/\" finds a word in the prose of another page and opens it there; Escape and Back return" {
    read_book pagesearch
}

@test "the pages: a peek and a whole tangled file from chunks on other pages show what the one file and tangle/ hold" {
    read_book pagepeeks
}

@test "the pages: the arrow keys open the next and previous chapter; an index's filter finds entries on its other pages" {
    read_book pagekeys
}

@test "the pages: with scripts off every page shows its text, in the book's own faces, and nothing but file: is loaded" {
    read_book pagesnojs
}

@test "the pages: the book's faces come from fonts.js before the first layout, none fetched by a style sheet (which it would without fonts.js) and none left unloaded" {
    read_book pagefonts
}

@test "the pages' link check fails on a link to a page or an id that is not there" {
    # (a copy, with the one file its pages link to beside it)
    local t=$BATS_TEST_TMPDIR/html
    cp -r "$IPC_ROOT/book/html" "$t"
    cp "$IPC_ROOT/book/ipc-book.html" "$BATS_TEST_TMPDIR/"
    run "$IPC_ROOT/book/tools/check-html" "$t"
    assert_success
    # a link to a section on another page, its id misspelt
    sed -i '0,/href="\([a-z0-9_-]*\.html\)#/s//href="\1#no-such-/' "$t/index.html"
    run "$IPC_ROOT/book/tools/check-html" "$t"
    assert_failure
    assert_output --partial 'links to pages or ids that do not exist'
    assert_output --partial '#no-such-'
}
