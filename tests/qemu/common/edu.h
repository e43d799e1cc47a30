/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Driver for QEMU's `edu` PCI device (1234:11e8), the DMA engine of the
 * QEMU scenarios.
 *
 * BAR0 registers: 0x00 identification (0x010000ed), 0x04 liveness (reads
 * back the complement), 0x80 DMA source, 0x88 DMA destination, 0x90 count,
 * 0x98 command (bit 0 run, bit 1 direction: 1 = device -> RAM). The device
 * has a 4 KiB buffer at device address 0x40000 that is reachable only by
 * DMA. Each transfer completes after about 100 ms of virtual time; the
 * driver polls the run bit with a timeout. Transfers stay below 4096 bytes
 * (QEMU 7.2 aborted on a full-buffer transfer). QEMU must be started with
 * dma_mask=0xffffffffffff (the default mask silently truncates to 28 bits).
 *
 * Blocked DMA (an IOMMU refusing it) still completes: a blocked read
 * delivers zeros into the device, a blocked write leaves RAM unchanged.
 */
#ifndef IOMM_QEMU_EDU_H
#define IOMM_QEMU_EDU_H

#include <stdbool.h>
#include <stdint.h>

#include "pci.h"

#define EDU_VENDOR   0x1234u
#define EDU_DEVICE   0x11e8u
#define EDU_BUF_SIZE 4096u
/** Largest transfer the driver accepts (see above). */
#define EDU_MAX_XFER (EDU_BUF_SIZE - 1u)

/** Status codes of the driver. */
enum edu_status {
	EDU_OK = 0,
	EDU_EINVAL = -1,    /**< Length 0, or beyond the device buffer. */
	EDU_ETIMEDOUT = -2, /**< The run bit did not clear within the timeout. */
	EDU_EBUSY = -3,	    /**< A transfer was still running. */
	EDU_ENODEV = -4,    /**< No edu device, or it does not answer. */
};

/** One edu device. */
struct edu {
	struct pci_loc loc; /**< Where it sits. */
	uintptr_t bar0;	    /**< Its registers. */
	uint64_t last_ns;   /**< Duration of the last transfer. */
};

/**
 * Find the edu device (expected at @p want), assign BAR0 if needed, enable
 * memory decoding and bus mastering, and check its identification and
 * liveness registers. Logs what it finds.
 */
int edu_init(struct edu *e, struct pci_loc want);

/** Requester ID of the device (its stream / source ID without remapping). */
static inline uint16_t edu_rid(const struct edu *e)
{
	return pci_rid(e->loc);
}

/** DMA @p len bytes from bus address @p iova into the device buffer at @p dev_off. */
int edu_dma_to_device(struct edu *e, uint64_t iova, uint32_t dev_off, uint32_t len);
/** DMA @p len bytes from the device buffer at @p dev_off to bus address @p iova. */
int edu_dma_from_device(struct edu *e, uint64_t iova, uint32_t dev_off, uint32_t len);

/**
 * Program edu's MSI capability with message @p addr / @p data and enable
 * MSI (INTx is then not used). EDU_ENODEV when it has no MSI capability.
 */
int edu_msi_enable(struct edu *e, uint64_t addr, uint32_t data);

/**
 * Make edu signal its interrupt now: a write of @p status to its
 * interrupt-raise register (0x60). With MSI enabled this sends one MSI
 * write, through the IOMMU, with the device's requester ID; the status is
 * acknowledged (0x64) first so every call signals again.
 */
void edu_raise_irq(struct edu *e, uint32_t status);

/** Name of an edu_status. */
const char *edu_strerror(int rc);

#endif /* IOMM_QEMU_EDU_H */
