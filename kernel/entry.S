# QEMU jumps here in M-mode at 0x80000000 (-bios none). Set up a stack and
# call start(), which configures M-mode and drops to S-mode.
.section .text.entry
.globl _entry
_entry:
        la sp, boot_stack_top
        li s0, 0
        call start
1:      wfi
        j 1b

# M-mode traps should never happen: everything is delegated to S-mode.
.align 4
.globl mtrap_hang
mtrap_hang:
        wfi
        j mtrap_hang

.section .bss
.align 4
boot_stack:
        .space 4096
boot_stack_top:
