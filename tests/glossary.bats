#!/usr/bin/env bats
# The Korean glossary (chapters/appendix-korean-glossary.md), in the books
# the build made: every term leads to a place in the book that exists, and
# the PDF carries a Hangul font, so the Korean is not a row of boxes.

load helpers/common

HTML=$IPC_ROOT/book/ipc-book.html
PDF=$IPC_ROOT/book/ipc-book.pdf
SRC=$IPC_ROOT/chapters/appendix-korean-glossary.md

# glossary_html: the glossary's section of the HTML book
glossary_html() {
    sed -n '/<section id="glossary-ko"/,/<section id="claims"/p' "$HTML"
}

@test "the HTML glossary: each row has Korean and links to a section of the book that exists" {
    local rows links id missing=0
    rows=$(glossary_html | grep -c '<tr' || true)
    # the rows of the three tables, and the three header rows
    [ "$rows" -eq "$(grep -c '^| ' "$SRC")" ] ||
        fail "$rows rows in the HTML, $(grep -c '^| ' "$SRC") in $SRC"
    [ "$rows" -ge 60 ]
    [ "$(glossary_html | grep '<td' | grep -cP '\p{Hangul}')" -ge 60 ]
    links=$(glossary_html | grep -o 'href="#[^"]*"' | sed 's/href="#//; s/"$//')
    [ "$(echo "$links" | wc -l)" -ge 60 ]
    for id in $links; do
        grep -q "id=\"$id\"" "$HTML" || { echo "no target: #$id"; missing=1; }
    done
    [ "$missing" = 0 ]
}

@test "the PDF glossary: the Korean is set in an embedded Hangul font and extracts as text" {
    [ "$PDF" -nt "$SRC" ] || fail "$PDF is older than $SRC: run make first"
    run pdffonts "$PDF"
    assert_success
    assert_line --regexp '^[A-Z]{6}\+Nanum[A-Za-z]* .* yes +yes +yes '
    run bash -c "pdftotext '$PDF' - | grep -c -e '프로세스간 통신' -e '명명된 파이프' -e '레코드 잠금'"
    [ "$output" -ge 3 ]
}
