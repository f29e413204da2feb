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

# The machine's options come from scripts/qemu.args (the one place for them).
QEMUOPTS = $(shell sed -e '/^\#/d' -e '/^\[disk\]$$/d' -e 's|{kernel}|$(KERNEL)|' \
	-e 's|{disk}|$(BUILD)/qemu-fs.img|' -e 's|{format}|raw|' scripts/qemu.args)

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
	@$(MAKE) --no-print-directory all $(SNAPSHOT_BENCH) $(PAGESTORE_BENCH)
	python3 tests/bench/kernel_bench.py
	python3 tests/bench/inspector_bench.py
	python3 tests/bench/viewers_bench.py
	python3 tests/bench/live_bench.py
	python3 tests/bench/stop_bench.py
	node tests/web/bench.mjs
	@mkdir -p $(BUILD)/bench
	$(PAGESTORE_BENCH) | tee $(BUILD)/bench/pagestore.txt
	python3 tests/bench/rewind_bench.py hybrid slowdown icount
	python3 tests/bench/rewind_determinism.py
	python3 tests/bench/checkpoint_bench.py

# The README's screenshot, docs/images/workbench.png: the unscripted COW demo
# in Chromium (tests/web/screenshot.mjs). Only this target writes it.
screenshot: setup
	@$(MAKE) --no-print-directory all
	node tests/web/screenshot.mjs

# Labs (labs/README.md). `make lab LAB=cow [DEST=dir]` writes a starter
# tree, a new git repository, to DEST (default ~/glassbox-labs/LAB; LAB=semester
# holds every lab); it never overwrites one. `make grade LAB=cow` grades this
# tree, or the one in SUBMISSION=dir; `make grade-all LAB=cow SUBMISSIONS=dir`
# grades every repository in dir into $(BUILD)/labs/LAB/grades.csv (or CSV=file).
LAB ?= cow
include labs/labs.mk
DEST ?= $(HOME)/glassbox-labs/$(LAB)
lab:
	@python3 labs/make_starter.py $(LAB) $(DEST)

grade: setup
	@python3 labs/grade.py $(LAB) $(if $(SUBMISSION),--submission $(SUBMISSION))

grade-all: setup
	@python3 labs/grade.py $(LAB) --all $(SUBMISSIONS) $(if $(CSV),--csv $(CSV))

clean:
	rm -rf $(BUILD)

.PHONY: all setup qemu qemu-gdb test crashtest bench screenshot lab grade grade-all clean

# The workbench: the inspector daemon with QEMU under it, and the web view in
# a browser. Daemon options go in WORKBENCH_ARGS (e.g. --port 9000, or
# --bind 0.0.0.0 to let a class watch: it then prints a control token).
# LAB=name adds that lab's checklist to the page (its Lab tab); only a LAB
# given to make, not the default above. WORKBENCH_KERNEL and WORKBENCH_DISK
# run another kernel or disk than this tree's (the forensics lab's seeded
# kernel, a lab's grading image), never rebuilt.
WORKBENCH_ARGS ?=
WORKBENCH_KERNEL ?= $(KERNEL)
WORKBENCH_DISK ?= $(FSIMG)
WORKBENCH_LAB := $(if $(filter file,$(origin LAB)),,$(LAB_CHECKLIST))
workbench: setup $(WORKBENCH_LAB)
	@$(MAKE) --no-print-directory all
	@scripts/workbench.sh $(INSPECTOR) --kernel $(WORKBENCH_KERNEL) --disk $(WORKBENCH_DISK) \
		--web web $(if $(WORKBENCH_LAB),--lab $(WORKBENCH_LAB)) $(WORKBENCH_ARGS)

.PHONY: workbench
