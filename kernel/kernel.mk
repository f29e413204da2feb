# The kernel: build/kernel/kernel.elf, with DWARF for the inspector.

KERNEL := $(BUILD)/kernel/kernel.elf

KERNEL_SRCS := $(addprefix kernel/, entry.S start.c main.c printf.c uart.c console.c console_line.c \
	plic.c trapentry.S trap.c swtch.S kalloc.c vm.c proc.c syscall.c sysproc.c \
	sysfile.c file.c pipe.c exec.c elf.c virtio_disk.c bio.c ext2.c ext2_alloc.c ext2_dir.c ext2_format.c journal.c journal_format.c rtc.c \
	string.c event.c errstr.c mailbox.c shm.c lazy.c)
KERNEL_OBJS := $(patsubst kernel/%,$(BUILD)/kernel/obj/%.o,$(KERNEL_SRCS))

KERNEL_CFLAGS := -march=rv32im_zicsr_zifencei -mabi=ilp32 -mcmodel=medany \
	-ffreestanding -fno-common -nostdlib -fno-builtin -fno-omit-frame-pointer -fno-optimize-sibling-calls \
	-fno-stack-protector -fno-pie -no-pie -O2 -g -Wall -Wextra -Werror \
	-MMD -MP -I. -Ikernel

$(BUILD)/kernel/obj/%.c.o: kernel/%.c
	@mkdir -p $(@D)
	@echo CC $<
	@$(CROSS)gcc $(KERNEL_CFLAGS) -c -o $@ $<

$(BUILD)/kernel/obj/%.S.o: kernel/%.S
	@mkdir -p $(@D)
	@echo CC $<
	@$(CROSS)gcc $(KERNEL_CFLAGS) -c -o $@ $<

$(KERNEL): $(KERNEL_OBJS) kernel/kernel.ld
	$(CROSS)ld -m elf32lriscv -T kernel/kernel.ld -o $@ $(KERNEL_OBJS) \
		$(shell $(CROSS)gcc -march=rv32im -mabi=ilp32 -print-libgcc-file-name)
	$(CROSS)objdump -S $@ > $(BUILD)/kernel/kernel.asm

kernel: $(KERNEL)
.PHONY: kernel

-include $(KERNEL_OBJS:.o=.d)

# Host unit tests of the kernel's pure parts (tests/tests.mk builds them).
kernel_elf_SRCS := kernel/elf.c
kernel_ext2_SRCS := kernel/ext2_format.c
kernel_journal_SRCS := kernel/journal_format.c
