# socklab: build, check and test the lessons.
#
#   make                       build every lesson of starter/ and solutions/, and the test peers
#   make check                 build IMPL and run its tests; print a scoreboard
#   make check LESSON=02       ... one lesson only (02 or 02-udp; LESSON="01 02" for two)
#   make check IMPL=solutions  ... the reference solutions
#   make check IMPL=../alice   ... a student's copy, laid out like starter/
#   make check SANITIZE=1      ... built with AddressSanitizer and UBSan
#   make test                  the lab's own test (maintainers and CI)
#   make docs                  Doxygen HTML of every program, with the lessons, in build/docs/
#   make clean
#
# Everything is built out of tree, under build/.

# bash runs the recipes: dash drops exported bash functions from the environment, and bats
# run from inside bats (make test's harness checks) needs one of them.
SHELL    := /bin/bash

IMPL     ?= starter
LESSON   ?=
SANITIZE ?=
CC       ?= cc

WARNINGS  := -std=c11 -Wall -Wextra -Werror
CFLAGS    ?= -O2 -g
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
BUILD     := build

# The lessons are the folders of lessons/; LESSON=02 or LESSON=02-udp picks one, LESSON="01 02" two.
ALL_LESSONS := $(notdir $(wildcard lessons/[0-9][0-9]-*))
LESSONS     := $(if $(LESSON),$(foreach l,$(LESSON),$(filter $(l) $(l)-%,$(ALL_LESSONS))),$(ALL_LESSONS))
ifeq ($(LESSONS),)
$(error no lesson matches LESSON=$(LESSON); the lessons are: $(ALL_LESSONS))
endif

# A lesson's programs are the .c files of its starter/ folder: a student's copy is
# built program by program, under the same names.
programs = $(basename $(notdir $(wildcard starter/$(1)/*.c)))

# build/<tag>/<lesson>/<program>, where the tag (tests/impl-key) names the implementation and the flags.
# make impl knows starter and solutions only; make check builds any copy (tests/compile).
impl_tag = $(1)$(if $(SANITIZE),-san)
bin_dir  = $(BUILD)/$(call impl_tag,$(1))
binaries = $(foreach l,$(LESSONS),$(addprefix $(call bin_dir,$(1))/$(l)/,$(call programs,$(l))))

PEERS    := $(basename $(notdir $(wildcard tests/peers/*.c)))
PEER_BIN := $(addprefix $(BUILD)/peers/,$(PEERS))

.PHONY: all impl impl-unknown peers check test docs diagrams clean
.DELETE_ON_ERROR:

all: peers
	@$(MAKE) --no-print-directory impl IMPL=starter
	@$(MAKE) --no-print-directory impl IMPL=solutions

impl: $(if $(filter starter solutions,$(IMPL)),$(call binaries,$(IMPL)),impl-unknown)

impl-unknown:
	@echo "make impl builds IMPL=starter or IMPL=solutions; a copy is built by make check IMPL=..." >&2; exit 2

peers: $(PEER_BIN)

# One rule per implementation folder: compile a program, or record why it did not compile.
# A program that does not compile leaves <program>.error (the compiler's words) and no
# binary, so its tests fail with that message; make -k goes on with the other lessons.
# Output goes to a temporary name first, so that two runs at once never see half a binary.
define compile_rule
$(call bin_dir,$(1))/%: $(1)/%.c
	@mkdir -p $$(@D)
	@if $$(CC) $$(WARNINGS) $$(CFLAGS) $(if $(SANITIZE),$$(SAN_FLAGS)) -o $$@.tmp$$$$$$$$ $$< 2>$$@.log$$$$$$$$; then \
	    cat $$@.log$$$$$$$$ >&2; mv -f $$@.tmp$$$$$$$$ $$@; rm -f $$@.log$$$$$$$$ $$@.error; \
	else \
	    cat $$@.log$$$$$$$$ >&2; mv -f $$@.log$$$$$$$$ $$@.error; rm -f $$@ $$@.tmp$$$$$$$$; exit 1; \
	fi
endef
$(foreach i,starter solutions,$(eval $(call compile_rule,$(i))))

$(BUILD)/peers/%: tests/peers/%.c
	@mkdir -p $(@D)
	$(CC) $(WARNINGS) $(CFLAGS) -o $@.tmp$$$$ $< && mv -f $@.tmp$$$$ $@

# make check: compile IMPL afresh into a folder of this grading alone, grade it, publish the
# programs to build/<impl-key>/ (tests/check). IMPL may hold any character: it reaches the
# script through the environment, never through make's words.
# tests/check exits 0 all passed, 1 some test failed, 2 could not grade; make turns 1 and 2
# into 2, so it says which it was.
export IMPL SANITIZE
check: peers
	@CC='$(CC)' CFLAGS='$(CFLAGS)' WARNINGS='$(WARNINGS)' SAN_FLAGS='$(if $(SANITIZE),$(SAN_FLAGS))' \
	  tests/check "$$IMPL" $(LESSONS) || { status=$$?; \
	  echo "make check: $$( [ $$status = 1 ] && echo 'some tests failed' || echo 'the grader could not run') (tests/check exit status $$status)" >&2; \
	  exit $$status; }

# make test: the lab tests itself. See tests/selftest.
test: peers
	@tests/selftest $(LESSONS)

docs: $(BUILD)/docs/html/index.html

$(BUILD)/docs/html/index.html: $(wildcard solutions/*/*.c tests/peers/*.c lessons/*/*.md diagrams/*.dot) lessons/Doxyfile
	@mkdir -p $(BUILD)/docs
	SOCKLAB_TOP=$(CURDIR) SOCKLAB_DOCS=$(BUILD)/docs doxygen lessons/Doxyfile
	@if [ -s $(BUILD)/docs/warnings.log ]; then cat $(BUILD)/docs/warnings.log; fi
	@echo "docs: open $(BUILD)/docs/html/index.html"

# Diagram sources are Graphviz files; the SVG beside each one is what the lessons show.
diagrams: $(patsubst %.dot,%.svg,$(wildcard diagrams/*.dot))

diagrams/%.svg: diagrams/%.dot
	dot -Tsvg -o $@ $<

clean:
	rm -rf $(BUILD)
