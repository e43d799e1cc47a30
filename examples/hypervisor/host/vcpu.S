/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * World switch of the EL2 host (examples/hypervisor/host).
 *
 * hv_enter(vcpu) saves the host's callee-saved registers and stack pointer
 * in the vcpu, loads the guest's x0-x30, ELR_EL2 and SPSR_EL2 and ERETs to
 * the guest. When the guest traps, the EL2 vector stores the guest's
 * registers back into the vcpu, restores the host's and returns from
 * hv_enter() with the kind of exit (HV_EXIT_* in hv.h). The trap is then
 * handled in C on the host's own stack, like any function's result.
 * The guest's EL1 system registers and SP_EL1 are banked and stay in the
 * CPU: there is one guest and the host never runs at EL1.
 *
 * struct hv_vcpu layout (hv.h checks it with static asserts):
 *   0    x0..x30 (31 x 8)
 *   248  elr
 *   256  spsr
 *   264  host x19..x30 (12 x 8)
 *   360  host sp
 */
#define VCPU_ELR  248
#define VCPU_SPSR 256
#define VCPU_HOST 264
#define VCPU_HSP  360

	.section .text, "ax"
	.globl	hv_enter
	.type	hv_enter, %function
hv_enter:
	stp	x19, x20, [x0, #VCPU_HOST + 0]
	stp	x21, x22, [x0, #VCPU_HOST + 16]
	stp	x23, x24, [x0, #VCPU_HOST + 32]
	stp	x25, x26, [x0, #VCPU_HOST + 48]
	stp	x27, x28, [x0, #VCPU_HOST + 64]
	stp	x29, x30, [x0, #VCPU_HOST + 80]
	mov	x1, sp
	str	x1, [x0, #VCPU_HSP]
	msr	tpidr_el2, x0
	ldr	x1, [x0, #VCPU_ELR]
	msr	elr_el2, x1
	ldr	x1, [x0, #VCPU_SPSR]
	msr	spsr_el2, x1
	ldp	x2, x3, [x0, #16]
	ldp	x4, x5, [x0, #32]
	ldp	x6, x7, [x0, #48]
	ldp	x8, x9, [x0, #64]
	ldp	x10, x11, [x0, #80]
	ldp	x12, x13, [x0, #96]
	ldp	x14, x15, [x0, #112]
	ldp	x16, x17, [x0, #128]
	ldp	x18, x19, [x0, #144]
	ldp	x20, x21, [x0, #160]
	ldp	x22, x23, [x0, #176]
	ldp	x24, x25, [x0, #192]
	ldp	x26, x27, [x0, #208]
	ldp	x28, x29, [x0, #224]
	ldr	x30, [x0, #240]
	ldp	x0, x1, [x0, #0]
	eret
	.size	hv_enter, . - hv_enter

/* Back from the guest: x1 = exit kind, the guest's x0/x1 pushed on SP_EL2. */
hv_exit:
	mrs	x0, tpidr_el2
	stp	x2, x3, [x0, #16]
	stp	x4, x5, [x0, #32]
	stp	x6, x7, [x0, #48]
	stp	x8, x9, [x0, #64]
	stp	x10, x11, [x0, #80]
	stp	x12, x13, [x0, #96]
	stp	x14, x15, [x0, #112]
	stp	x16, x17, [x0, #128]
	stp	x18, x19, [x0, #144]
	stp	x20, x21, [x0, #160]
	stp	x22, x23, [x0, #176]
	stp	x24, x25, [x0, #192]
	stp	x26, x27, [x0, #208]
	stp	x28, x29, [x0, #224]
	str	x30, [x0, #240]
	ldp	x2, x3, [sp], #16
	stp	x2, x3, [x0, #0]
	mrs	x2, elr_el2
	str	x2, [x0, #VCPU_ELR]
	mrs	x2, spsr_el2
	str	x2, [x0, #VCPU_SPSR]
	ldp	x19, x20, [x0, #VCPU_HOST + 0]
	ldp	x21, x22, [x0, #VCPU_HOST + 16]
	ldp	x23, x24, [x0, #VCPU_HOST + 32]
	ldp	x25, x26, [x0, #VCPU_HOST + 48]
	ldp	x27, x28, [x0, #VCPU_HOST + 64]
	ldp	x29, x30, [x0, #VCPU_HOST + 80]
	ldr	x2, [x0, #VCPU_HSP]
	mov	sp, x2
	mov	x0, x1
	ret

/* An exception taken at EL2 itself is a host bug: report it and stop. */
hv_self:
	ldr	x1, =__stack_top
	mov	sp, x1
	mrs	x1, esr_el2
	mrs	x2, elr_el2
	mrs	x3, far_el2
	bl	hv_host_exception
1:	wfi
	b	1b

	.macro	self idx
	.balign	0x80
	mov	x0, #\idx
	b	hv_self
	.endm

	.macro	guest kind
	.balign	0x80
	stp	x0, x1, [sp, #-16]!
	mov	x1, #\kind
	b	hv_exit
	.endm

/*
 * VBAR_EL2. The port's start.S installs it and stays at EL2 because this
 * symbol exists. Offsets: 0x000 current EL/SP0, 0x200 current EL/SPx (the
 * host itself), 0x400 lower EL AArch64 (the guest: sync, IRQ, FIQ,
 * SError), 0x600 lower EL AArch32 (never: HCR_EL2.RW = 1).
 */
	.section .text.vectors, "ax"
	.balign	2048
	.globl	qemu_el2_vectors
qemu_el2_vectors:
	self	0
	self	1
	self	2
	self	3
	self	4
	self	5
	self	6
	self	7
	guest	0	/* HV_EXIT_SYNC */
	guest	1	/* HV_EXIT_IRQ */
	guest	2	/* HV_EXIT_FIQ */
	guest	3	/* HV_EXIT_SERROR */
	guest	4	/* HV_EXIT_AARCH32 */
	guest	4
	guest	4
	guest	4

	.section .note.GNU-stack, "", %progbits
