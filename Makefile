# Glassbox: the root Makefile. Each part adds its rules from its own .mk file.
# Everything is built out of tree under $(BUILD).

BUILD   ?= build
CROSS   ?= riscv64-unknown-elf-
QEMU    ?= qemu-system-riscv32

.DEFAULT_GOAL := all
.SUFFIXES:
.DELETE_ON_ERROR:

include kernel/kernel.mk
include user/user.mk
include inspector/inspector.mk
include tests/tests.mk

all: $(KERNEL) $(FSIMG) $(INSPECTOR)

# Install missing Debian and npm packages (quick when nothing is missing).
setup:
	@scripts/setup.sh

QEMUOPTS = -machine virt -bios none -smp 1 -m 128M -nographic \
	-kernel $(KERNEL) \
	-global virtio-mmio.force-legacy=false \
	-drive file=$(BUILD)/qemu-fs.img,if=none,format=raw,id=hd0 \
	-device virtio-blk-device,drive=hd0,bus=virtio-mmio-bus.0

# The guest writes to a copy, so build/fs.img stays as mke2fs made it.
$(BUILD)/qemu-fs.img: $(FSIMG)
	cp $(FSIMG) $@

qemu: setup
	@$(MAKE) --no-print-directory all $(BUILD)/qemu-fs.img
	$(QEMU) $(QEMUOPTS)

GDBPORT ?= 26000
qemu-gdb: setup
	@$(MAKE) --no-print-directory all $(BUILD)/qemu-fs.img
	@echo "QEMU waits for gdb on port $(GDBPORT): in another terminal here run  gdb-multiarch -x .gdbinit"
	$(QEMU) $(QEMUOPTS) -S -gdb tcp:127.0.0.1:$(GDBPORT)

test: setup
	@$(MAKE) --no-print-directory all unit-tests
	@tests/run.sh

# The crash test (tests/integration/test_crash.py) with N crashes, fixed
# seeds; `make test` runs it with 20.
N ?= 500
crashtest: setup
	@$(MAKE) --no-print-directory all
	CRASHES=$(N) python3 tests/integration/run.py crashes_leave_a_clean_disk_and_every_fsync

# Benchmarks: figures, not pass/fail (docs/benchmarks.md). Each writes its
# figures under $(BUILD)/bench/ too.
bench: setup
	@$(MAKE) --no-print-directory all $(SNAPSHOT_BENCH)
	python3 tests/bench/kernel_bench.py
	python3 tests/bench/inspector_bench.py
	node tests/web/bench.mjs

# Labs (labs/): `make lab LAB=cow` writes the starter tree to
# $(BUILD)/labs/LAB; `make grade LAB=cow`, in a tree, builds it and grades it.
LAB ?= cow
lab:
	python3 labs/make_starter.py $(LAB) $(BUILD)/labs/$(LAB)

grade: setup
	@$(MAKE) --no-print-directory all
	python3 labs/grade.py $(LAB)

clean:
	rm -rf $(BUILD)

.PHONY: all setup qemu qemu-gdb test crashtest bench lab grade clean

# The workbench: the inspector daemon with QEMU under it, and the web view in
# a browser. Daemon options go in WORKBENCH_ARGS (e.g. --port 9000, or
# --bind 0.0.0.0 to let a class watch: it then prints a control token).
WORKBENCH_ARGS ?=
workbench: setup
	@$(MAKE) --no-print-directory all
	@scripts/workbench.sh $(INSPECTOR) --kernel $(KERNEL) --disk $(FSIMG) \
		--web web $(WORKBENCH_ARGS)

.PHONY: workbench
