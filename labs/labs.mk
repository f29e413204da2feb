# Labs (labs/README.md): starters, the graders' programs and their disk image.
# Included by the root Makefile after user.mk.
#
# A lab's grading programs are labs/LAB/grading/*.c, built with the user
# library into $(BUILD)/labs/LAB/grade/. The grading image is this tree's
# $(FSIMG) with them added under /grade/ (a directory no user program of
# the image's /bin can shadow), so a grader never runs a test program from
# the tree it grades.

LAB_DIR   := $(BUILD)/labs/$(LAB)
LAB_PROGS := $(patsubst labs/$(LAB)/grading/%.c,$(LAB_DIR)/grade/%,$(wildcard labs/$(LAB)/grading/*.c))
LAB_IMAGE := $(LAB_DIR)/fs.img
DEBUGFS   := $(firstword $(wildcard /usr/sbin/debugfs /sbin/debugfs) debugfs)

$(BUILD)/labs/obj/%.o: labs/%.c
	@mkdir -p $(@D)
	$(UCC) $(UCFLAGS) -c -o $@ $<

$(LAB_DIR)/grade/%: $(BUILD)/labs/obj/$(LAB)/grading/%.o $(ULIBOBJS) user/user.ld
	@mkdir -p $(@D)
	$(call ulink,$<)

# $(call image_with,COMMANDS): the target is a copy of its first
# prerequisite, changed by the debugfs requests that COMMANDS prints.
image_with = cp $< $@.tmp && { $(1); } | $(DEBUGFS) -w -f - $@.tmp > $@.log 2>&1 && mv $@.tmp $@

$(LAB_IMAGE): $(FSIMG) $(LAB_PROGS)
	$(call image_with,echo "mkdir /grade"; \
	    for p in $(LAB_PROGS); do echo "write $$p /grade/$${p##*/}"; done)

lab-image: $(LAB_IMAGE)

# The lab's checklist for the workbench page (`make workbench LAB=name`
# passes it to the daemon as --lab).
LAB_CHECKLIST := $(LAB_DIR)/checklist.json

$(LAB_CHECKLIST): labs/$(LAB)/checks.py labs/checklib.py labs/checklist.py
	@mkdir -p $(@D)
	python3 labs/checklist.py $(LAB) $@

# A lab that grades user programs (STUDENT_PROGRAMS in its checks.py) takes
# them from the submission: `make lab-student-image LAB=util SUBMISSION=dir
# STUDENT_DIR=out STUDENT_PROGS="primes"` builds dir/user/P.c with this
# tree's user library into out/bin/P and puts it over /bin/P in out/fs.img,
# a copy of the grading image.
STUDENT_BINS := $(addprefix $(STUDENT_DIR)/bin/,$(STUDENT_PROGS))

$(STUDENT_DIR)/obj/%.o: $(SUBMISSION)/user/%.c
	@mkdir -p $(@D)
	$(UCC) $(UCFLAGS) -c -o $@ $<

$(STUDENT_DIR)/bin/%: $(STUDENT_DIR)/obj/%.o $(ULIBOBJS) user/user.ld
	@mkdir -p $(@D)
	$(call ulink,$<)

$(STUDENT_DIR)/fs.img: $(LAB_IMAGE) $(STUDENT_BINS)
	$(call image_with,for p in $(STUDENT_BINS); do \
	    echo "rm /bin/$${p##*/}"; echo "write $$p /bin/$${p##*/}"; done)

lab-student-image: $(STUDENT_DIR)/fs.img

.PRECIOUS: $(BUILD)/labs/obj/%.o $(STUDENT_DIR)/obj/%.o
-include $(wildcard $(BUILD)/labs/obj/*/grading/*.d)
.PHONY: lab-image lab-student-image
