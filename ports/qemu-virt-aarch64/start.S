/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Entry of the bare-metal iommuman port for QEMU's `virt` machine (AArch64).
 *
 * QEMU's -kernel loads this ELF at its link address (see link.ld) and starts
 * the CPU at _start in EL1 (EL2 when the machine has virtualization=on: we
 * then drop to EL1), MMU and caches off. We install an exception vector
 * table that reports any exception and exits with a failure, set the stack,
 * enable FP/SIMD (the port itself is built with -mgeneral-regs-only, but
 * code linked with it need not be), zero .bss and call qemu_start().
 */
	.weak	qemu_el2_vectors

	.section .text.boot, "ax"
	.globl _start
_start:
	msr	daifset, #0xf
	mrs	x0, CurrentEL
	lsr	x0, x0, #2
	cmp	x0, #2
	b.ne	1f
	/*
	 * A hypervisor (an application that defines qemu_el2_vectors, e.g.
	 * examples/hypervisor) stays at EL2: its vectors go to VBAR_EL2, FP and
	 * the counters are not trapped, and it continues below at EL2. The
	 * symbol is weak: without it the address is 0 and we drop to EL1.
	 */
	ldr	x0, =qemu_el2_vectors
	cbz	x0, 6f
	msr	vbar_el2, x0
	mov	x0, #0x33ff			/* CPTR_EL2: no FP traps (RES1 bits set) */
	msr	cptr_el2, x0
	mov	x0, #3				/* CNTHCTL_EL2.EL1PCTEN | EL1PCEN */
	msr	cnthctl_el2, x0
	msr	cntvoff_el2, xzr
	isb
	b	1f
6:
	/* EL2: run EL1 in AArch64, no traps of timer or FP, then eret to EL1h. */
	mov	x0, #(1 << 31)			/* HCR_EL2.RW */
	msr	hcr_el2, x0
	mov	x0, #3				/* CNTHCTL_EL2.EL1PCTEN | EL1PCEN */
	msr	cnthctl_el2, x0
	msr	cntvoff_el2, xzr
	mov	x0, #0x33ff			/* CPTR_EL2: no FP traps (RES1 bits set) */
	msr	cptr_el2, x0
	mov	x0, #0x3c5			/* SPSR: DAIF masked, EL1h */
	msr	spsr_el2, x0
	adr	x0, 1f
	msr	elr_el2, x0
	eret
1:
	ldr	x0, =__stack_top
	mov	sp, x0
	ldr	x0, =qemu_vectors
	msr	vbar_el1, x0
	mov	x0, #(3 << 20)			/* CPACR_EL1.FPEN: no FP/SIMD traps */
	msr	cpacr_el1, x0
	isb
	/* Zero .bss (8-byte aligned bounds, see link.ld). */
	ldr	x0, =__bss_start
	ldr	x1, =__bss_end
2:	cmp	x0, x1
	b.hs	3f
	str	xzr, [x0], #8
	b	2b
3:	bl	qemu_start
4:	wfi
	b	4b

/*
 * Exception vectors: 16 entries of 0x80 bytes. Every entry passes its index
 * (0-3 current EL with SP0, 4-7 current EL with SPx, 8-15 lower EL) and
 * ESR/ELR/FAR to qemu_exception(), which reports and exits. The stack is
 * reset first, in case the exception was a stack overflow.
 */
	.macro	vector idx
	.balign	0x80
	mov	x0, #\idx
	b	qemu_vector_common
	.endm

	.section .text.vectors, "ax"
	.balign	2048
	.globl	qemu_vectors
qemu_vectors:
	vector	0
	vector	1
	vector	2
	vector	3
	vector	4
	vector	5
	vector	6
	vector	7
	vector	8
	vector	9
	vector	10
	vector	11
	vector	12
	vector	13
	vector	14
	vector	15

qemu_vector_common:
	ldr	x1, =__stack_top
	mov	sp, x1
	mrs	x1, esr_el1
	mrs	x2, elr_el1
	mrs	x3, far_el1
	bl	qemu_exception
5:	wfi
	b	5b

	.section .note.GNU-stack, "", %progbits
