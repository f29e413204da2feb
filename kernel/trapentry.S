# Trap entry and exit. The kernel is mapped in every page table, so a trap
# from user mode needs no page-table switch: sscratch holds this process's
# trapframe while it runs in user mode.

#include "kernel/trapframe.h"

.section .text
.globl uservec
.align 4
uservec:
        csrrw a0, sscratch, a0          # a0 = trapframe, sscratch = user a0
        sw ra, TF_REG(1)(a0)
        sw sp, TF_REG(2)(a0)
        sw gp, TF_REG(3)(a0)
        sw tp, TF_REG(4)(a0)
        sw t0, TF_REG(5)(a0)
        sw t1, TF_REG(6)(a0)
        sw t2, TF_REG(7)(a0)
        sw s0, TF_REG(8)(a0)
        sw s1, TF_REG(9)(a0)
        sw a1, TF_REG(11)(a0)
        sw a2, TF_REG(12)(a0)
        sw a3, TF_REG(13)(a0)
        sw a4, TF_REG(14)(a0)
        sw a5, TF_REG(15)(a0)
        sw a6, TF_REG(16)(a0)
        sw a7, TF_REG(17)(a0)
        sw s2, TF_REG(18)(a0)
        sw s3, TF_REG(19)(a0)
        sw s4, TF_REG(20)(a0)
        sw s5, TF_REG(21)(a0)
        sw s6, TF_REG(22)(a0)
        sw s7, TF_REG(23)(a0)
        sw s8, TF_REG(24)(a0)
        sw s9, TF_REG(25)(a0)
        sw s10, TF_REG(26)(a0)
        sw s11, TF_REG(27)(a0)
        sw t3, TF_REG(28)(a0)
        sw t4, TF_REG(29)(a0)
        sw t5, TF_REG(30)(a0)
        sw t6, TF_REG(31)(a0)
        csrr t0, sscratch
        sw t0, TF_REG(10)(a0)
        csrr t0, sepc
        sw t0, TF_EPC(a0)
        lw sp, TF_KERNEL_SP(a0)
        li s0, 0                        # end of the backtrace chain
        call usertrap                   # never returns; usertrapret() calls userret

# userret(trapframe): restore user registers and return to user mode.
.globl userret
userret:
        csrw sscratch, a0
        lw t0, TF_EPC(a0)
        csrw sepc, t0
        lw ra, TF_REG(1)(a0)
        lw sp, TF_REG(2)(a0)
        lw gp, TF_REG(3)(a0)
        lw tp, TF_REG(4)(a0)
        lw t0, TF_REG(5)(a0)
        lw t1, TF_REG(6)(a0)
        lw t2, TF_REG(7)(a0)
        lw s0, TF_REG(8)(a0)
        lw s1, TF_REG(9)(a0)
        lw a1, TF_REG(11)(a0)
        lw a2, TF_REG(12)(a0)
        lw a3, TF_REG(13)(a0)
        lw a4, TF_REG(14)(a0)
        lw a5, TF_REG(15)(a0)
        lw a6, TF_REG(16)(a0)
        lw a7, TF_REG(17)(a0)
        lw s2, TF_REG(18)(a0)
        lw s3, TF_REG(19)(a0)
        lw s4, TF_REG(20)(a0)
        lw s5, TF_REG(21)(a0)
        lw s6, TF_REG(22)(a0)
        lw s7, TF_REG(23)(a0)
        lw s8, TF_REG(24)(a0)
        lw s9, TF_REG(25)(a0)
        lw s10, TF_REG(26)(a0)
        lw s11, TF_REG(27)(a0)
        lw t3, TF_REG(28)(a0)
        lw t4, TF_REG(29)(a0)
        lw t5, TF_REG(30)(a0)
        lw t6, TF_REG(31)(a0)
        lw a0, TF_REG(10)(a0)
        sret

# Traps taken in S-mode: save caller-saved registers on the current kernel
# stack and call kerneltrap(). Interrupts are enabled in the kernel only
# for a moment in each pass of the scheduler's loop, so this sees device and
# timer interrupts there, and faults (which panic).
.globl kernelvec
.align 4
kernelvec:
        addi sp, sp, -KV_FRAME
        sw ra, KV_REG(0)(sp)
        sw t0, KV_REG(1)(sp)
        sw t1, KV_REG(2)(sp)
        sw t2, KV_REG(3)(sp)
        sw a0, KV_REG(4)(sp)
        sw a1, KV_REG(5)(sp)
        sw a2, KV_REG(6)(sp)
        sw a3, KV_REG(7)(sp)
        sw a4, KV_REG(8)(sp)
        sw a5, KV_REG(9)(sp)
        sw a6, KV_REG(10)(sp)
        sw a7, KV_REG(11)(sp)
        sw t3, KV_REG(12)(sp)
        sw t4, KV_REG(13)(sp)
        sw t5, KV_REG(14)(sp)
        sw t6, KV_REG(15)(sp)
        sw s0, KV_REG(16)(sp)
        mv a0, sp
        call kerneltrap
        lw ra, KV_REG(0)(sp)
        lw t0, KV_REG(1)(sp)
        lw t1, KV_REG(2)(sp)
        lw t2, KV_REG(3)(sp)
        lw a0, KV_REG(4)(sp)
        lw a1, KV_REG(5)(sp)
        lw a2, KV_REG(6)(sp)
        lw a3, KV_REG(7)(sp)
        lw a4, KV_REG(8)(sp)
        lw a5, KV_REG(9)(sp)
        lw a6, KV_REG(10)(sp)
        lw a7, KV_REG(11)(sp)
        lw t3, KV_REG(12)(sp)
        lw t4, KV_REG(13)(sp)
        lw t5, KV_REG(14)(sp)
        lw t6, KV_REG(15)(sp)
        lw s0, KV_REG(16)(sp)
        addi sp, sp, KV_FRAME
        sret
