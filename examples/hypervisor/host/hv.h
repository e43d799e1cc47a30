/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The EL2 host of examples/hypervisor: one guest at EL1 in its own VM.
 *
 *   hv_stage2_*   the CPU's stage-2 tables (VTTBR_EL2) for the guest
 *   hv_load_elf() copies the guest ELF's PT_LOAD segments into region A
 *   hv_run()      enters the guest and handles its traps until it is done
 *   hv_vmmio_access()  THE function every decoded access to the emulated
 *                 MMIO window reaches (offset, width, direction, value)
 *
 * The IOMMU side (SMMUv3, edu assigned to the VM) is the library's host
 * role, set up in main.c with iomm_vm_init() / iomm_vm_assign().
 */
#ifndef HV_H
#define HV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** Guest registers and the host context saved by vcpu.S (layout fixed there). */
struct hv_vcpu {
	uint64_t x[31];
	uint64_t elr;
	uint64_t spsr;
	uint64_t host[13];
};
_Static_assert(offsetof(struct hv_vcpu, elr) == 248, "vcpu.S VCPU_ELR");
_Static_assert(offsetof(struct hv_vcpu, spsr) == 256, "vcpu.S VCPU_SPSR");
_Static_assert(offsetof(struct hv_vcpu, host) == 264, "vcpu.S VCPU_HOST");
_Static_assert(sizeof(struct hv_vcpu) == 368, "vcpu.S VCPU_HSP");

/** hv_enter()'s result: which EL2 vector the guest's exit came through. */
enum hv_exit { HV_EXIT_SYNC = 0, HV_EXIT_IRQ, HV_EXIT_FIQ, HV_EXIT_SERROR, HV_EXIT_AARCH32 };

/** Enter the guest (vcpu.S); returns when it traps. */
uint64_t hv_enter(struct hv_vcpu *v);

/* ---- stage 2 ---- */

/** Stage-2 memory types (MemAttr[3:0] of a stage-2 descriptor). */
enum hv_s2_mem { HV_S2_NORMAL, HV_S2_DEVICE };

/** Clear the guest's stage-2 tables (every IPA faults). */
void hv_stage2_reset(void);
/** Map @p size bytes at @p ipa to @p pa, read/write. 2 MiB blocks where both are aligned, else 4 KiB pages. */
bool hv_stage2_map(uint64_t ipa, uint64_t pa, uint64_t size, enum hv_s2_mem mem);
/** Program VTCR_EL2 / VTTBR_EL2 (VMID 1), HCR_EL2 and SCTLR_EL1 and invalidate the VMID's TLB. */
void hv_stage2_enable(void);

/* ---- the guest ---- */

/** Region A as the host sees it: guest RAM at @p ipa, backed by host memory @p host. */
struct hv_ram {
	uint64_t ipa;
	uint64_t size;
	uint8_t *host;
};

/**
 * Load the guest ELF image @p elf (@p len bytes) into @p ram: every PT_LOAD
 * segment must lie inside it. Sets @p entry. False (and a message) for a
 * malformed image or one that does not fit.
 */
bool hv_load_elf(const struct hv_ram *ram, const uint8_t *elf, size_t len, uint64_t *entry);

/**
 * The host address of guest-physical [@p ipa, @p ipa + @p len) when the
 * whole range lies in @p ram, else NULL.
 */
uint8_t *hv_ram_host(const struct hv_ram *ram, uint64_t ipa, uint64_t len);

/* ---- traps ---- */

/** One decoded access to the emulated window, as hv_vmmio_access() saw it. */
struct hv_mmio_rec {
	uint64_t offset;
	uint64_t value; /* written, or read (all ones when refused) */
	int rc;		/* what hv_vmmio_access() returned */
	uint8_t width;	/* bytes: 1, 2, 4, 8 */
	bool is_write;
};

/** One stage-2 abort outside guest memory: reported, not served. */
struct hv_abort_rec {
	uint64_t ipa;
	bool is_write;
};

/** What the scenario wants to see from the guest's hypercalls and traps. */
struct hv_observer {
	/** HV_CALL_REPORT: key and two values. */
	void (*report)(uint64_t key, uint64_t a, uint64_t b);
	/** Called on every exit from the guest: the host's pending work (IOMMU faults to the guest's event queue). */
	void (*pending)(void);
};

#define HV_MAX_RECS 32u

/** Everything the run observed. */
struct hv_run_log {
	struct hv_mmio_rec mmio[HV_MAX_RECS];
	unsigned nmmio;
	struct hv_abort_rec aborts[HV_MAX_RECS];
	unsigned naborts;
	unsigned hvcs, irqs_injected, eois, exits;
	bool done;	     /* the guest made the DONE call */
	uint64_t verdict;    /* its argument */
	bool failed;	     /* the host stopped the guest (panic, undecodable trap, ...) */
};

/**
 * Run the guest from @p entry at EL1h with x0 = @p a0, x1 = @p a1 until it
 * makes the DONE call, panics, or does something the host cannot serve
 * (then @p log->failed). @p ram translates hypercall pointers.
 */
void hv_run(const struct hv_ram *ram, uint64_t entry, uint64_t a0, uint64_t a1,
	    const struct hv_observer *obs, struct hv_run_log *log);

/**
 * The emulated MMIO window: every decoded guest access to
 * [HV_GUEST_VMMIO_IPA, + HV_GUEST_VMMIO_SIZE) arrives here, with the offset
 * in the window, the width in bytes, the direction and the value (written
 * value in, read value out). 0: done; non-zero: the access is refused
 * (a read returns all ones). It hands the access to the virtio-mmio front
 * of the library's virtio-iommu device model (hv_vmmio_set_front()); 64-bit
 * accesses, which virtio-mmio does not have, and any access while no front
 * is set are refused.
 */
int hv_vmmio_access(uint64_t offset, unsigned width, bool is_write, uint64_t *val);

struct iomm_vmmio_front;
/** The front behind the emulated window (initialised with iomm_vmmio_front_init()). */
void hv_vmmio_set_front(struct iomm_vmmio_front *front);

/** Raise or withdraw the guest's virtual IRQ (HCR_EL2.VI). */
void hv_set_virq(bool level);

#endif /* HV_H */
