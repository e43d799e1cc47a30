/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Entry of the bare-metal iommuman port for QEMU's `virt` machine (RV64).
 *
 * With `-bios none` QEMU's reset code jumps to 0x80000000 in M-mode on every
 * hart, with a0 = hart ID and a1 = the device tree. Hart 0 runs; the others
 * park in wfi with interrupts off. Hart 0 installs a trap vector that
 * reports any trap and exits with a failure, sets the stack, enables the FPU
 * (mstatus.FS: the port itself does not use it, code linked with it may),
 * zeroes .bss and calls qemu_start().
 */
	.section .text.boot, "ax"
	.globl _start
_start:
	csrw	mie, zero
	csrci	mstatus, 0x8			/* mstatus.MIE = 0 */
	csrr	t0, mhartid
	bnez	t0, 4f
	/* No relaxation against gp: it is never set up here. */
	.option push
	.option norelax
	la	t0, qemu_trap_entry
	csrw	mtvec, t0			/* direct mode: the entry is 4-byte aligned */
	la	sp, __stack_top
	.option pop
	li	t0, (1 << 13)			/* mstatus.FS = Initial */
	csrs	mstatus, t0
	/* Zero .bss (8-byte aligned bounds, see link.ld). */
	la	t0, __bss_start
	la	t1, __bss_end
1:	bgeu	t0, t1, 2f
	sd	zero, 0(t0)
	addi	t0, t0, 8
	j	1b
2:	call	qemu_start
3:	wfi
	j	3b
4:	wfi					/* harts other than 0 */
	j	4b

/*
 * Trap entry: reset the stack (the trap may have been a stack overflow) and
 * pass mcause, mepc and mtval to qemu_trap(), which reports and exits.
 */
	.section .text.trap, "ax"
	.balign	4
	.globl	qemu_trap_entry
qemu_trap_entry:
	la	sp, __stack_top
	csrr	a0, mcause
	csrr	a1, mepc
	csrr	a2, mtval
	call	qemu_trap
5:	wfi
	j	5b

	.section .note.GNU-stack, "", %progbits
