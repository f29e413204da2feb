set architecture riscv:rv32
file build/kernel/kernel.elf
target remote 127.0.0.1:26000
