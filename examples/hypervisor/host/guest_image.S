/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The guest's ELF file, carried as data by the host image (HV_GUEST_ELF is
 * its path, from the build). The host's loader (hv_load_elf) copies its
 * segments into region A.
 */
	.section .rodata.guest_image, "a"
	.balign	16
	.globl	hv_guest_elf
hv_guest_elf:
	.incbin	HV_GUEST_ELF
	.globl	hv_guest_elf_end
hv_guest_elf_end:

	.section .note.GNU-stack, "", %progbits
