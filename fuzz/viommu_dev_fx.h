/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_viommu_dev (fuzz_viommu_dev.c): what its files share. The oracle's
 * state (struct st), the model's memory and the checks after every request
 * are in viommu_dev_oracle.c; the requests in viommu_dev_ops.c; setup,
 * teardown and the entry point in fuzz_viommu_dev.c.
 */
#ifndef IOMM_FUZZ_VIOMMU_DEV_FX_H
#define IOMM_FUZZ_VIOMMU_DEV_FX_H

#include <string.h>

#include <iommuman/iommuman.h>
#include <iommuman/port_posix.h>
#include <iommuman/smmuv3.h>
#include <iommuman/virtio_iommu.h>
#include <iommuman/vm.h>

#include "fuzz_common.h"
#include "smmuv3_model.h"

#define REGS ((uintptr_t)0x10000000u)
#define ARENA_SIZE (UINT64_C(16) << 20)
#define PHYS_BASE UINT64_C(0x40000000)
#define MAX_OPS 96
#define MAX_REGIONS 4
#define MAX_RESV 2
#define MAX_EPS 4
#define MAX_DOMS 4
#define MAX_MAPS 16
#define MAX_PIECES 64
#define EV_TRANSLATION (-0x10)
#define EV_PERMISSION (-0x13)

/* Status sets: bit n for status n. */
#define SB(s) (1u << (s))

enum ep_mode { M_BLOCKED, M_IDENTITY, M_GUEST };

struct sh_dom {
	bool used;
	bool bypass;
	uint32_t id;
	unsigned nep;
};

struct sh_map {
	bool used;
	unsigned dom; /* index in st::dom */
	uint64_t vs, ve, ps;
	uint32_t flags;
};

struct sh_ep {
	bool assigned;
	uint32_t id;
	uint32_t sid;
	int dom; /* index in st::dom, -1: none */
};

struct piece {
	uint64_t iova, pa, size;
	uint32_t prot; /* access | memory type */
};

struct st {
	struct smmuv3_model_cfg mcfg;
	struct smmuv3_model model;
	bool model_up;
	uint8_t *arena;
	size_t arena_used;
	uint64_t rejected;
	struct iomm_posix px;
	bool px_up;
	struct iomm_smmuv3 smmu;
	bool smmu_up;
	struct iomm_smmuv3_cfg scfg;
	struct iomm_smmuv3_mem mem;
	struct iomm_pool pool;
	size_t pool_pages;

	struct iomm_vm_region regions[MAX_REGIONS];
	struct iomm_vm_resv resv[MAX_RESV];
	struct iomm_vm vm;
	bool vm_up;
	struct iomm_vm_cfg cfg;
	struct iomm_vm_endpoint eps[MAX_EPS];
	struct iomm_vm_gdom doms[MAX_DOMS];
	struct iomm_vm_mapping maps[MAX_MAPS];
	struct iomm_vm_event evs[2];

	/* the oracle's state */
	bool db;	      /* an MSI doorbell is configured */
	uint64_t db_iova, db_pa; /* its window's IOVA, and the register's address */
	uint64_t features, psmask, in_start, in_end;
	uint32_t dom_start, dom_end, probe_size, granule;
	uint8_t bypass;
	struct sh_dom dom[MAX_DOMS];
	struct sh_map map[MAX_MAPS];
	struct sh_ep ep[MAX_EPS];
	unsigned nep;

	/* a request ran while the SMMU was stalled: containment checks only */
	bool degraded;
	bool stalled;
	/* addresses DMA-checked after the request (mappings before it) */
	uint64_t old_probe[MAX_MAPS * 2];
	unsigned nold;
	unsigned long op;
};

struct expect {
	enum ep_mode mode;
	struct piece p[MAX_PIECES];
	unsigned n;
	uint64_t total;
};

/* FUZZ_TRACE set in the environment: print every operation (fuzz_viommu_dev.c). */
extern bool tracing;
#define TRACE(...)                                                                                 \
	do {                                                                                       \
		if (tracing)                                                                       \
			fprintf(stderr, __VA_ARGS__);                                              \
	} while (0)

/* ---- viommu_dev_oracle.c: memory, expectations, checks, state changes ---- */

extern const struct iomm_posix_mmio_ops mmio_ops;
void *alloc(struct st *s, size_t size, size_t align);
/* The SMMUv3 model behind the POSIX port's MMIO window at REGS, an arena for
 * the model's memory, and the library's SMMUv3 driver on it (256 streams,
 * small queues): up, or the fuzzer stops. */
void smmu_world_up(struct st *s);
/* The region of A holding guest-physical @gpa, or NULL. */
const struct iomm_vm_region *region_at(const struct st *s, uint64_t gpa);
uint64_t pa_of(const struct st *s, const void *va);
int phys_read(void *ctx, uint64_t pa, void *buf, size_t len);
int phys_write(void *ctx, uint64_t pa, const void *buf, size_t len);
bool feat(const struct st *s, unsigned bit);
void expected(const struct st *s, const struct sh_ep *ep, struct expect *e);
int dma(struct st *s, uint32_t sid, uint64_t iova, unsigned acc, uint64_t *pa);
void check_dma(struct st *s, const struct sh_ep *ep, const struct expect *e, uint64_t iova,
	       unsigned acc);
void hygiene(struct st *s);
bool dma_in_a(const struct st *s, uint64_t pa, unsigned acc);
/* Whether [a0, a1] overlaps the doorbell window (false without a doorbell). */
bool in_doorbell(const struct st *s, uint64_t a0, uint64_t a1);
void check_all(struct st *s);
/* Every leaf of every endpoint inside one region of A with no wider access
 * permissions; iomm_vm_audit(); hygiene(). (Also used by fuzz_viommu_mmio.) */
void check_contained(struct st *s);
void note_old(struct st *s);
int dom_find(const struct st *s, uint32_t id);
struct sh_ep *ep_find(struct st *s, uint32_t id);
void dom_drop(struct st *s, unsigned d);
void ep_leave(struct st *s, struct sh_ep *ep);
bool pool_tight(const struct st *s);

/* ---- viommu_dev_ops.c: the operations ---- */

void op_attach(struct st *s, struct fz *in);
void op_detach(struct st *s, struct fz *in);
void op_map(struct st *s, struct fz *in);
void op_unmap(struct st *s, struct fz *in);
void op_probe(struct st *s, struct fz *in);
void op_raw(struct st *s, struct fz *in);
void op_set_bypass(struct st *s, struct fz *in);
void op_reset(struct st *s);
void op_reassign(struct st *s, struct fz *in);
void op_dma(struct st *s, struct fz *in);

#endif /* IOMM_FUZZ_VIOMMU_DEV_FX_H */
