# Glassbox tests: host unit tests (cmocka), and the aggregate targets
# `unit-tests` and `fuzz`. Included by the root Makefile after kernel.mk,
# user.mk and inspector.mk, so those may already have appended to UNIT_TESTS
# and FUZZ_TARGETS. tests/run.sh runs every $(BUILD)/tests/unit_* binary and
# then the QEMU integration tests in tests/integration/.
#
# Host unit tests of the kernel's pure parts
# ------------------------------------------
# Each tests/unit/kernel_X_test.c builds to $(BUILD)/tests/unit_kernel_X, linked
# with cmocka and with the kernel sources listed in kernel_X_SRCS, all compiled
# for the host with -DHOST_TEST. Optional kernel_X_CFLAGS adds flags for that
# test's own file. Set the lists here (or in any .mk included before this one):
#
#   kernel_elf_SRCS := kernel/elf.c
#
# A test with no _SRCS list links only its own file.

UNIT_CC      ?= cc
UNIT_CFLAGS  ?= -Wall -Wextra -Werror -g -O1 -fno-omit-frame-pointer \
                -fsanitize=address,undefined -fno-sanitize-recover=undefined
UNIT_CPPFLAGS = -DHOST_TEST -I. -Ikernel -MMD -MP
UNIT_LDFLAGS ?= -fsanitize=address,undefined
UNIT_LDLIBS  ?= -lcmocka

UNIT_OBJDIR  := $(BUILD)/tests/host

# kernel_X for every tests/unit/kernel_X_test.c
KERNEL_UNIT_NAMES := $(patsubst tests/unit/%_test.c,%,$(wildcard tests/unit/kernel_*_test.c))

# $(call unit_obj,file.c) -> where its host object goes
unit_obj = $(patsubst %.c,$(UNIT_OBJDIR)/%.o,$(1))

define KERNEL_UNIT_RULES
UNIT_TESTS += $(BUILD)/tests/unit_$(1)
UNIT_OBJS  += $(call unit_obj,tests/unit/$(1)_test.c $($(1)_SRCS))
$(BUILD)/tests/unit_$(1): $(call unit_obj,tests/unit/$(1)_test.c $($(1)_SRCS))
	@mkdir -p $$(@D)
	$$(UNIT_CC) $$(UNIT_LDFLAGS) -o $$@ $$^ $$(UNIT_LDLIBS)
$(call unit_obj,tests/unit/$(1)_test.c): UNIT_EXTRA_CFLAGS := $($(1)_CFLAGS)
endef
$(foreach t,$(KERNEL_UNIT_NAMES),$(eval $(call KERNEL_UNIT_RULES,$(t))))

# Host objects, out of tree: $(BUILD)/tests/host/<path>.o from <path>.c
$(UNIT_OBJDIR)/%.o: %.c
	@mkdir -p $(@D)
	$(UNIT_CC) $(UNIT_CPPFLAGS) $(UNIT_CFLAGS) $(UNIT_EXTRA_CFLAGS) -c -o $@ $<

-include $(sort $(UNIT_OBJS:.o=.d))

# Every unit test binary, from every part (other .mk files append to UNIT_TESTS).
unit-tests: $(UNIT_TESTS)

# libFuzzer targets on the kernel's parsers (make fuzz; FUZZ_SECONDS bounds each run).
# A crash is written to $(BUILD)/fuzz/crash_<target>_*, never the working directory.
FUZZ_SECONDS ?= 60
$(BUILD)/fuzz/kernel_elf_fuzz: tests/fuzz/kernel_elf_fuzz.c kernel/elf.c kernel/elf.h
	@mkdir -p $(@D)
	clang -g -O1 -fsanitize=fuzzer,address,undefined -Ikernel -o $@ tests/fuzz/kernel_elf_fuzz.c kernel/elf.c

$(BUILD)/fuzz/kernel_ext2_fuzz: tests/fuzz/kernel_ext2_fuzz.c kernel/ext2_format.c kernel/ext2.h
	@mkdir -p $(@D)
	clang -g -O1 -fsanitize=fuzzer,address,undefined -Ikernel -o $@ tests/fuzz/kernel_ext2_fuzz.c kernel/ext2_format.c

$(BUILD)/fuzz/kernel_journal_fuzz: tests/fuzz/kernel_journal_fuzz.c kernel/journal_format.c kernel/journal.h
	@mkdir -p $(@D)
	clang -g -O1 -fsanitize=fuzzer,address,undefined -Ikernel -o $@ tests/fuzz/kernel_journal_fuzz.c kernel/journal_format.c

# Each run starts from a corpus seeded with real files: a program for the
# ELF checks, the image's superblock for the ext2 ones, the journal's size
# and superblock (the journal is inode 8) for the journal ones.
fuzz-kernel-elf: $(BUILD)/fuzz/kernel_elf_fuzz $(FSIMG)
	@mkdir -p $(BUILD)/fuzz/kernel_elf_corpus
	cp $(BUILD)/user/echo $(BUILD)/fuzz/kernel_elf_corpus/echo
	$< -max_total_time=$(FUZZ_SECONDS) -artifact_prefix=$(BUILD)/fuzz/crash_kernel_elf_ \
		$(BUILD)/fuzz/kernel_elf_corpus

fuzz-kernel-ext2: $(BUILD)/fuzz/kernel_ext2_fuzz $(FSIMG)
	@mkdir -p $(BUILD)/fuzz/kernel_ext2_corpus
	dd if=$(FSIMG) of=$(BUILD)/fuzz/kernel_ext2_corpus/super bs=1024 skip=1 count=1 status=none
	$< -max_total_time=$(FUZZ_SECONDS) -artifact_prefix=$(BUILD)/fuzz/crash_kernel_ext2_ \
		$(BUILD)/fuzz/kernel_ext2_corpus

fuzz-kernel-journal: $(BUILD)/fuzz/kernel_journal_fuzz $(FSIMG)
	@mkdir -p $(BUILD)/fuzz/kernel_journal_corpus
	printf '\377\377\377\377' > $(BUILD)/fuzz/kernel_journal_corpus/super
	dd if=$(FSIMG) bs=1024 count=1 status=none \
		skip=$$(debugfs -R 'bmap <8> 0' $(FSIMG) 2>/dev/null) >> $(BUILD)/fuzz/kernel_journal_corpus/super
	$< -max_total_time=$(FUZZ_SECONDS) -max_len=8196 -artifact_prefix=$(BUILD)/fuzz/crash_kernel_journal_ \
		$(BUILD)/fuzz/kernel_journal_corpus
FUZZ_TARGETS += fuzz-kernel-elf fuzz-kernel-ext2 fuzz-kernel-journal
.PHONY: fuzz-kernel-elf fuzz-kernel-ext2 fuzz-kernel-journal

# libFuzzer targets, bounded in time; other .mk files append to FUZZ_TARGETS.
# Not part of `make test`.
fuzz: $(FUZZ_TARGETS)

.PHONY: unit-tests fuzz

# xv6 compatibility: a program in xv6's style must compile unchanged.
$(BUILD)/tests/xv6style.o: tests/xv6compat/xv6style.c user/user.h
	@mkdir -p $(@D)
	$(UCC) $(UCFLAGS) -c -o $@ $<
unit-tests: $(BUILD)/tests/xv6style.o

# The inspector's snapshot benchmark (make bench).
SNAPSHOT_BENCH := $(BUILD)/tests/snapshot-bench
$(SNAPSHOT_BENCH): tests/bench/snapshot_bench.c $(INSP_LIB)
	@mkdir -p $(@D)
	$(HOSTCC) $(INSP_CFLAGS) -o $@ $^ $(INSP_LIBS)
unit-tests: $(SNAPSHOT_BENCH)   # the daemon tests run it too

# The page store of the time-travel design (make bench, docs/time-travel.md).
PAGESTORE_BENCH := $(BUILD)/tests/pagestore-bench
$(PAGESTORE_BENCH): tests/bench/pagestore_bench.c $(INSP_LIB)
	@mkdir -p $(@D)
	$(HOSTCC) $(INSP_CFLAGS) -o $@ $^ $(INSP_LIBS)
unit-tests: $(PAGESTORE_BENCH)

# The snapshotter on garbage (tests/inspector/run.py), with the sanitizers.
GARBAGE_SNAPSHOT := $(BUILD)/tests/garbage-snapshot
$(GARBAGE_SNAPSHOT): tests/inspector/garbage_snapshot.c $(INSP_TEST_LIB)
	@mkdir -p $(@D)
	$(HOSTCC) $(INSP_TEST_CFLAGS) -o $@ $^ $(INSP_TEST_LIBS) $(INSP_LIBS)
unit-tests: $(GARBAGE_SNAPSHOT)
