/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A small virtio-iommu device written from the specification, for the
 * tests of the paravirtual backend: requests, configuration, features,
 * probe properties, mappings and fault events. Also a virtio-pci (modern)
 * front end in memory that serves split virtqueues the way a device does.
 */
#ifndef FAKE_VIOMMU_H
#define FAKE_VIOMMU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <iommuman/paravirt.h>

#define FAKE_MAX_MAPS 32
#define FAKE_MAX_EPS 8
#define FAKE_MAX_EVENTS 16
#define FAKE_MAX_ENDPOINT 0xffffu /* larger endpoint IDs are unknown: S_NOENT */

struct fake_viommu {
	uint64_t features; /* offered */
	uint64_t accepted;
	uint8_t cfg[IOMM_VIOMMU_CFG_SIZE];
	int force_status; /* >= 0: every request answers this status */
	/* last request as the device read it */
	uint8_t last_req[128];
	size_t last_len;
	unsigned nreq;
	/* probe answer */
	uint8_t props[256];
	size_t props_len;
	struct {
		bool used;
		uint32_t dom;
		uint64_t start, end, pa;
		uint32_t flags;
	} maps[FAKE_MAX_MAPS];
	struct {
		bool used;
		uint32_t ep, dom;
		bool bypass;
	} eps[FAKE_MAX_EPS];
	uint8_t events[FAKE_MAX_EVENTS][IOMM_VIOMMU_FAULT_SIZE];
	unsigned ev_head, ev_count;
};

void fake_init(struct fake_viommu *f);
/* Add a RESV_MEM probe property. */
void fake_add_resv(struct fake_viommu *f, uint8_t subtype, uint64_t start, uint64_t end);
/* Add a page-size-mask probe property. */
void fake_add_page_mask(struct fake_viommu *f, uint64_t mask);
/* Device DMA: translate or raise a fault event. Returns whether it passed. */
bool fake_dma(struct fake_viommu *f, uint32_t ep, uint64_t iova, bool write, uint64_t *pa);

/* The loopback hooks. */
size_t fake_handle(void *dev, const void *req, size_t len, void *resp, size_t cap);
size_t fake_config(void *dev, void *buf, size_t cap);
void fake_config_write(void *dev, uint32_t off, const void *buf, size_t len);
uint64_t fake_features(void *dev);
void fake_set_features(void *dev, uint64_t features);
size_t fake_event(void *dev, void *buf, size_t cap);
/* A loopback device description using the hooks above. */
struct iomm_viommu_loopback_dev fake_loopback_dev(struct fake_viommu *f);

/* ---- virtio-pci front end ---- */
#define FPCI_BAR_SIZE 0x4000u
struct fake_pci {
	struct fake_viommu *f;
	uint8_t cfgspace[256];
	uint8_t bar[FPCI_BAR_SIZE]; /* common 0x0, isr 0x1000, device 0x2000, notify 0x3000 */
	uint8_t status;
	uint32_t dfsel, gfsel;
	uint64_t gf;
	uint16_t qsel;
	struct {
		uint16_t size, max, enable, last_avail, used_idx;
		uint64_t desc, avail, used;
	} q[2];
	unsigned notifies;
	bool reset_stuck; /* status never reads back 0 */
	bool mute;        /* requests are never answered */
};

void fpci_init(struct fake_pci *p, struct fake_viommu *f);
/* Hooks for struct iomm_viommu_pci_cfg (ctx = the fake_pci). */
uint32_t fpci_cfg_read32(void *ctx, uint16_t off);
uint32_t fpci_mmio_read(void *ctx, uintptr_t addr, unsigned width);
void fpci_mmio_write(void *ctx, uintptr_t addr, unsigned width, uint32_t val);
/* Move pending fault events into posted event buffers. */
void fpci_pump_events(struct fake_pci *p);

#endif /* FAKE_VIOMMU_H */
