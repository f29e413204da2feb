# inspector/inspector.mk -- the inspector (host C), its unit tests and fuzzers.
# Included from the root Makefile, which sets BUILD and CROSS.

INSPECTOR := $(BUILD)/inspector/glassbox-inspector

HOSTCC ?= gcc
CLANG ?= clang
INSP_OBJ := $(BUILD)/inspector/obj
INSP_LIB := $(INSP_OBJ)/libinspector.a
INSP_TEST_LIB := $(INSP_OBJ)/test-lib/libinspector.a

# $(call pkg,--cflags,LIBS): pkg-config's answer, asked only when a recipe
# uses it (the variables below are recursive, `=`), and quietly: a make run
# before `make setup` has installed the libraries prints nothing for them.
pkg = $(shell pkg-config $(1) $(2) 2>/dev/null)

# -iquote, not -I: our dwarf.h must not hide elfutils' <dwarf.h>.
INSP_CFLAGS = -std=c11 -D_DEFAULT_SOURCE -O2 -g -Wall -Wextra -Werror \
	-Wshadow -Wstrict-prototypes -iquote inspector \
	$(call pkg,--cflags,jansson libdw libelf zlib)
INSP_LIBS = $(call pkg,--libs,jansson libdw libelf zlib)
# The unit tests link a copy of the library built with sanitizers.
INSP_SANITIZE := -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	-fno-omit-frame-pointer
INSP_TEST_CFLAGS = $(INSP_CFLAGS) $(INSP_SANITIZE) $(call pkg,--cflags,cmocka)
INSP_TEST_LIBS = $(INSP_SANITIZE) $(call pkg,--libs,cmocka) -pthread

INSP_LIB_OBJS := $(patsubst %,$(INSP_OBJ)/%.o,rsp tdesc rsp_conn sv32 guest dwarf \
	kernel_model snapshot control console outq source unwind access request history pagestore meter \
	wsguard kernel_image)

# The daemon: the library above plus the parts that need libwebsockets.
INSP_DAEMON_OBJS := $(patsubst %,$(INSP_OBJ)/%.o,main recv loop door server hub target task runctl asking snaps rewind lifecycle breaks serial qemu rsp_dial qmp travel)
INSP_LWS_CFLAGS = $(call pkg,--cflags,libwebsockets)
INSP_LWS_LIBS = $(call pkg,--libs,libwebsockets)
$(INSP_DAEMON_OBJS): INSP_CFLAGS += $(INSP_LWS_CFLAGS)

# The QEMU command line's one source (scripts/qemu.args), as C strings.
INSP_QEMU_ARGS := $(BUILD)/inspector/qemu_args.inc
$(INSP_QEMU_ARGS): scripts/qemu.args
	@mkdir -p $(@D)
	sed -e '/^#/d' -e 's/["\\]/\\&/g' -e 's/.*/"&",/' $< > $@
$(INSP_OBJ)/qemu.o $(INSP_OBJ)/test-lib/qemu.o: $(INSP_QEMU_ARGS)
$(INSP_OBJ)/qemu.o $(INSP_OBJ)/test-lib/qemu.o: INSP_CFLAGS += -iquote $(BUILD)/inspector
$(INSP_OBJ)/test-lib/qemu.o: INSP_TEST_CFLAGS += -iquote $(BUILD)/inspector

$(INSP_OBJ)/%.o: inspector/%.c
	@mkdir -p $(@D)
	$(HOSTCC) $(INSP_CFLAGS) -MMD -MP -c -o $@ $<

$(INSP_OBJ)/test-lib/%.o: inspector/%.c
	@mkdir -p $(@D)
	$(HOSTCC) $(INSP_TEST_CFLAGS) -MMD -MP -c -o $@ $<

$(INSP_LIB): $(INSP_LIB_OBJS)
$(INSP_TEST_LIB): $(INSP_LIB_OBJS:$(INSP_OBJ)/%=$(INSP_OBJ)/test-lib/%)
$(INSP_LIB) $(INSP_TEST_LIB):
	rm -f $@
	ar rcs $@ $^

$(INSPECTOR): $(INSP_DAEMON_OBJS) $(INSP_LIB)
	$(HOSTCC) -o $@ $^ $(INSP_LWS_LIBS) $(INSP_LIBS)

# ---- unit tests: $(BUILD)/tests/unit_inspector_<name> -------------------

INSP_TESTS := rsp tdesc rsp_conn sv32 dwarf kernel_model control console target source snapshot history pagestore request meter wsguard kernel_image
INSP_TEST_BINS := $(INSP_TESTS:%=$(BUILD)/tests/unit_inspector_%)
UNIT_TESTS += $(INSP_TEST_BINS)

# Keep the test objects (make would delete them as intermediates).
.SECONDARY: $(INSP_TESTS:%=$(INSP_OBJ)/tests/inspector_%_test.o)

$(INSP_OBJ)/tests/%.o: tests/unit/%.c
	@mkdir -p $(@D)
	$(HOSTCC) $(INSP_TEST_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/tests/unit_inspector_%: $(INSP_OBJ)/tests/inspector_%_test.o $(INSP_TEST_LIB)
	@mkdir -p $(@D)
	$(HOSTCC) -o $@ $^ $(INSP_TEST_LIBS) $(INSP_LIBS)

# The scripted gdb stub (tests/unit/rsp_stub.c) for the tests that need one.
INSP_STUB := $(INSP_OBJ)/tests/rsp_stub.o
$(BUILD)/tests/unit_inspector_rsp_conn: $(INSP_STUB)

# The run control test: the daemon's target, loop and QEMU modules (with
# libwebsockets), attached to the stub, with the real kernel's model.
INSP_TARGET_TEST_OBJS := $(patsubst %,$(INSP_OBJ)/test-lib/%.o,target task runctl asking snaps rewind lifecycle breaks serial loop qemu rsp_dial qmp travel)
$(INSP_TARGET_TEST_OBJS) $(INSP_OBJ)/tests/inspector_target_test.o: \
	INSP_TEST_CFLAGS += $(INSP_LWS_CFLAGS)
$(INSP_OBJ)/tests/inspector_target_test.o: \
	INSP_TEST_CFLAGS += -DKERNEL_ELF='"$(abspath $(KERNEL))"'
$(BUILD)/tests/unit_inspector_target: $(INSP_OBJ)/tests/inspector_target_test.o \
		$(INSP_STUB) $(INSP_TARGET_TEST_OBJS) $(INSP_TEST_LIB) $(KERNEL)
	@mkdir -p $(@D)
	$(HOSTCC) -o $@ $(filter-out %.elf,$^) $(INSP_TEST_LIBS) $(INSP_LWS_LIBS) $(INSP_LIBS)

# The DWARF test reads a small program built like the kernel: rv32, -g,
# linked at 0x80000000, with one variable placed at a known address.
INSP_DWARF_SAMPLE := $(INSP_OBJ)/tests/dwarf_sample.elf
$(INSP_DWARF_SAMPLE): tests/unit/inspector_dwarf_sample.c \
		tests/unit/inspector_dwarf_sample2.c
	@mkdir -p $(@D)
	$(CROSS)gcc -march=rv32im_zicsr_zifencei -mabi=ilp32 -g -O0 \
		-ffreestanding -nostdlib -Wl,-Ttext=0x80000000 \
		-Wl,--section-start=.probe=0x80100000 -o $@ $^

$(INSP_OBJ)/tests/inspector_dwarf_test.o: \
	INSP_TEST_CFLAGS += -DSAMPLE_ELF='"$(abspath $(INSP_DWARF_SAMPLE))"'
$(BUILD)/tests/unit_inspector_dwarf: $(INSP_OBJ)/tests/inspector_dwarf_test.o \
		$(INSP_TEST_LIB) $(INSP_DWARF_SAMPLE)
	@mkdir -p $(@D)
	$(HOSTCC) -o $@ $(filter-out %.elf,$^) $(INSP_TEST_LIBS) $(INSP_LIBS)

# The kernel model test reads the real kernel, and the DWARF sample as an
# ELF that lacks the kernel's structures.
$(INSP_OBJ)/tests/inspector_kernel_model_test.o: \
	INSP_TEST_CFLAGS += -DKERNEL_ELF='"$(abspath $(KERNEL))"' \
		-DOTHER_ELF='"$(abspath $(INSP_DWARF_SAMPLE))"'
$(BUILD)/tests/unit_inspector_kernel_model: $(INSP_OBJ)/tests/inspector_kernel_model_test.o \
		$(INSP_TEST_LIB) $(INSP_DWARF_SAMPLE) $(KERNEL)
	@mkdir -p $(@D)
	$(HOSTCC) -o $@ $(filter-out %.elf,$^) $(INSP_TEST_LIBS) $(INSP_LIBS)

# ---- fuzzing (not part of make test) ------------------------------------

INSP_FUZZERS := rsp tdesc control request
INSP_FUZZ_CFLAGS := -std=c11 -D_DEFAULT_SOURCE -g -O1 -iquote inspector \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all

$(BUILD)/fuzz/fuzz_rsp: inspector/fuzz/fuzz_rsp.c inspector/rsp.c inspector/rsp.h
$(BUILD)/fuzz/fuzz_tdesc: inspector/fuzz/fuzz_tdesc.c inspector/tdesc.c \
	inspector/tdesc.h
$(BUILD)/fuzz/fuzz_control: inspector/fuzz/fuzz_control.c inspector/control.c \
	inspector/control.h
$(BUILD)/fuzz/fuzz_control: INSP_FUZZ_LIBS = $(call pkg,--libs,jansson)
$(BUILD)/fuzz/fuzz_request: inspector/fuzz/fuzz_request.c inspector/request.c \
	inspector/request.h inspector/access.c inspector/access.h
$(INSP_FUZZERS:%=$(BUILD)/fuzz/fuzz_%):
	@mkdir -p $(@D)
	$(CLANG) $(INSP_FUZZ_CFLAGS) -o $@ $(filter %.c,$^) $(INSP_FUZZ_LIBS)

# Each fuzzer runs FUZZ_SECONDS, starting from the seeds in inspector/fuzz/seeds/
fuzz-inspector: $(INSP_FUZZERS:%=$(BUILD)/fuzz/fuzz_%)
	@for f in $(INSP_FUZZERS); do \
		mkdir -p $(BUILD)/fuzz/corpus_$$f && \
		$(BUILD)/fuzz/fuzz_$$f -max_total_time=$(FUZZ_SECONDS) \
			-artifact_prefix=$(BUILD)/fuzz/crash_$${f}_ \
			$(BUILD)/fuzz/corpus_$$f inspector/fuzz/seeds/$$f || exit 1; \
	done

FUZZ_TARGETS += fuzz-inspector
.PHONY: fuzz-inspector

-include $(wildcard $(INSP_OBJ)/*.d $(INSP_OBJ)/test-lib/*.d \
	$(INSP_OBJ)/tests/*.d)
