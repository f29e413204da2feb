# User programs, their C library, and the file system image.
# Included by the root Makefile, which sets BUILD and CROSS.

UPROGS := init sh echo cat ls ps kill true forktest cowtest bench usertests pingpong shmdemo crash \
          mkdir rm rmdir ln mv cp touch wc grep stat sync halt sleep cksum memhog primes trace \
          crashload sleepers

UOBJ     := $(BUILD)/user/obj
UCC      := $(CROSS)gcc
ULD      := $(CROSS)ld
UCFLAGS  := -march=rv32im_zicsr -mabi=ilp32 -ffreestanding -nostdlib -fno-pie \
            -fno-tree-loop-distribute-patterns -fno-omit-frame-pointer \
            -ffunction-sections -fdata-sections \
            -g -O2 -Wall -Wextra -Werror -I. -MMD -MP
# gcc picks its rv32im/ilp32 libgcc only when -march matches exactly, so ask
# without _zicsr; we need it for 64-bit division. Asked when linking (`=`), so
# that make says nothing of a cross compiler that setup has yet to install.
ULIBGCC  = $(shell $(UCC) -march=rv32im -mabi=ilp32 -print-libgcc-file-name 2>/dev/null)
ULIBOBJS := $(addprefix $(UOBJ)/,crt0.o usys.o ulib.o printf.o umalloc.o targets.o)
UBINS    := $(addprefix $(BUILD)/user/,$(UPROGS))

HOSTCC    ?= cc
UMKBADELF := $(BUILD)/user/host/mkbadelf
UMKE2FS   := $(firstword $(wildcard /usr/sbin/mke2fs /sbin/mke2fs) mke2fs)
UFSROOT   := $(BUILD)/fsroot
FSIMG     := $(BUILD)/fs.img

$(UOBJ)/%.o: user/%.c
	@mkdir -p $(@D)
	$(UCC) $(UCFLAGS) -c -o $@ $<

$(UOBJ)/%.o: user/%.S
	@mkdir -p $(@D)
	$(UCC) $(UCFLAGS) -c -o $@ $<

# $(call ulink,program.o): link a user program with the user library
ulink = $(ULD) -m elf32lriscv -T user/user.ld --gc-sections -o $@ $(ULIBOBJS) $(1) $(ULIBGCC)

$(UBINS): $(BUILD)/user/%: $(UOBJ)/%.o $(ULIBOBJS) user/user.ld
	$(call ulink,$(UOBJ)/$*.o)

# Writes malformed variants of a good ELF for usertests' exec checks.
$(UMKBADELF): user/mkbadelf.c
	@mkdir -p $(@D)
	$(HOSTCC) -g -O2 -Wall -Wextra -Werror -MMD -MP -o $@ $<

# ext3: ext2 revision 1, 1 KiB blocks, 128-byte inodes, and a 4 MiB JBD2
# journal (has_journal). Debian 12's mke2fs -t ext3 adds dir_index,
# resize_inode, ext_attr and large_file; "-O none" drops them, leaving
# filetype and sparse_super besides the journal (docs/fs.md).
$(FSIMG): $(UBINS) $(UMKBADELF) $(wildcard user/fsroot/*) user/user.mk
	rm -rf $(UFSROOT)
	mkdir -p $(UFSROOT)/bin $(UFSROOT)/bad
	cp -R user/fsroot/. $(UFSROOT)/
	cp $(UBINS) $(UFSROOT)/bin/
	$(UMKBADELF) $(BUILD)/user/true $(UFSROOT)/bad
	rm -f $@
	$(UMKE2FS) -q -F -t ext3 -r 1 -b 1024 -I 128 -O none,has_journal,filetype,sparse_super \
	    -J size=4 -m 0 -L glassbox -d $(UFSROOT) $@ 32M

-include $(wildcard $(UOBJ)/*.d $(BUILD)/user/host/*.d)
