/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Entry of the guest (examples/hypervisor/guest): the host ERETs here at
 * EL1h with x0 = the case to run and x1 = its argument, MMU off, stage 2
 * giving the memory map of hv_abi.h. We set the stack, the EL1 vectors and
 * zero .bss, then call guest_main(case, arg). Its return value is the
 * guest's verdict, handed to the host with the DONE hypercall.
 */
#include "hv_abi.h"

	.section .text.boot, "ax"
	.globl	_start
_start:
	ldr	x2, =guest_stack_top
	mov	sp, x2
	ldr	x2, =guest_vectors
	msr	vbar_el1, x2
	mov	x2, #(3 << 20)			/* CPACR_EL1.FPEN: no FP/SIMD traps */
	msr	cpacr_el1, x2
	isb
	ldr	x2, =__bss_start
	ldr	x3, =__bss_end
1:	cmp	x2, x3
	b.hs	2f
	str	xzr, [x2], #8
	b	1b
2:	bl	guest_main
	mov	x1, x0
	mov	x0, #HV_CALL_DONE
	hvc	#0
3:	wfi
	b	3b

/*
 * EL1 vectors. IRQ from the current EL (SPx, +0x280) is the virtual IRQ the
 * host injects: the caller-saved registers are kept and guest_irq() runs.
 * Everything else is unexpected: PANIC hypercall with ESR/ELR/FAR.
 */
	.macro	unexpected
	.balign	0x80
	b	guest_unexpected
	.endm

	.section .text.vectors, "ax"
	.balign	2048
	.globl	guest_vectors
guest_vectors:
	unexpected	/* 0x000 current EL, SP0 */
	unexpected
	unexpected
	unexpected
	unexpected	/* 0x200 current EL, SPx: sync */
	.balign	0x80	/* 0x280 current EL, SPx: IRQ */
	b	guest_irq_entry
	unexpected	/* 0x300 FIQ */
	unexpected	/* 0x380 SError */
	unexpected	/* 0x400.. lower EL: there is none */
	unexpected
	unexpected
	unexpected
	unexpected
	unexpected
	unexpected
	unexpected

guest_irq_entry:
	sub	sp, sp, #176
	stp	x0, x1, [sp, #0]
	stp	x2, x3, [sp, #16]
	stp	x4, x5, [sp, #32]
	stp	x6, x7, [sp, #48]
	stp	x8, x9, [sp, #64]
	stp	x10, x11, [sp, #80]
	stp	x12, x13, [sp, #96]
	stp	x14, x15, [sp, #112]
	stp	x16, x17, [sp, #128]
	stp	x18, x30, [sp, #144]
	mrs	x0, elr_el1
	mrs	x1, spsr_el1
	stp	x0, x1, [sp, #160]
	bl	guest_irq
	ldp	x0, x1, [sp, #160]
	msr	elr_el1, x0
	msr	spsr_el1, x1
	ldp	x0, x1, [sp, #0]
	ldp	x2, x3, [sp, #16]
	ldp	x4, x5, [sp, #32]
	ldp	x6, x7, [sp, #48]
	ldp	x8, x9, [sp, #64]
	ldp	x10, x11, [sp, #80]
	ldp	x12, x13, [sp, #96]
	ldp	x14, x15, [sp, #112]
	ldp	x16, x17, [sp, #128]
	ldp	x18, x30, [sp, #144]
	add	sp, sp, #176
	eret

guest_unexpected:
	mov	x0, #HV_CALL_PANIC
	mrs	x1, esr_el1
	mrs	x2, elr_el1
	mrs	x3, far_el1
	hvc	#0
4:	wfi
	b	4b

	.section .note.GNU-stack, "", %progbits
