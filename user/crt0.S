// Process entry. The kernel starts us at _start with a0 = argc, a1 = argv and
// sp 16-byte aligned at the top of the user stack; return from main is exit.
        .section .text._start, "ax", @progbits
        .global _start
        .type _start, @function
_start:
        mv      s0, zero        // end of the frame-pointer chain for debuggers
        call    main            // main(argc, argv): a0 and a1 are already set
        call    exit            // exit(main's return value); never returns
        .size _start, . - _start
