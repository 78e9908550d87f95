#!/usr/bin/env bats
# The EPUB book (book/ipc-book.epub), read as an e-reader would read it:
# valid EPUB 3; every link leads to a file it holds and an id in that file,
# across the files pandoc splits it into; a chunk's "used in" link leads
# to the chunk that uses it; the tangled files are there whole; the Korean
# glossary is in Hangul, in a font the EPUB embeds; the package says which
# book, in which language, which version and when.

load helpers/common

EPUB=$IPC_ROOT/book/ipc-book.epub

setup_file() {
    # `make check` has built it already (then this does nothing); run
    # alone, the tests build it as make would.
    env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$IPC_ROOT" epub \
        > "$BATS_FILE_TMPDIR/make.log" 2>&1 || { sed 's/^/# /' "$BATS_FILE_TMPDIR/make.log" >&3; return 1; }
    D=$BATS_FILE_TMPDIR/book
    mkdir -p "$D"
    unzip -q "$EPUB" -d "$D"
    export D
}

# xp FILE XPATH: the string XPATH gives in FILE (elements are matched by
# local-name(), since XHTML has a namespace)
xp() { xmllint --xpath "$2" "$1" 2>/dev/null || true; }

# the chapters' files, in the order of the book
texts() { ls "$D"/EPUB/text/ch*.xhtml; }

# chunk_named NAME: "FILE ID" of the chunk whose name (as shown) is NAME
chunk_named() {
    local f id
    for f in $(texts); do
        id=$(xp "$f" "string(//*[@class='chunk'][.//*[@class='chunk-name'][starts-with(normalize-space(.), '⟨$1⟩')]]/@id)")
        [ -n "$id" ] && { echo "$f $id"; return 0; }
    done
    return 1
}

# resolve FROM HREF: the "FILE ID" that HREF, in file FROM, leads to
resolve() {
    local file=${2%%#*}
    [ -n "$file" ] && file=$(dirname "$1")/$file || file=$1
    echo "$(realpath -m "$file") ${2#*#}"
}

@test "epubcheck, as Debian installs it, finds no error and no warning in the EPUB" {
    # (Java told that the run is short, as book/tools/check-epub does)
    run java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -jar "$(readlink -f "$(command -v epubcheck)")" \
        --failonwarnings "$EPUB"
    assert_success
    assert_output --partial "No errors or warnings detected"
    refute_output --regexp '(^|[[:space:]])(ERROR|WARNING|FATAL)'
}

@test "every link of the EPUB leads to a file it holds and an id in that file; one broken link is caught" {
    run "$IPC_ROOT/book/tools/check-epub" --links "$D"
    assert_success
    local n
    n=$(echo "$output" | grep -o '^check-epub: [0-9]*' | grep -o '[0-9]*$')
    # the chunk, identifier and claim links of fourteen chapters
    [ "$n" -gt 15000 ] || fail "only $n links"
    # the same book with one identifier link changed to an id that no file
    # holds, and one link of another file to a file that is not there
    local B=$BATS_TEST_TMPDIR/broken f g
    cp -r "$D" "$B"
    f=$(grep -l 'class="id"' "$B"/EPUB/text/ch*.xhtml | head -1)
    sed -i '0,/\(<a href="[^"#]*#\)\([^"]*\)" class="id"/s//\1\2-nowhere" class="id"/' "$f"
    run "$IPC_ROOT/book/tools/check-epub" --links "$B"
    assert_failure
    assert_output --partial "check-epub: 1 of $n links and references lead nowhere"
    assert_output --regexp "${f#"$B"/}: .*-nowhere \(no such id\)"
    g=$(grep -l 'href="ch[0-9]*\.xhtml#' "$B"/EPUB/text/ch*.xhtml | grep -v -x "$f" | head -1)
    sed -i '0,/href="ch\([0-9]*\)\.xhtml#/s//href="cx\1.xhtml#/' "$g"
    run "$IPC_ROOT/book/tools/check-epub" --links "$B"
    assert_failure
    assert_output --partial "check-epub: 2 of $n links and references lead nowhere"
    assert_output --regexp "${g#"$B"/}: EPUB/text/cx[0-9]+\.xhtml#.* \(no such file\)"
}

@test "a chunk's 'used in' link, named, leads to the chunk that uses it, and its use leads back" {
    local def use href back
    def=$(chunk_named "copy whole blocks until end of file") || fail "no such chunk"
    # its footer: "Used in chunk ⟨rwcopy: main⟩ N."
    href=$(xp "${def% *}" "string(//*[@id='${def#* }']//*[@class='chunk-foot']/*[starts-with(., 'Used in')]/*[local-name()='a'][1]/@href)")
    [ -n "$href" ] || fail "no used-in link"
    run xp "${def% *}" "string(//*[@id='${def#* }']//*[@class='chunk-foot']/*[starts-with(., 'Used in')])"
    assert_output --regexp '^Used in chunk ⟨rwcopy: main⟩ [0-9]+\.$'
    use=$(resolve "${def% *}" "$href")
    run xp "${use% *}" "string(//*[@id='${use#* }']//*[@class='chunk-name'])"
    assert_output --regexp '^⟨rwcopy: main⟩ [0-9]+$'
    # and in its code, the use of the first chunk links to it
    back=$(xp "${use% *}" "string(//*[@id='${use#* }']//*[local-name()='a'][@class='chunk-use'][starts-with(., '⟨copy whole blocks')]/@href)")
    assert_equal "$(resolve "${use% *}" "$back")" "$(realpath "${def% *}") ${def#* }"
}

@test "an identifier in another file's code leads to its definition; a claim mark to its test" {
    local def f href to
    def=$(chunk_named "read_full: loop until len bytes or end of file") || fail "no such chunk"
    # a use of read_full in the code of a chunk in another file
    f=$(grep -l '>read_full</a>' $(texts) | grep -v -x "${def% *}" | head -1)
    [ -n "$f" ] || fail "read_full is linked in no other file"
    href=$(xp "$f" "string((//*[local-name()='a'][@class='id'][.='read_full'])[1]/@href)")
    assert_equal "$(resolve "$f" "$href")" "$(realpath "${def% *}") ${def#* }"
    # the chunk it leads to says it defines read_full
    run xp "${def% *}" "count(//*[@id='${def#* }']//*[@class='chunk-foot']//*[@class='ident'][.='read_full'])"
    assert_output 1
    # a claim mark of chapter 2 leads to its row of the claims appendix
    f=$(grep -l '>PIPE-[0-9]*</a>' $(texts) | head -1)
    href=$(xp "$f" "string((//*[local-name()='a'][@class='claim'][starts-with(., 'PIPE-')])[1]/@href)")
    to=$(resolve "$f" "$href")
    [[ ${to#* } == claim-PIPE-* ]] || fail "the claim mark leads to ${to#* }"
    run xp "${to% *}" "string(//*[@id='${to#* }']/ancestor::*[local-name()='tr'])"
    assert_output --regexp "^${to#* claim-}"
}

@test "each tangled file is in the EPUB whole, and a chunk's 'whole file' link leads to it" {
    local f id text
    f=$(grep -l 'id="file-intro-rwcopy-c"' $(texts))
    # the file as the EPUB shows it: the code of its section, as text
    text=$(xp "$f" "string(//*[@id='file-intro-rwcopy-c']//*[local-name()='pre'])")
    assert_equal "$text" "$(cat "$IPC_ROOT/tangle/intro/rwcopy.c")"
    # rwcopy's main links to it from its breadcrumb
    id=$(chunk_named "rwcopy: main")
    run xp "${id% *}" "string(//*[@id='${id#* }']//*[@class='crumbs']//*[local-name()='a'][.='whole file']/@href)"
    assert_output --regexp '#file-intro-rwcopy-c$'
    # every file of tangle/ is there: the ids its sections would have,
    # none missing from the EPUB's
    run comm -23 <(cd "$IPC_ROOT/tangle" && find . -type f ! -path './bin/*' ! -name '*.[oa]' |
                       sed 's|^\./||; s/[^A-Za-z0-9_]/-/g; s/^/file-/' | sort) \
                 <(cat $(texts) | grep -o 'id="file-[^"]*"' | sed 's/^id="//; s/"$//' | sort)
    assert_success
    assert_output ""
    [ "$(find "$IPC_ROOT/tangle" -type f ! -path '*/bin/*' ! -name '*.[oa]' | wc -l)" -gt 100 ]
}

@test "the EPUB needs no script: no script element, transcripts told apart from code, figures as SVG" {
    run grep -l '<script' "$D"/EPUB/*.xhtml "$D"/EPUB/text/*.xhtml
    assert_failure
    # chapter 2's `yes | pipe_demo | head -n 1`: its output is output
    grep -q '<span class="out">141 141 0</span>' $(texts)
    # every Graphviz figure of the chapters is drawn, inline
    local dots svgs
    dots=$(grep -c '^```{\.dot' "$IPC_ROOT"/chapters/*.md | awk -F: '{ n += $2 } END { print n }')
    svgs=$(cat $(texts) | grep -o '<figure class="diagram">' | wc -l)
    assert_equal "$svgs" "$dots"
}

@test "the Korean glossary is in Hangul, in the Hangul font the EPUB embeds, cut down to its letters" {
    local g opf font css cps rows=0 f
    # the glossary's three tables, each in a file of its own
    g=$(grep -l 'lang="ko"' $(texts))
    for f in $g; do
        rows=$((rows + $(xp "$f" "count(//*[local-name()='tr'][*[1]/*[@lang='ko' and @class='ko']])")))
    done
    [ "$rows" -ge 60 ] || fail "$rows rows with Korean"
    opf=$(find "$D" -name '*.opf')
    font=$(xp "$opf" "string(//*[local-name()='item'][contains(@href, 'Nanum')]/@href)")
    [ -n "$font" ] || fail "no Nanum font in the manifest"
    font=$(dirname "$opf")/$font
    assert_file_exists "$font"
    run xp "$opf" "string(//*[local-name()='item'][contains(@href, 'Nanum')]/@media-type)"
    assert_output --regexp '^(font/ttf|application/(font-sfnt|vnd\.ms-opentype|x-font-ttf|x-font-truetype))$'
    # the stylesheet names it for text marked Korean
    css=$(find "$D" -name '*.css' -exec cat {} +)
    grep -q "@font-face { font-family: \"Nanum Myeongjo (book)\"; src: url(\"../fonts/${font##*/}\")" <<< "$css"
    grep -q '\.ko, :lang(ko) { font-family: "Nanum Myeongjo (book)"' <<< "$css"
    # every Hangul letter of the glossary has its glyph in the font
    cps=$(cat $g | LC_ALL=C.UTF-8 grep -oP '\p{Hangul}' | sort -u |
        while IFS= read -r c; do LC_ALL=C.UTF-8 printf '%x\n' "'$c"; done)
    [ "$(wc -l <<< "$cps")" -ge 100 ]
    run gawk -v charset="$(fc-query --format='%{charset}' "$font")" '
        BEGIN { n = split(charset, r, " ")
                for (i = 1; i <= n; i++) { split(r[i], b, "-"); lo[i] = strtonum("0x" b[1]); hi[i] = strtonum("0x" (b[2] == "" ? b[1] : b[2])) } }
        { c = strtonum("0x" $1); ok = 0
          for (i = 1; i <= n; i++) if (c >= lo[i] && c <= hi[i]) { ok = 1; break }
          if (!ok) { print "no glyph for U+" toupper($1); bad = 1 } }
        END { exit bad }' <<< "$cps"
    assert_success
    # cut down: the whole Nanum Myeongjo is 3.8 MB
    [ "$(stat -c %s "$font")" -lt 300000 ]
}

@test "the package names the book, its language, the version from git and the date it was built" {
    local opf v title
    opf=$(find "$D" -name '*.opf')
    run xp "$opf" "string(//*[local-name()='title'])"
    assert_output "Inter-Process Communication in C"
    run xp "$opf" "string(//*[local-name()='language'])"
    assert_output "en"
    run xp "$opf" "string(//*[local-name()='date'])"
    assert_output --regexp "^$(date -u -r "$EPUB" +%Y-%m-%d)"
    run xp "$opf" "string(//*[local-name()='description'])"
    assert_output --regexp '^Version [0-9a-z.-]+(, with changes not yet committed)?, built on [0-9]{4}-[0-9]{2}-[0-9]{2}\.$'
    # the version names a commit of this repository
    v=$(sed 's/^Version \([^ ,]*\).*/\1/' <<< "$output")
    git -C "$IPC_ROOT" rev-parse -q --verify "$v^{commit}" > /dev/null || fail "$v is no commit here"
    # and the title page says it too
    title=$(grep -l 'epub:type="titlepage"' "$D"/EPUB/text/*.xhtml)
    grep -q "<p class=\"version\">Version $v" "$title"
    grep -q "<p class=\"date\">Built on $(date -u -r "$EPUB" +%Y-%m-%d)</p>" "$title"
}

# night_pages: a page of each kind (a chunk, a transcript, a table, a
# figure, the claims, the indexes), as EPUB/text/chNNN.xhtml
night_pages() {
    local m
    for m in 'class="chunk"' 'class="transcript' '<table' '<figure' 'class="claim-id' \
        'class="index chunk-index' 'class="index ident-index' 'class="chunk-use'; do
        (cd "$D" && grep -l "$m" EPUB/text/*.xhtml | head -1)
    done | sort -u
}

@test "by day and in a reader's night mode every text reaches 4.5:1 against its background, no code panel glares at night, no token of code has a gap after it" {
    [ -d "$IPC_ROOT/tests/browser/node_modules/playwright-core" ] && [ -x "${CHROMIUM:-/usr/bin/chromium}" ] ||
        skip "needs Chromium and playwright-core (./build.sh installs them)"
    local pages
    pages=$(night_pages)
    [ "$(wc -w <<< "$pages")" -ge 6 ] || fail "too few kinds of page: $pages"
    # shellcheck disable=SC2086
    run node "$IPC_ROOT/tests/browser/epubnight.js" "$D" $pages
    [ "$status" -ne 75 ] || skip "$output"
    assert_success
    assert_output --regexp 'night: [0-9]+ elements with text, 0 below 4.5:1; [1-9][0-9]* code panels, brightest 0\.0'
    # the check sees a night without the dark theme: the light panels of
    # before, and their colours on the reader's dark page
    local L=$BATS_TEST_TMPDIR/light p
    cp -r "$D" "$L"
    p=$(cd "$D" && grep -l 'class="chunk"' EPUB/text/*.xhtml | head -1)
    awk '/^@media \(prefers-color-scheme: dark\) \{/ { skip = 1 } !skip { print } skip && /^}/ { skip = 0 }' \
        "$D/EPUB/styles/stylesheet1.css" > "$L/EPUB/styles/stylesheet1.css"
    ! grep -q 'prefers-color-scheme: dark) {' "$L/EPUB/styles/stylesheet1.css"
    run node "$IPC_ROOT/tests/browser/epubnight.js" "$L" "$p"
    assert_failure
    assert_output --partial "night: a code panel is bright"
}
