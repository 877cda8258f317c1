# socklab: build, check and test the lessons.
#
#   make                       build every lesson of starter/ and solutions/, and the test peers
#   make check                 build IMPL afresh and run its tests, each lesson in a sandbox;
#                              print a scoreboard (tests/grader/check: exit 0 pass, 1 fail, 2 could not run)
#   make check LESSON=02       ... one lesson only (02 or 02-udp; LESSON="01 02" for two)
#   make check IMPL=solutions  ... the reference solutions
#   make check IMPL=../alice   ... a student's copy, laid out like starter/
#   make check SANITIZE=1      ... built with AddressSanitizer and UBSan
#   make grade SUBMISSIONS=DIR [JOBS=N]   grade every student's submission in DIR (a folder or an
#                              archive each), N at a time: build/grades/grades.csv, grades.json,
#                              index.html, a log and JUnit XML per student (GRADES=OUT to write
#                              elsewhere; the rows of students not graded now are kept, FRESH=1)
#   make similar SUBMISSIONS=DIR          rank the pairs of submissions by the code they share, per
#                              lesson, the starter's code left out: build/grades/similar.txt
#   make dist                  the students' handout: build/socklab-handout.tar.gz (no solutions/)
#   make classroom             regenerate the GitHub Classroom and Gradescope configs from the points
#   make test                  the lab's own test (maintainers and CI)
#   make hint LESSON=02        the next hint for the lesson's first failing test (LEVEL=N: hint N)
#   make progress              every lesson's state and the one next thing to do
#   make watch LESSON=02       rerun the lesson's tests whenever its sources change
#   make docs                  the student's HTML (lessons, glossary, starter, diagrams): build/docs/student/
#   make docs-instructor       the same plus solutions and test peers: build/docs/instructor/
#   make clean
#
# Everything is built out of tree, under build/.

# Recipes run in bash: bats exports functions that dash (make's default /bin/sh) drops.
SHELL    := /bin/bash
IMPL     ?= starter
LESSON   ?=
SANITIZE ?=
CC       ?= cc

# A student's program is built with its warnings shown, not as errors: make check and make
# grade grade a program that compiles with warnings all the same, and show the warnings with the
# lesson's results (tests/grader/compile). The lab's own C (solutions/, starter/ as shipped, the test
# peers) must compile without a single warning: in the lab's repository (it has solutions/),
# make builds them with -Werror; in the students' handout, make builds starter/ as make check does.
WARNINGS     ?= -std=c11 -Wall -Wextra
LAB_WARNINGS := -std=c11 -Wall -Wextra -Werror
impl_warnings = $(if $(and $(wildcard solutions),$(filter starter solutions,$(1))),$$(LAB_WARNINGS),$$(WARNINGS))
CFLAGS    ?= -O2 -g
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
BUILD     := build

# The lessons are the folders of lessons/; LESSON=02 or LESSON=02-udp picks one, LESSON="01 02" two.
ALL_LESSONS := $(notdir $(wildcard lessons/[0-9][0-9]-*))
LESSONS     := $(if $(LESSON),$(foreach l,$(LESSON),$(filter $(l) $(l)-%,$(ALL_LESSONS))),$(ALL_LESSONS))
# The lab's own messages are in the student's language (LAB_LANG, LANG): tests/harness/lang.bash.
say = source tests/harness/lang.bash && say
ifeq ($(LESSONS),)
$(error $(shell bash -c 'source tests/harness/lang.bash && words no_lesson "$$1" "$$2"' _ '$(LESSON)' '$(ALL_LESSONS)'))
endif

# A lesson's programs are the .c files of its starter/ folder: a student's copy is
# built program by program, under the same names.
programs = $(basename $(notdir $(wildcard starter/$(1)/*.c)))

# build/<tag>/<lesson>/<program>, where the tag names the implementation and the flags.
impl_tag = $(if $(filter starter solutions,$(1)),$(1),impl$(subst /,_,$(abspath $(1))))$(if $(SANITIZE),-san)
bin_dir  = $(BUILD)/$(call impl_tag,$(1))
binaries = $(foreach l,$(LESSONS),$(addprefix $(call bin_dir,$(1))/$(l)/,$(call programs,$(l))))

PEERS    := $(basename $(notdir $(wildcard tests/harness/peers/*.c)))
PEER_BIN := $(addprefix $(BUILD)/peers/,$(PEERS))
# The fault-injection preload (tests/harness/faults.c): short sends and recvs, EINTR, for the tests.
FAULTS   := $(BUILD)/faults/libfaults.so
# The lab's own test tools (not in the students' handout): lesson 07's oracle, a complete answer
# to its exercise. Built apart from the peers: a lesson's sandbox shows build/peers/ to the
# programs under grading, which could run it.
SELFTEST_TOOLS := $(addprefix $(BUILD)/selftest/,$(basename $(notdir $(wildcard tests/selftest/oracle/*.c))))

.PHONY: all impl peers check grade similar dist classroom test docs docs-instructor diagrams clean hint progress watch
.DELETE_ON_ERROR:

all: peers
	@$(MAKE) --no-print-directory impl IMPL=starter
	@$(if $(wildcard solutions),$(MAKE) --no-print-directory impl IMPL=solutions,$(say) make_no_solutions)

impl: $(call binaries,$(IMPL))

peers: $(PEER_BIN) $(FAULTS) $(SELFTEST_TOOLS)

# One rule per implementation folder: compile a program, or record why it did not compile.
# A program that does not compile leaves <program>.error (the compiler's words) and no
# binary, so its tests fail with that message; make -k goes on with the other lessons.
# Output goes to a temporary name first, so that two runs at once never see half a binary.
define compile_rule
$(call bin_dir,$(1))/%: $(1)/%.c
	@mkdir -p $$(@D)
	@if $$(CC) $(call impl_warnings,$(1)) $$(CFLAGS) $(if $(SANITIZE),$$(SAN_FLAGS)) -o $$@.tmp$$$$$$$$ $$< 2>$$@.log$$$$$$$$; then \
	    cat $$@.log$$$$$$$$ >&2; mv -f $$@.tmp$$$$$$$$ $$@; rm -f $$@.log$$$$$$$$ $$@.error; \
	else \
	    cat $$@.log$$$$$$$$ >&2; mv -f $$@.log$$$$$$$$ $$@.error; rm -f $$@ $$@.tmp$$$$$$$$; exit 1; \
	fi
endef
$(eval $(call compile_rule,$(IMPL)))

$(BUILD)/peers/%: tests/harness/peers/%.c
	@mkdir -p $(@D)
	$(CC) $(LAB_WARNINGS) $(CFLAGS) -o $@.tmp$$$$ $< && mv -f $@.tmp$$$$ $@

$(BUILD)/selftest/%: tests/selftest/oracle/%.c
	@mkdir -p $(@D)
	$(CC) $(LAB_WARNINGS) $(CFLAGS) -o $@.tmp$$$$ $< && mv -f $@.tmp$$$$ $@

$(FAULTS): tests/harness/faults.c
	@mkdir -p $(@D)
	$(CC) $(LAB_WARNINGS) $(CFLAGS) -fPIC -shared -o $@.tmp$$$$ $< -ldl && mv -f $@.tmp$$$$ $@

# make check: tests/grader/check compiles the copy afresh into a folder of this grading alone (the
# files there now, whatever their timestamps), grades every chosen lesson, each in a sandbox,
# and publishes the programs to build/<impl-key>/. IMPL reaches it through the environment,
# so that any folder name works (spaces, quotes, a leading dash).
check: export SOCKLAB_IMPL := $(IMPL)
check: export SANITIZE := $(SANITIZE)
check: peers
	@CC='$(CC)' CFLAGS='$(CFLAGS)' WARNINGS='$(WARNINGS)' SAN_FLAGS='$(if $(SANITIZE),$(SAN_FLAGS))' \
	  tests/grader/check "$$SOCKLAB_IMPL" $(LESSONS)

# The student's loop (tests/student/hint, tests/student/progress, tests/student/watch). They take IMPL and SANITIZE
# like make check, and run make check themselves when a lesson has no up-to-date report.
LOOP_ENV = IMPL='$(IMPL)' SANITIZE='$(SANITIZE)'

hint:
	@$(if $(LESSON),,$(say) hint_usage >&2; exit 2;) \
	$(LOOP_ENV) LEVEL='$(LEVEL)' tests/student/hint '$(firstword $(LESSON))'

progress:
	@$(LOOP_ENV) tests/student/progress

watch:
	@$(if $(LESSON),,$(say) watch_usage >&2; exit 2;) \
	$(LOOP_ENV) tests/student/watch '$(firstword $(LESSON))'

# make grade: a whole class, JOBS copies at a time (tests/grader/grade-class).
SUBMISSIONS ?=
GRADES      ?= $(BUILD)/grades
# grade, similar, dist and classroom are the instructor's: the students' handout has not their tools.
instructor_tool = @test -x $(1) || { $(say) make_instructor $@ $(1) >&2; exit 2; }

# what the compiler is given is part of what a grading depends on (tests/grader/grade-class's reuse key)
grade: export WARNINGS := $(WARNINGS)
grade: export CFLAGS := $(CFLAGS)
grade: export CC := $(CC)
grade: export SANITIZE := $(SANITIZE)
grade: peers
	$(call instructor_tool,tests/grader/grade-class)
	@test -n "$(SUBMISSIONS)" || { echo "usage: make grade SUBMISSIONS=DIR [JOBS=N] [LESSON=...] [GRADES=OUT] [REUSE=0] [FRESH=1]" >&2; exit 2; }
	@tests/grader/grade-class "$(SUBMISSIONS)" "$(GRADES)" $(LESSONS)

# make similar: the pairs of submissions that share the most code, per lesson (tests/grader/similar).
similar:
	$(call instructor_tool,tests/grader/similar)
	@test -n "$(SUBMISSIONS)" || { echo "usage: make similar SUBMISSIONS=DIR [LESSON=...] [GRADES=OUT]" >&2; exit 2; }
	@tests/grader/similar "$(SUBMISSIONS)" "$(GRADES)" $(LESSONS)

# make dist: the archive students get (tests/grader/handout): everything but solutions/ and the instructor's files.
dist:
	$(call instructor_tool,tests/grader/handout)
	@tests/grader/handout $(BUILD)/socklab-handout.tar.gz

# make classroom: tests/grader/classroom/ (GitHub Classroom, Gradescope) from the tests' points tags.
classroom:
	$(call instructor_tool,tests/grader/classroom/generate)
	@tests/grader/classroom/generate

# make test: the lab tests itself. See tests/selftest/run.
# In the students' handout (no solutions/), it checks that the lab is set up (tests/selftest/run-handout).
test: peers
	@if [ -d solutions ]; then tests/selftest/run $(LESSONS); else tests/selftest/run-handout $(LESSONS); fi

# The documentation: Doxygen reads the Markdown and the C files through lessons/doxygen-filter.
# The student's set has the lessons (in order, both languages), the glossary, the starter
# programs and the diagrams, and no solution; the instructor's adds solutions/ and tests/harness/peers/.
DOC_PAGES   := $(CURDIR)/README.md $(CURDIR)/README.zh.md $(foreach l,$(sort $(ALL_LESSONS)),$(wildcard $(CURDIR)/lessons/$(l)/README.md $(CURDIR)/lessons/$(l)/README.zh.md)) $(CURDIR)/lessons/glossary.md \
               $(CURDIR)/tests/README.md $(CURDIR)/tests/README.zh.md
DOC_SOURCES := $(wildcard README.md README.zh.md tests/README*.md lessons/*.md lessons/*/*.md diagrams/*.svg starter/*/*.c) \
               lessons/Doxyfile lessons/doxygen-filter lessons/DoxygenLayout.xml lessons/socklab.css
doxygen_run = rm -rf $(BUILD)/docs/$(1) && mkdir -p $(BUILD)/docs/$(1) && \
	SOCKLAB_TOP=$(CURDIR) SOCKLAB_DOCS=$(CURDIR)/$(BUILD)/docs/$(1) SOCKLAB_SET=$(1) SOCKLAB_PAGES="$(DOC_PAGES)" \
	doxygen $(2) && if [ -s $(BUILD)/docs/$(1)/warnings.log ]; then cat $(BUILD)/docs/$(1)/warnings.log; fi

docs: $(BUILD)/docs/student/html/index.html
docs-instructor: $(BUILD)/docs/instructor/html/index.html

$(BUILD)/docs/student/html/index.html: $(DOC_SOURCES)
	@$(call doxygen_run,student,lessons/Doxyfile)
	@echo "docs: open $@"

$(BUILD)/docs/instructor/html/index.html: $(DOC_SOURCES) lessons/Doxyfile.instructor $(wildcard INSTRUCTORS*.md CONTRIBUTING*.md) $(wildcard solutions/*/*.c tests/harness/peers/*.c)
	@$(call doxygen_run,instructor,lessons/Doxyfile.instructor)
	@echo "docs: open $@"

# Diagram sources are Graphviz files; the SVG beside each one is what the lessons show.
diagrams: $(patsubst %.dot,%.svg,$(wildcard diagrams/*.dot))

diagrams/%.svg: diagrams/%.dot
	dot -Tsvg -o $@ $<

clean:
	rm -rf $(BUILD)
