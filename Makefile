# socklab: build, check and test the lessons.
#
#   make                       build every lesson of starter/ and solutions/, and the test peers
#   make check                 build IMPL and run its tests; print a scoreboard
#   make check LESSON=02       ... one lesson only (02 or 02-udp; LESSON="01 02" for two)
#   make check IMPL=solutions  ... the reference solutions
#   make check IMPL=../alice   ... a student's copy, laid out like starter/
#   make check SANITIZE=1      ... built with AddressSanitizer and UBSan
#   make test                  the lab's own test (maintainers and CI)
#   make docs                  the student's HTML (lessons, glossary, starter, diagrams): build/docs/student/
#   make docs-instructor       the same plus solutions and test peers: build/docs/instructor/
#   make clean
#
# Everything is built out of tree, under build/.

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

# build/<tag>/<lesson>/<program>, where the tag names the implementation and the flags.
impl_tag = $(if $(filter starter solutions,$(1)),$(1),impl$(subst /,_,$(abspath $(1))))$(if $(SANITIZE),-san)
bin_dir  = $(BUILD)/$(call impl_tag,$(1))
binaries = $(foreach l,$(LESSONS),$(addprefix $(call bin_dir,$(1))/$(l)/,$(call programs,$(l))))

PEERS    := $(basename $(notdir $(wildcard tests/peers/*.c)))
PEER_BIN := $(addprefix $(BUILD)/peers/,$(PEERS))

.PHONY: all impl peers check test docs docs-instructor diagrams clean
.DELETE_ON_ERROR:

all: peers
	@$(MAKE) --no-print-directory impl IMPL=starter
	@$(MAKE) --no-print-directory impl IMPL=solutions

impl: $(call binaries,$(IMPL))

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
$(eval $(call compile_rule,$(IMPL)))

$(BUILD)/peers/%: tests/peers/%.c
	@mkdir -p $(@D)
	$(CC) $(WARNINGS) $(CFLAGS) -o $@.tmp$$$$ $< && mv -f $@.tmp$$$$ $@

# make check: build what compiles (-k), then grade every chosen lesson.
check: peers
	@$(MAKE) --no-print-directory -k impl 2>&1 | sed 's/^/  build: /' || true
	@tests/grade $(call bin_dir,$(IMPL)) $(LESSONS)

# make test: the lab tests itself. See tests/selftest.
test: peers
	@tests/selftest $(LESSONS)

# The documentation: Doxygen reads the Markdown and the C files through lessons/doxygen-filter.
# The student's set has the lessons (in order, both languages), the glossary, the starter
# programs and the diagrams, and no solution; the instructor's adds solutions/ and tests/peers/.
DOC_PAGES   := $(CURDIR)/README.md $(foreach l,$(sort $(ALL_LESSONS)),$(wildcard $(CURDIR)/lessons/$(l)/README.md $(CURDIR)/lessons/$(l)/README.zh.md)) $(CURDIR)/lessons/glossary.md
DOC_SOURCES := $(wildcard README.md lessons/*.md lessons/*/*.md diagrams/*.svg starter/*/*.c) \
               lessons/Doxyfile lessons/doxygen-filter lessons/DoxygenLayout.xml lessons/socklab.css
doxygen_run = rm -rf $(BUILD)/docs/$(1) && mkdir -p $(BUILD)/docs/$(1) && \
	SOCKLAB_TOP=$(CURDIR) SOCKLAB_DOCS=$(CURDIR)/$(BUILD)/docs/$(1) SOCKLAB_SET=$(1) SOCKLAB_PAGES="$(DOC_PAGES)" \
	doxygen $(2) && if [ -s $(BUILD)/docs/$(1)/warnings.log ]; then cat $(BUILD)/docs/$(1)/warnings.log; fi

docs: $(BUILD)/docs/student/html/index.html
docs-instructor: $(BUILD)/docs/instructor/html/index.html

$(BUILD)/docs/student/html/index.html: $(DOC_SOURCES)
	@$(call doxygen_run,student,lessons/Doxyfile)
	@echo "docs: open $@"

$(BUILD)/docs/instructor/html/index.html: $(DOC_SOURCES) lessons/Doxyfile.instructor $(wildcard solutions/*/*.c tests/peers/*.c)
	@$(call doxygen_run,instructor,lessons/Doxyfile.instructor)
	@echo "docs: open $@"

# Diagram sources are Graphviz files; the SVG beside each one is what the lessons show.
diagrams: $(patsubst %.dot,%.svg,$(wildcard diagrams/*.dot))

diagrams/%.svg: diagrams/%.dot
	dot -Tsvg -o $@ $<

clean:
	rm -rf $(BUILD)
