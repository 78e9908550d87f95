#!/usr/bin/env bats
# Tests of the book's own machinery: tangling, building, weaving, checking.
# Most work on a copy of the repository, built once in setup_file, so that
# breaking a chapter on purpose never touches the real one.

load helpers/common

# Several tests here build a PDF, some more than once: on a loaded 2-CPU
# machine one of them took 68 s, past the suite's 60 s.
BATS_TEST_TIMEOUT=180

# The copies are built as from a shell: not with the options (SANITIZE=1,
# say) of the make that runs these tests.
unset MAKEFLAGS MFLAGS MAKELEVEL SANITIZE VALGRIND T BUILD CHAPTERS

# copy_repo DEST: the repository's files, without anything built, and a
# book of the first three chapters only: the machinery is the same for
# any number of chapters, and a copy of all of them would make every
# rebuild here grow with the book.  The appendices are left out with the
# chapters their links lead to.  tangle/ is left out: the build makes
# it again from the chapters that are there.
copy_repo() {
    mkdir -p "$1"
    tar -C "$IPC_ROOT" --exclude=./.git --exclude=./book/build \
        --exclude=./book/ipc-book.html --exclude=./book/ipc-book.pdf \
        --exclude=./tangle --exclude='*.o' --exclude='*.a' \
        --exclude='./chapters/0[4-9]-*' --exclude='./chapters/[1-9][0-9]-*' \
        --exclude='./tests/0[4-9]-*' --exclude='./tests/[1-9][0-9]-*' \
        --exclude='./chapters/appendix-*' --exclude=./tests/glossary.bats \
        --exclude=node_modules --exclude=./tests/artifacts -cf - . |
        tar -C "$1" -xf -
}

setup_file() {
    export BUILT=$BATS_FILE_TMPDIR/built
    copy_repo "$BUILT"
    # A git repository of its own, so that the PDF's title page has a
    # version to show (book/tools/version asks git for it).
    git -C "$BUILT" init -q
    git -C "$BUILT" add -A
    git -C "$BUILT" -c user.name=test -c user.email=test@example.invalid \
        commit -q -m "the book under test"
    # A clean build of everything: programs, HTML and PDF.
    local start=$SECONDS
    make -C "$BUILT" -j2 all > "$BATS_FILE_TMPDIR/build.log" 2>&1 || {
        cat "$BATS_FILE_TMPDIR/build.log" >&3; return 1; }
    echo "# clean build (programs, HTML, PDF): $((SECONDS - start)) s" >&3
}

# A fresh copy of the built tree for a test that changes something.
scratch_copy() {
    S=$BATS_TEST_TMPDIR/repo
    cp -a "$BUILT" "$S"
}

# chapters [ROOT]: the chapter files of ROOT (default: this repository)
chapters() { ls "${1:-$IPC_ROOT}"/chapters/[0-9][0-9]-*.md; }

@test "tangle/ holds exactly what the chapters say (it is not stale)" {
    local c fresh=$BATS_TEST_TMPDIR/tangle
    mkdir -p "$fresh"
    for c in $(chapters); do
        (cd "$IPC_ROOT" && book/tools/tangle "chapters/${c##*/}" \
            "$BATS_TEST_TMPDIR/src" "$fresh" "$BATS_TEST_TMPDIR/mk")
    done
    run diff -r -x bin -x '*.o' -x '*.a' "$fresh" "$IPC_ROOT/tangle"
    assert_success
}

@test "make a second time does nothing" {
    run make -C "$BUILT" -q all
    assert_success
    run make -C "$BUILT" all
    assert_output --partial "Nothing to be done for 'all'"
    refute_output --partial "cc "
}

# break_got_line FROM TO: in a scratch copy, change FROM to TO in one line
# of chapter 1 (read_full's `got += (size_t)n;`), whose number is left in
# $line, and build the programs, which must now fail.
break_got_line() {
    scratch_copy
    local ch=$S/chapters/01-introduction.md
    line=$(grep -n '^        got += (size_t)n;' "$ch" | cut -d: -f1)
    sed -i "${line}s|$1|$2|" "$ch"
    run make -C "$S" programs
    assert_failure
}

@test "a C error in a chunk is reported at its line in the chapter" {
    break_got_line '(size_t)n;' '(size_t)nn;'
    assert_output --regexp "chapters/01-introduction\.md:$line:[0-9]+: error: .nn. undeclared"
}

@test "a syntax error (a missing semicolon) is reported at its line in the chapter" {
    break_got_line '(size_t)n;' '(size_t)n'
    assert_output --regexp "chapters/01-introduction\.md:$line:[0-9]+: error: expected .;. before"
}

@test "a compiler warning fails the build" {
    scratch_copy
    local ch=$S/chapters/01-introduction.md
    sed -i 's/^    size_t got = 0;$/    size_t got = 0, unused;/' "$ch"
    run make -C "$S" programs
    assert_failure
    assert_output --regexp "chapters/01-introduction\.md:[0-9]+:[0-9]+: error: unused variable .unused."
}

@test "an undefined chunk fails the build" {
    scratch_copy
    sed -i 's/^<<copy whole blocks until end of file>>=$/<<copy whole blocks>>=/' \
        "$S/chapters/01-introduction.md"
    run make -C "$S" programs
    assert_failure
    assert_output --regexp "chapters/01-introduction\.md:[0-9]+: undefined chunk <<copy whole blocks until end of file>>"
}

@test "using a chunk of another chapter fails with where it is defined and what to do" {
    scratch_copy
    printf '# Scratch {#ch:borrow}\n\n<<scratch/borrow.c>>=\n<<copy whole blocks until end of file>>\n@\n' \
        > "$S/chapters/97-borrow.md"
    run make -C "$S" programs
    assert_failure
    assert_output --partial "chapters/97-borrow.md:4: chunk <<copy whole blocks until end of file>> is defined in chapters/01-introduction.md, not here: chunks are per chapter; put code that chapters share into lib/, in chapter 1"
}

@test "a root chunk that nothing builds (a misspelt use) fails the build" {
    scratch_copy
    printf '\n<<orphan chunk>>=\nint x;\n@\n' >> "$S/chapters/01-introduction.md"
    run make -C "$S" programs
    assert_failure
    assert_output --partial "root chunk <<orphan chunk>> is not a file the build knows"
}

@test "a root of a kind the build does not know fails the build, naming the kinds it knows" {
    scratch_copy
    printf '\n<<intro/notes.md>>=\nsome notes\n@\n' >> "$S/chapters/01-introduction.md"
    run make -C "$S" programs
    assert_failure
    assert_output --partial "root chunk <<intro/notes.md>> is not a file the build knows (lib/*.c, *.c, *.h, Makefile,"
}

@test "kinds.awk alone decides what a root is and the language of its chunks" {
    run gawk -f "$IPC_ROOT/book/tools/kinds.awk" -e 'BEGIN {
        n = split("lib/io.c pipe/pipe_demo.c lib/io.h Makefile pipe/bench.sh pipe/plot.gp notes.md", r, " ")
        for (i = 1; i <= n; i++) print r[i] ": " kind(r[i]) "/" lang(r[i]) }'
    assert_success
    assert_output "$(printf '%s\n' 'lib/io.c: lib/c' 'pipe/pipe_demo.c: prog/c' 'lib/io.h: header/c' \
        'Makefile: file/makefile' 'pipe/bench.sh: file/bash' 'pipe/plot.gp: file/' 'notes.md: /')"
    # the same rule gives the woven chunks their language
    grep -q '^lang makefile$' "$BUILT/book/build/book.md"
    grep -q '^lang bash$' "$BUILT/book/build/book.md"
}

@test "a code line wider than 80 columns fails the build" {
    break_got_line '$' "$(printf '%*s' 70 '')/* too wide */"
    assert_output --partial "chapters/01-introduction.md:$line: code line is"
}

@test "a code line that fits in its chunk but not once indented where the chunk is used fails the build" {
    scratch_copy
    # 78 columns in the chunk, 82 in tangle/scratch/wide.c
    printf '# Scratch {#ch:wide}\n\n<<scratch/wide.c>>=\nint main(void)\n{\n    <<return at once>>\n}\n@\n\n<<return at once>>=\nreturn 0;%*s/* %s */\n@\n' \
        56 '' 'at once' > "$S/chapters/96-wide.md"
    [ "$(sed -n 11p "$S/chapters/96-wide.md" | wc -L)" -eq 78 ]
    run make -C "$S" programs
    assert_failure
    assert_output --partial "chapters/96-wide.md:11: code line is 82 columns wide in tangle/scratch/wide.c:3, indented where its chunk is used; the limit is 80"
}

@test "a chunk name defined in two chapters fails the weave" {
    scratch_copy
    printf '# Scratch\n\n<<scratch/twice.c>>=\n<<the table of names to remove>>\n@\n\n<<the table of names to remove>>=\nint x;\n@\n' \
        > "$S/chapters/98-twice.md"
    run make -C "$S" html
    assert_failure
    assert_output --partial "chunk <<the table of names to remove>> is defined in both"
}

@test "a claim marked in the prose without a test named after it fails the weave" {
    scratch_copy
    printf '\nA claim nobody checks [NOPE-01]{.claim}.\n' >> "$S/chapters/01-introduction.md"
    run make -C "$S" html
    assert_failure
    assert_output --partial "marks claim NOPE-01, but no test is named after it"
}

@test "a new chapter and its tests are picked up with no other edit" {
    scratch_copy
    cat > "$S/chapters/99-scratch.md" <<'EOF'
# A throwaway chapter {#ch:scratch}

It has one program, which says hello [SCRATCH-01]{.claim}.

<<scratch/scratch_hello.c>>=
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
int main(void)
{
    <<say hello>>
}
@

<<say hello>>=
return puts("hello from a new chapter") == EOF;
@
EOF
    # (printf, not a heredoc: bats would rewrite a line starting "@test".)
    printf '%s\n' 'load helpers/common' \
        '@test "SCRATCH-01: the program of the new chapter runs" {' \
        '    run -0 scratch_hello' \
        '    assert_output "hello from a new chapter"' '}' > "$S/tests/99-scratch.bats"
    run make -C "$S" all
    assert_success
    assert_file_exists "$S/book/build/plain/bin/scratch_hello"
    assert_file_exists "$S/tangle/scratch/scratch_hello.c"
    grep -q 'A throwaway chapter' "$S/book/ipc-book.html"
    pdftotext "$S/book/ipc-book.pdf" - | grep -q 'A throwaway chapter'
    # A clean environment: the outer bats exports variables that would
    # confuse the inner one.
    run env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$HOME" make -C "$S" check T=99-scratch
    assert_success
    assert_output --partial "1 passed, 0 failed"
}

@test "every internal link of the HTML book resolves, and nothing is fetched from the network" {
    run "$BUILT/book/tools/check-html" "$BUILT/book/ipc-book.html"
    assert_success
    local n
    n=$(grep -o 'href="#' "$BUILT/book/ipc-book.html" | wc -l)
    [ "$n" -gt 100 ]
}

@test "the HTML check catches a dangling link, a duplicate id and a remote script" {
    local h=$BATS_TEST_TMPDIR/b.html
    sed 's|</main>|<a href="#no-such-place">x</a></main>|' "$BUILT/book/ipc-book.html" > "$h"
    run "$BUILT/book/tools/check-html" "$h"
    assert_failure
    assert_output --partial "#no-such-place"
    sed 's|</main>|<p id="claims">again</p></main>|' "$BUILT/book/ipc-book.html" > "$h"
    run "$BUILT/book/tools/check-html" "$h"
    assert_failure
    assert_output --partial "duplicate ids"
    sed 's|</main>|<script src="https://cdn.example/x.js"></script></main>|' "$BUILT/book/ipc-book.html" > "$h"
    run "$BUILT/book/tools/check-html" "$h"
    assert_failure
    assert_output --partial "network"
}

@test "every chunk in the HTML carries its cross-reference footer" {
    local html=$BUILT/book/ipc-book.html chunks feet
    chunks=$(grep -c '<div class="chunk" id=' "$html")
    feet=$(grep -o '<div class="chunk-foot"><p>\(Continues chunk\|Continued in\|Used in\|Root chunk\)' "$html" | wc -l)
    [ "$chunks" -gt 20 ]
    assert_equal "$feet" "$chunks"
}

@test "every plot is drawn inline in the HTML, its text in the page's fonts, not as an image" {
    local html=$BUILT/book/ipc-book.html plots inline
    # an image cannot use the page's embedded fonts (issue 9, item 7)
    plots=$(cat "$BUILT"/chapters/*.md | grep -c '^!\[.*\](.*\.svg)$')
    inline=$(grep -c '<figure class="plot">' "$html")
    # (the copy holds chapters 1 to 3, see setup_file: one plot)
    [ "$plots" -ge 1 ] || fail "no plot in $BUILT/chapters"
    assert_equal "$inline" "$plots"
    assert_equal "$(grep -c '<svg role="img" aria-labelledby="plotcap-' "$html")" "$plots"
    run grep -c '<img[^>]*src="data:image/svg' "$html"
    assert_output 0
    # each plot's ids are its own (every plot defines gpPt0)
    assert_equal "$(grep -o 'id=.plot[0-9]*-gpPt0.' "$html" | sort -u | wc -l)" "$plots"
}

@test "chunk uses inside highlighted code are links to their definitions" {
    local html=$BUILT/book/ipc-book.html
    run grep -o '<a class="chunk-use" href="#[^"]*">⟨copy whole blocks until end of file⟩' "$html"
    assert_success
}

@test "the book ends with a chunk index, an identifier index and the claims" {
    local html=$BUILT/book/ipc-book.html
    grep -q 'id="index-chunks"' "$html"
    grep -q 'id="index-identifiers"' "$html"
    grep -q 'id="claims"' "$html"
    grep -q '<li data-filter="read_full"><code>read_full</code>: defined in' "$html"
}

@test "the PDF has every chapter and both indexes, with working page references" {
    local pdf=$BUILT/book/ipc-book.pdf text c title
    text=$(pdftotext "$pdf" -)
    for c in $(chapters "$BUILT"); do
        title=$(grep -m1 '^# ' "$c" | sed 's/^# //; s/ {.*//')
        grep -qF "$title" <<< "$text" || { echo "missing chapter: $title"; false; }
    done
    grep -q 'Index of chunks' <<< "$text"
    grep -q 'Index of identifiers' <<< "$text"
    grep -qE 'Used in chunk [0-9]+ \(p\. ?[0-9]+\)' <<< "$text"
    refute grep -q '??' <<< "$text"
    # identifiers inside the code are links too, e.g. read_full in rwcopy
    grep -q 'hyperlink{[^}]*}{read\\_full}' "$BUILT/book/build/pdf/book.tex"
}

@test "the PDF sets a shell transcript's output as plain text, never as an error or a command" {
    local tex=$BUILT/book/build/pdf/book.tex text
    # chapter 2: `yes | pipe_demo | head -n 1` and its output y, 141 141 0
    grep -qF '\NWout{y}' "$tex"
    grep -qF '\NWout{141 141 0}' "$tex"
    # chapter 3: "(Interrupted" was once underlined as an error token
    grep -qF '\NWout{fifo\_open: open f: Interrupted system call}' "$tex"
    refute grep -q 'ErrorTok{\|AlertTok{' "$tex"
    text=$(pdftotext "$BUILT/book/ipc-book.pdf" -)
    grep -qF '$ yes | pipe_demo | head -n 1' <<< "$text"
}

@test "in the PDF, identifiers link to their definitions and a C library function never does" {
    local tex=$BUILT/book/build/pdf/book.tex
    grep -q 'hyperlink{[^}]*}{read\\_full}' "$tex"
    refute grep -q 'hyperlink{[^}]*}{printf}' "$tex"
    refute grep -q 'hyperlink{[^}]*}{\\_Noreturn}' "$tex"
}

@test "tangle/Makefile builds every program with nothing but cc and make" {
    scratch_copy
    run make -C "$S/tangle"
    assert_success
    assert_equal "$(ls "$S/tangle/bin")" "$(ls "$S/book/build/plain/bin" | grep -v '\.d$')"
}

@test "tangle/Makefile rebuilds a program whose source changed, and every program when a header changed" {
    scratch_copy
    run make -C "$S/tangle"
    assert_success
    sed -i 's/"usage: pipe_demo /&EDITED /' "$S/tangle/pipe/pipe_demo.c"
    run make -C "$S/tangle"
    assert_success
    assert_output --partial "bin/pipe_demo pipe/pipe_demo.c"
    refute_output --partial "bin/rwcopy"
    run "$S/tangle/bin/pipe_demo" -h
    assert_output --partial "EDITED"
    echo '/* edited */' >> "$S/tangle/lib/io.h"
    run make -C "$S/tangle"
    assert_success
    assert_output --partial "bin/rwcopy intro/rwcopy.c"
    assert_output --partial "bin/fifo_server fifo/fifo_server.c"
}

@test "the PDF build fails on a code line past the margin, a missing glyph, an undefined reference" {
    local d=$BATS_TEST_TMPDIR/pdf kind
    for kind in wide glyph ref; do
        rm -rf "$d"; mkdir -p "$d"
        # with the cross-references of the real build, one xelatex pass
        # settles: three runs of three passes each took 270 s at load 12
        cp "$BUILT/book/build/pdf/book."{tex,aux,toc,out} "$d/"
        case $kind in
        wide)  # a line of 100 columns in the first chunk
            awk '{ print } /^\\begin\{Highlighting\}/ && !done { printf "\\NormalTok{/* %096d */}\n", 0; done = 1 }' \
                "$BUILT/book/build/pdf/book.tex" > "$d/book.tex" ;;
        glyph) sed -i '0,/^Two processes/s//Two 漢字 processes/' "$d/book.tex" ;;
        ref)   sed -i '0,/^Two processes/s//Two \\ref{nowhere} processes/' "$d/book.tex" ;;
        esac
        run "$IPC_ROOT/book/tools/latex" "$d/book.tex"
        assert_failure
        case $kind in
        wide)  assert_output --partial "a code line is wider than the page" ;;
        glyph) assert_output --partial "a glyph is missing" ;;
        ref)   assert_output --partial "undefined references" ;;
        esac
    done
}

@test "every chunk reference in the PDF carries the page of its chunk, a use inside code too" {
    local text
    run "$IPC_ROOT/book/tools/check-pdf" "$BUILT/book/ipc-book.pdf"
    assert_success
    # the text block of each page, without running heads and page numbers
    text=$(pdftotext -x 0 -y 70 -W 596 -H 700 "$BUILT/book/ipc-book.pdf" -)
    run "$IPC_ROOT/book/tools/pdf-refs.pl" <<< "$text"
    assert_success
    # rwcopy's main uses this chunk inside its code
    grep -qE '⟨copy whole blocks until end of file⟩ [0-9]+ \(p\. [0-9]+\)' <<< "$text"
    grep -qE 'Uses [a-z_]+ [0-9]+ \(p\. [0-9]+\)' <<< "$text"
    grep -qE '◁ [0-9]+ \(p\. [0-9]+\)' <<< "$text"
    # and the check finds a reference without its page, of every kind
    local bad
    for bad in '⟨some chunk⟩ 12' 'Used in chunk 12.' 'Continued in chunks 12 (p. 3), 14.' \
        'Uses read_full 10 (p. 3), write_full 11.' '◁ 12' '14 ▷' \
        'x: defined in 12 (p. 3), used in 13 (p. 4), 15 (p. 5), 16'; do
        run "$IPC_ROOT/book/tools/pdf-refs.pl" <<< "$text
$bad"
        assert_failure
        assert_output --partial "no page: "
    done
}

# page N of the PDF as laid out text
pdf_page() { pdftotext -layout -f "$1" -l "$1" "$BUILT/book/ipc-book.pdf" -; }

@test "the PDF's title page gives the version from git and the date of the build" {
    local version
    version=$(git -C "$BUILT" describe --tags --always)
    run pdf_page 1
    assert_output --partial "Inter-Process Communication in C"
    assert_output --partial "Version $version"
    refute_output --partial "not yet committed"
    assert_output --regexp "Built on $(date -u +%Y)-[0-9]{2}-[0-9]{2}"
    # a tree with changes not yet committed says so
    scratch_copy
    echo >> "$S/chapters/01-introduction.md"
    (cd "$S/book/build/pdf" && "$S/book/tools/latex" book.tex)
    run pdftotext -l 1 "$S/book/build/pdf/book.pdf" -
    assert_output --partial "Version $version, with changes not yet committed"
}

@test "the PDF has running heads, a contents that reads, and lines of 60 to 75 characters" {
    local pdf=$BUILT/book/ipc-book.pdf text
    text=$(pdftotext -layout "$pdf" - | tr -d '\f')
    # a chapter's pages carry its title and the section's in the head
    [ "$(grep -cE '^ *2 Pipes +2\.[0-9]+ [A-Z]' <<< "$text")" -ge 10 ]
    [ "$(grep -cE '^ *1 Introduction +1\.[0-9]+ [A-Z]' <<< "$text")" -ge 10 ]
    # the contents: a number never runs into its title ("1.10Further")
    run pdftotext -layout -f 2 -l 3 "$pdf" -
    assert_output --regexp '1\.10 +[A-Z]'
    refute_output --regexp '[0-9]\.[0-9]+[A-Za-z]'
    # the measure: the full lines of the book's first paragraphs (a
    # paragraph's last line is shorter), spaces as a reader counts them
    grep -A20 '^ *Two processes on one machine' <<< "$text" | sed '/^ *$/q' |
        sed 's/^ *//; s/ *$//; s/  */ /g' | awk 'length($0) >= 50' > "$BATS_TEST_TMPDIR/lines"
    [ "$(wc -l < "$BATS_TEST_TMPDIR/lines")" -ge 5 ]
    run awk '{ n = length($0); sum += n; if (n > 75) print "too long: " n ": " $0 }
        END { if (sum / NR < 60 || sum / NR > 75) print "mean " sum / NR }' "$BATS_TEST_TMPDIR/lines"
    assert_output ""
}

@test "the PDF's claims table is typeset in ragged columns, each claim linked to where the prose makes it" {
    local tex=$BUILT/book/build/pdf/book.tex ids marks
    grep -q '\\begin{NWclaims}' "$tex"
    # every claim in the table links to its mark in the prose, with its page
    ids=$(grep -o '^\\hypertarget{claim\.[A-Z]*-[0-9]*}' "$tex" | wc -l)
    marks=$(grep -o '\\hyperlink{claim-mark-[A-Z]*-[0-9]*}{§[0-9.]*}~(p\.\\,\\pageref\*{claim-mark-[A-Z]*-[0-9]*})' "$tex" | wc -l)
    [ "$ids" -gt 20 ]
    [ "$marks" -ge "$ids" ]
    # and the PDF has the destinations those links go to
    run pdfinfo -dests "$BUILT/book/ipc-book.pdf"
    assert_output --partial 'claim-mark-PIPE-02'
    run pdftotext -layout "$BUILT/book/ipc-book.pdf" -
    assert_output --regexp 'PIPE-02 +§2\.[0-9]+ \(p\. [0-9]+\) +[a-z]'
    # no line of the book overflows the margin: not a footer, not the table
    run grep -A1 'Overfull \\hbox' "$BUILT/book/build/pdf/book.log"
    assert_output ""
}

@test "the PDF embeds every font it uses: DejaVu Serif for text, DejaVu Sans Mono for code" {
    run pdffonts "$BUILT/book/ipc-book.pdf"
    assert_success
    assert_output --regexp '\+DejaVuSerif +'
    assert_output --regexp '\+DejaVuSansMono +'
    run awk 'NR > 2 && $(NF-4) != "yes"' <<< "$output"
    assert_output ""
    run "$IPC_ROOT/book/tools/check-pdf" "$BUILT/book/ipc-book.pdf"
    assert_success
}
