/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Entry of the bare-metal iommuman port for QEMU's q35 machine (32-bit x86).
 *
 * A Multiboot (v1) ELF: QEMU's -kernel hands it to SeaBIOS's multiboot
 * loader, which enters _start in 32-bit protected mode, paging off, with
 * EAX = 0x2BADB002 and EBX = the multiboot information. We load our own flat
 * GDT, set the stack, zero .bss, initialise the x87 FPU (the compiler uses
 * fild/fistp for single-copy-atomic 64-bit loads and stores) and call
 * qemu_start(magic, info). The IDT (built in C) sends every CPU exception to
 * trap_common, which reports it and exits with a failure.
 */
	.set	MB_MAGIC, 0x1BADB002
	.set	MB_FLAGS, 0			/* ELF: the loader reads the program headers */

	.section .multiboot, "a"
	.balign	4
	.long	MB_MAGIC
	.long	MB_FLAGS
	.long	-(MB_MAGIC + MB_FLAGS)

	.section .text.boot, "ax"
	.code32
	.globl	_start
_start:
	cli
	cld
	lgdt	gdt_desc
	ljmp	$0x08, $1f
1:	mov	$0x10, %cx
	mov	%cx, %ds
	mov	%cx, %es
	mov	%cx, %fs
	mov	%cx, %gs
	mov	%cx, %ss
	mov	$__stack_top, %esp
	mov	%eax, %esi			/* multiboot magic */
	mov	%ebx, %ebp			/* multiboot information */
	mov	$__bss_start, %edi
	mov	$__bss_end, %ecx
	sub	%edi, %ecx
	xor	%eax, %eax
	rep stosb
	fninit
	push	%ebp
	push	%esi
	call	qemu_start
2:	cli
	hlt
	jmp	2b

/*
 * Exception stubs: push a zero error code where the CPU pushes none, then
 * the vector, so trap_common always sees the same frame.
 */
	.macro	trap_noerr n
trap_\n:
	pushl	$0
	pushl	$\n
	jmp	trap_common
	.endm
	.macro	trap_err n
trap_\n:
	pushl	$\n
	jmp	trap_common
	.endm

	.irp	n, 0,1,2,3,4,5,6,7,9,15,16,18,19,20,22,23,24,25,26,27,28,31
	trap_noerr \n
	.endr
	.irp	n, 8,10,11,12,13,14,17,21,29,30
	trap_err \n
	.endr

trap_common:
	pushal
	mov	%esp, %eax
	mov	$__stack_top, %esp		/* a fresh stack, in case it overflowed */
	push	%eax
	call	qemu_x86_trap
3:	cli
	hlt
	jmp	3b

	.section .rodata
	.balign	4
	.globl	qemu_x86_trap_stubs
qemu_x86_trap_stubs:
	.irp	n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.long	trap_\n
	.endr

	.balign	8
gdt:
	.quad	0
	.quad	0x00cf9a000000ffff		/* 0x08: code, base 0, 4 GiB, 32-bit */
	.quad	0x00cf92000000ffff		/* 0x10: data, base 0, 4 GiB */
gdt_desc:
	.word	gdt_desc - gdt - 1
	.long	gdt

	.section .note.GNU-stack, "", %progbits
