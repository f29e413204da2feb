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

$(LAB_IMAGE): $(FSIMG) $(LAB_PROGS)
	cp $(FSIMG) $@.tmp
	{ echo "mkdir /grade"; for p in $(LAB_PROGS); do echo "write $$p /grade/$${p##*/}"; done; } | \
	    $(DEBUGFS) -w -f - $@.tmp > $@.log 2>&1
	mv $@.tmp $@

lab-image: $(LAB_IMAGE)

.PRECIOUS: $(BUILD)/labs/obj/%.o
-include $(wildcard $(BUILD)/labs/obj/*/grading/*.d)
.PHONY: lab-image
