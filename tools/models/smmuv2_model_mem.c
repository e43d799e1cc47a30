/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Memory as the SMMUv2 model's table walker sees it. With ID0.CTTW = 1 walks
 * are coherent with the CPU's caches (IHI 0062, ID0.CTTW: coherent translation
 * table walk); without it they read memory past the caches, which the model
 * represents (cfg.dram) as a copy of memory that only cleans update.
 */
#include "smmuv2_model.h"

#include <string.h>

#include "arm_walker.h"

static int host_read(struct smmuv2_model *m, uint64_t pa, void *buf, size_t len)
{
	if (m->cfg.read_mem)
		return m->cfg.read_mem(m->cfg.mem_ctx, pa, buf, len);
	if (pa < 0x10000)
		return -1;
	memcpy(buf, (const void *)(uintptr_t)pa, len);
	return 0;
}

static int clean_read(void *ctx, uint64_t pa, void *buf, size_t len)
{
	return host_read(ctx, pa, buf, len);
}

void smmuv2_model_clean(struct smmuv2_model *m, uint64_t pa, size_t len)
{
	model_dram_clean(&m->dram, pa, len, clean_read, m);
}

int smmuv2_model_walk_mem(struct smmuv2_model *m, uint64_t pa, void *buf, size_t len)
{
	if (host_read(m, pa, buf, len) != 0)
		return -1;
	if (m->cfg.cttw || !m->cfg.dram)
		return 0;
	model_dram_read(&m->dram, pa, buf, len);
	return 0;
}

unsigned smmuv2_model_s2_memattr(unsigned memattr)
{
	unsigned outer = (memattr >> 2) & 3u, inner = memattr & 3u;
	if (outer == 0)
		return SMMUV2_MODEL_MEM_DEVICE;
	/* 1 non-cacheable, 2 write-through, 3 write-back; inner 0 is reserved: the weakest */
	unsigned o = outer, i = inner ? inner : 1u;
	return o < i ? o : i;
}

unsigned smmuv2_model_mem_min(unsigned a, unsigned b)
{
	return a < b ? a : b;
}

unsigned smmuv2_model_leaf_mem(const struct aw_leaf *l, unsigned stage)
{
	if (stage == 2)
		return smmuv2_model_s2_memattr(l->memattr);
	switch (l->mem) {
	case AW_MEM_DEVICE:
		return SMMUV2_MODEL_MEM_DEVICE;
	case AW_MEM_WB:
		return SMMUV2_MODEL_MEM_WB;
	case AW_MEM_NC:
		return SMMUV2_MODEL_MEM_NC;
	default:
		return SMMUV2_MODEL_MEM_WT;
	}
}
