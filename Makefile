# ipc-book: tangle, build, weave and test the book.  `make help` lists targets.
#
# Chapters are discovered: every chapters/NN-slug.md is tangled, every root
# chunk it defines is built, every tests/*.bats is run.  Adding a chapter
# means adding two files and editing nothing here.

SHELL      := /bin/bash
.SHELLFLAGS := -o pipefail -ec
.DELETE_ON_ERROR:
.SUFFIXES:
MAKEFLAGS  += --no-builtin-rules

CHAPTERS   := $(sort $(wildcard chapters/[0-9][0-9]-*.md))
TOOLS      := book/tools
BUILD      := book/build
SRC        := $(BUILD)/src
MK         := $(BUILD)/mk

# SANITIZE=1 builds every program with ASan and UBSan, in its own directory
# so that switching back and forth rebuilds nothing needlessly.
ifeq ($(SANITIZE),1)
VARIANT    := asan
SANFLAGS   := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
else
VARIANT    := plain
SANFLAGS   :=
endif
OBJ        := $(BUILD)/$(VARIANT)
BIN        := $(OBJ)/bin

CC         ?= cc
CFLAGS     ?= -O2 -g
# The book's contract: C11, every warning an error.  Programs that use
# Linux extensions say so with _GNU_SOURCE in their own first lines.
WARNFLAGS  := -std=c11 -pedantic -Wall -Wextra -Werror
CPPFLAGS   += -I$(SRC)
LDLIBS     += -pthread -lrt
ALL_CFLAGS  = $(WARNFLAGS) $(CFLAGS) $(SANFLAGS)

.PHONY: all programs html pdf epub book check test bench clean help install tangle

all: programs book

# --- tangling: one make fragment per chapter, regenerated when it changes --
TANGLE_DEPS := $(TOOLS)/tangle $(TOOLS)/markup $(TOOLS)/markup.awk $(TOOLS)/kinds.awk
$(MK)/%.mk: chapters/%.md $(TANGLE_DEPS)
	$(TOOLS)/tangle $< $(SRC) tangle $@

include $(patsubst chapters/%.md,$(MK)/%.mk,$(CHAPTERS))

tangle: $(patsubst chapters/%.md,$(MK)/%.mk,$(CHAPTERS))

# --- programs: lib/*.c roots form a library every program links against ---
LIBA     := $(OBJ)/libipcbook.a
LIB_OBJS := $(patsubst %.c,$(OBJ)/%.o,$(LIB_SRCS))
PROGRAMS := $(addprefix $(BIN)/,$(basename $(notdir $(PROG_SRCS))))

programs: $(PROGRAMS)

$(OBJ)/%.o: $(SRC)/%.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(LIBA): $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

# A program is built from its own source alone (one idea per program).
define program_rule
$(BIN)/$(basename $(notdir $(1))): $(SRC)/$(1) $(LIBA)
	@mkdir -p $$(@D)
	$$(CC) $$(CPPFLAGS) $$(ALL_CFLAGS) -MMD -MP -MF $$@.d -o $$@ $$< $$(LIBA) $$(LDLIBS)
endef
$(foreach p,$(PROG_SRCS),$(eval $(call program_rule,$(p))))

-include $(LIB_OBJS:.o=.d) $(addsuffix .d,$(PROGRAMS))

# --- the woven book ---------------------------------------------------------
HTML := book/ipc-book.html
# the book in pages, cut from the one file (book/tools/pages)
PAGES := book/html/index.html
PDF  := book/ipc-book.pdf
EPUB := book/ipc-book.epub
APPENDICES := $(sort $(wildcard chapters/appendix-*.md))
WEAVE_DEPS := $(CHAPTERS) $(APPENDICES) $(wildcard $(TOOLS)/* $(TOOLS)/chunks/* tests/*.bats book/measured/*)

book: html pdf epub
html: $(HTML) $(PAGES)
pdf: $(PDF)
epub: $(EPUB)

$(BUILD)/book.md: $(WEAVE_DEPS)
	@mkdir -p $(@D)
	$(TOOLS)/weave $(CHAPTERS) > $@

$(HTML): $(BUILD)/book.md $(WEAVE_DEPS)
	$(TOOLS)/render html $< $@
	$(TOOLS)/check-html $@

$(PAGES): $(HTML) $(TOOLS)/pages $(TOOLS)/check-html
	$(TOOLS)/pages $(HTML) $(@D).tmp
	$(TOOLS)/check-html $(@D).tmp
	rm -rf $(@D) && mv $(@D).tmp $(@D)

$(PDF): $(BUILD)/book.md $(WEAVE_DEPS)
	$(TOOLS)/render pdf $< $@

# The EPUB shows each tangled file whole (its "Source files"): tangle first.
$(EPUB): $(BUILD)/book.md $(WEAVE_DEPS) $(patsubst chapters/%.md,$(MK)/%.mk,$(CHAPTERS))
	$(TOOLS)/render epub $< $@
	$(TOOLS)/check-epub $@

# --- tests ------------------------------------------------------------------
# T=02-pipes runs one chapter's tests; VALGRIND=1 runs every program under
# valgrind memcheck; SANITIZE=1 (above) tests the ASan/UBSan build.
# T may name several: T="01-introduction 02-pipes".
T ?=
# With SANITIZE=1 or VALGRIND=1 and no T, only the chapters' tests run:
# the others test the build and the book, not the programs.
CHAPTER_TESTS := $(sort $(wildcard tests/[0-9][0-9]-*.bats))
BATS_FILES := $(if $(T),$(wildcard $(T:%=tests/%.bats)),\
    $(if $(filter 1,$(SANITIZE) $(VALGRIND)),$(CHAPTER_TESTS),tests))
# The browser tests (tests/browser.bats) read the HTML book (and follow its
# links to the PDF and the EPUB beside it), tests/epub.bats the EPUB: build
# them first when they are among the tests run.
check test: programs $(if $(T),$(if $(filter browser,$(T)),html pdf epub),html pdf) \
    $(if $(T),$(if $(filter epub,$(T)),epub),epub)
	@test -z "$(T)" || test $(words $(BATS_FILES)) = $(words $(T)) || \
	    { echo "no such tests: $(T) (see tests/*.bats)" >&2; exit 2; }
	IPC_BIN=$(abspath $(BIN)) VALGRIND=$(VALGRIND) tests/run $(BATS_FILES)

# --- benchmarks: regenerate the measured tables and plots the book shows ---
# Each chapter's */bench.sh root is its benchmark.  T=02-pipes reruns one
# chapter's (or several: T="02-pipes 04-sockets"); a chapter's make fragment
# names its roots.
bench: programs
	@set -e; scripts="$(filter %/bench.sh,$(FILES))"; \
	if [ -n "$(T)" ]; then scripts=; for t in $(T); do \
	    [ -f $(MK)/$$t.mk ] || { echo "no such chapter: $$t" >&2; exit 2; }; \
	    s=$$(sed -n 's|^FILES += \(.*/bench\.sh\)$$|\1|p' $(MK)/$$t.mk); \
	    [ -n "$$s" ] || { echo "$$t has no benchmark (*/bench.sh)" >&2; exit 2; }; \
	    scripts="$$scripts $$s"; done; fi; \
	for s in $$scripts; do \
	    echo "== $$s"; IPC_BIN=$(abspath $(BIN)) OUT=$(abspath book/measured) $(SRC)/$$s; done

# --- install ------------------------------------------------------------------
PREFIX ?= /usr/local
install: programs
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 755 $(PROGRAMS) $(DESTDIR)$(PREFIX)/bin

clean:
	rm -rf $(BUILD) $(HTML) $(PDF) $(EPUB) book/html book/html.tmp

help:
	@echo 'make              build every program and the HTML, PDF and EPUB books'
	@echo 'make programs     build the programs only (into $(BIN))'
	@echo 'make html | pdf | epub   build one book: $(HTML) (and the pages, book/html/), $(PDF) or $(EPUB)'
	@echo 'make check        run every test (alias: make test)'
	@echo 'make check T=02-pipes        run one chapter'"'"'s tests (or several)'
	@echo 'make check SANITIZE=1        the chapters'"'"' tests with ASan and UBSan'
	@echo 'make check VALGRIND=1        the chapters'"'"' tests under valgrind memcheck'
	@echo 'make bench        rerun the benchmarks, regenerate book/measured/'
	@echo 'make bench T=02-pipes        rerun one chapter'"'"'s benchmark'
	@echo 'make install      install the programs (PREFIX=$(PREFIX), DESTDIR)'
	@echo 'make clean        remove everything built'
