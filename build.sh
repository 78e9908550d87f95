#!/bin/sh
# build.sh: make a Debian 12 machine ready for ipc-book, then build it.
#
# Installs the Debian packages that are missing (as root with apt-get;
# otherwise prints the one command to run), then runs `make`: every
# program, the HTML book, the PDF book and the EPUB book.  Arguments are
# passed to make.
set -eu
cd "$(dirname "$0")"

# What each package is for:
#   gcc make libc6-dev          compile the programs
#   noweb gawk                  tangle and weave the chapters
#   pandoc graphviz librsvg2-bin  the HTML book, its figures
#   texlive-xetex texlive-latex-recommended texlive-latex-extra
#   texlive-fonts-recommended
#   lmodern fonts-dejavu-core   the PDF book (xelatex; DejaVu Serif and Sans Mono,
#                               embedded; tocloft, titlesec, framed, ...)
#   fonts-nanum                 the Korean glossary in the PDF, HTML and EPUB
#   fonts-dejavu-extra python3-fonttools python3-brotli python3-munkres
#                               the fonts the HTML embeds (DejaVu's italics),
#                               cut to the book's characters as WOFF2 (munkres
#                               named, or apt meets fonttools' "scipy | munkres"
#                               with scipy: 86 packages instead of 17)
#   epubcheck unzip             the EPUB book: epubcheck validates it (it brings
#   libxml2-utils               a Java runtime); unzip and xmllint read it back
#                               (book/tools/check-epub, tests/epub.bats)
#   gnuplot-nox                 plots of the benchmarks
#   bats bats-support bats-assert bats-file  the tests
#   socat procps util-linux iproute2 valgrind strace  tools the tests drive
#                               (iproute2 for ss, which lists sockets)
#   poppler-utils               checks of the PDF
#   clang                       judges the book's identifier links (tests/browser/idlinks.js)
#   chromium nodejs npm         the browser tests (tests/browser.bats), which
#                               then need `npm ci` in tests/browser (done below)
PACKAGES="gcc make libc6-dev noweb gawk pandoc graphviz librsvg2-bin
    texlive-xetex texlive-latex-recommended texlive-latex-extra texlive-fonts-recommended
    lmodern fonts-dejavu-core gnuplot-nox bats bats-support bats-assert
    bats-file socat procps util-linux iproute2 valgrind strace poppler-utils clang
    fonts-nanum fonts-dejavu-extra python3-fonttools python3-brotli
    python3-munkres epubcheck unzip libxml2-utils"
# Wanted as commands, which another package may provide (Node.js from
# NodeSource bundles npm and conflicts with Debian's npm): command:package.
COMMANDS="chromium:chromium node:nodejs npm:npm"

missing=
for p in $PACKAGES; do
    dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q ' installed$' ||
        missing="$missing $p"
done
for cp in $COMMANDS; do
    command -v "${cp%%:*}" > /dev/null || missing="$missing ${cp#*:}"
done
if [ -n "$missing" ]; then
    if [ "$(id -u)" = 0 ]; then
        echo "build.sh: installing:$missing"
        apt-get update -q
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
    else
        echo "build.sh: these Debian packages are missing:$missing" >&2
        echo "build.sh: install them with:" >&2
        echo "    sudo apt-get install --no-install-recommends$missing" >&2
        exit 1
    fi
fi

# The browser tests drive chromium with playwright-core, pinned in
# tests/browser/package-lock.json.
if [ ! -d tests/browser/node_modules/playwright-core ] ||
   [ tests/browser/package-lock.json -nt tests/browser/node_modules ]; then
    echo "build.sh: npm ci in tests/browser"
    (cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)
fi

exec make -j"$(nproc)" "$@"
