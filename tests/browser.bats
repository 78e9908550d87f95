#!/usr/bin/env bats
# The HTML book, read in headless Chromium as a reader would: screenshots
# (phone and desktop, light and dark, kept in tests/artifacts/browser/),
# nothing fetched from the network, every link landing, nothing wider than
# a 320 px screen, the copy button, the index filters, the theme toggle,
# the contents, contrast of code, and the whole book with scripts off.
#
# Needs book/ipc-book.html (`make check` builds it), node, the npm packages
# of tests/browser (`npm ci` there; build.sh does it) and /usr/bin/chromium
# (or CHROMIUM=...).  Where the browser cannot start, the tests skip.

load helpers/common

setup_file() {
    export BOOK=$IPC_ROOT/book/ipc-book.html
    export ARTEFACTS=$IPC_ROOT/tests/artifacts/browser
}

setup() {
    [ -f "$BOOK" ] || fail "book/ipc-book.html is missing: run \`make html\` first (\`make check\` does)"
    [ "$BOOK" -nt "$IPC_ROOT/book/build/book.md" ] || [ ! -f "$IPC_ROOT/book/build/book.md" ] ||
        fail "book/ipc-book.html is older than the woven book: run \`make html\`"
    command -v node >/dev/null || skip "node is not installed (Debian: nodejs; ./build.sh installs it)"
    [ -d "$IPC_ROOT/tests/browser/node_modules/playwright-core" ] ||
        skip "playwright-core is not installed: run \`npm ci\` in tests/browser (./build.sh does)"
    [ -x "${CHROMIUM:-/usr/bin/chromium}" ] ||
        skip "no browser at ${CHROMIUM:-/usr/bin/chromium} (Debian: chromium; ./build.sh installs it)"
    ipc_audit_begin
}

teardown() {
    ipc_audit_end
}

# read CHECK: run one check of tests/browser/read.js; skip if the browser
# cannot start here, fail with its reasons otherwise.
read_book() {
    run bounded 60 node "$IPC_ROOT/tests/browser/read.js" "$1" "$BOOK" "$ARTEFACTS"
    if [ "$status" -eq 75 ]; then skip "$output"; fi
    assert_success
}

@test "screenshots at 390x844 and 1280x800, light and dark, are kept as artefacts" {
    rm -f "$ARTEFACTS"/*.png
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
