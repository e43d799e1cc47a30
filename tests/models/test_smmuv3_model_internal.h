/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_smmuv3_model_internal.h: what the pieces of the SMMUv3 model's
 * self-test share: the fixture, the hand-built structures and translation
 * tables (test_smmuv3_model_fx.c) and the test functions run by main().
 */
#ifndef TEST_SMMUV3_MODEL_INTERNAL_H
#define TEST_SMMUV3_MODEL_INTERNAL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "smmuv3_model.h"

#define B(n)	(UINT64_C(1) << (n))
#define M(h, l) ((~UINT64_C(0) >> (63u - (unsigned)(h))) & (~UINT64_C(0) << (unsigned)(l)))

#define STRTAB_LOG2 8
#define CMDQ_LOG2   8
#define MAX_ALLOCS  512

struct fx {
	struct smmuv3_model_cfg cfg;
	struct smmuv3_model *m;
	struct smmuv3_model_hostmem hm;
	bool use_windows;
	uint8_t *strtab; /* linear, 2^STRTAB_LOG2 STEs */
	uint8_t *cmdq;
	uint8_t *evtq;
	unsigned evtq_log2;
	void *allocs[MAX_ALLOCS];
	unsigned nallocs;
};

#define STE_V	   B(0)
#define CFG_ABORT  (0u << 1)
#define CFG_BYPASS (4u << 1)
#define CFG_S1	   (5u << 1)
#define CFG_S2	   (6u << 1)
#define CFG_NESTED (7u << 1)

#define CD_EPD1 B(30)
#define CD_V	B(31)
#define CD_AA64 B(41)
#define CD_R	B(45)
#define CD_A	B(46)

#define S1_PAGE (B(10) | 3u << 8 | B(11)) /* AF, inner shareable, nG, AttrIndx 0, AP 00 */
#define S1_RO	B(7)
#define S1_EL0	B(6)
#define S2_PAGE (B(10) | 3u << 8 | 0xfu << 2 | 3u << 6) /* AF, ISH, normal WB, S2AP RW */

struct pt {
	unsigned tg, ias, start;
	uint8_t *root;
	uint64_t off;  /* table addresses written as PA + off (an IPA when nested) */
	struct pt *s2; /* nested: map each new table page in this stage 2 */
};

#define RD   SMMUV3_MODEL_ACC_R
#define WR   SMMUV3_MODEL_ACC_W
#define PRIV SMMUV3_MODEL_ACC_PRIV

/* ---- shared between the pieces ---- */

void set64(void *p, uint64_t v);
uint64_t get64(const void *p);
uint64_t pa_of(const void *p);
void *galloc(struct fx *f, size_t size, size_t align);
uint32_t rd32(struct fx *f, uint64_t off);
void wr32(struct fx *f, uint64_t off, uint32_t v);
void wr64(struct fx *f, uint64_t off, uint64_t v);
void cmd(struct fx *f, uint64_t w0, uint64_t w1);
bool cmdq_drained(struct fx *f);
void sync_ok(struct fx *f);
void cfgi_all(struct fx *f);
void cfgi_ste(struct fx *f, uint32_t sid);
void tlbi_nh_va(struct fx *f, uint16_t vmid, uint16_t asid, uint64_t va);
void fx_init_q(struct fx *f, const struct smmuv3_model_cfg *cfg, bool enable, unsigned evtq_log2,
	       bool windows);
void fx_init(struct fx *f, const struct smmuv3_model_cfg *cfg);
void fx_fini(struct fx *f);
bool evt_pop(struct fx *f, uint64_t rec[4]);
unsigned evt_count(struct fx *f);
uint8_t *ste_ptr(struct fx *f, uint32_t sid);
void ste_write(uint8_t *p, const uint64_t w[8]);
void ste_bypass(struct fx *f, uint32_t sid);
void ste_s1_words(uint64_t w[8], uint64_t cdptr, unsigned cdmax, unsigned fmt, unsigned dss);
void ste_s1(struct fx *f, uint32_t sid, uint64_t cdptr);
void ste_s2_fields(uint64_t w[8], uint16_t vmid, uint64_t ttb, unsigned t0sz, unsigned sl0,
		   unsigned tgenc);
void cd_write(void *p, uint16_t asid, uint64_t ttb0, unsigned t0sz, unsigned tgenc, uint64_t extra);
void pt_init_nested(struct fx *f, struct pt *p, unsigned tg, unsigned ias, int start, uint64_t off,
		    struct pt *s2);
void pt_init(struct fx *f, struct pt *p, unsigned tg, unsigned ias, int start);
uint8_t *pt_slot(struct fx *f, struct pt *p, uint64_t ia, unsigned leaf_level);
void pt_map(struct fx *f, struct pt *p, uint64_t ia, uint64_t oa, unsigned leaf_level,
	    uint64_t attrs);
void s1_setup(struct fx *f, struct pt *p, uint32_t sid, uint16_t asid, uint64_t cd_extra);
int dma(struct fx *f, uint32_t sid, uint64_t iova, unsigned acc, uint64_t *pa);
uint64_t xlate(struct fx *f, uint32_t sid, uint64_t iova);
void test_tlb_staleness(void **state);
void test_range_tlbi(void **state);
void test_cfg_caches(void **state);
void test_two_level_strtab(void **state);
void test_substreams(void **state);
void test_evtq_overflow(void **state);
void test_stall_knob(void **state);
void test_cmd_fail_next_knob(void **state);
void test_fetch_aborts(void **state);
void test_ttb1_tbi_epd(void **state);
void test_el2_regimes(void **state);
void test_httu(void **state);
void test_overrides_and_irqs(void **state);

#endif
