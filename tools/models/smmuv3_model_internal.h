/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * smmuv3_model_internal.h: what the pieces of the SMMUv3 model share (bit
 * utilities, structure fields, TLB invalidation scopes, translation state and
 * the functions one piece calls in another). Not part of the model's interface:
 * include smmuv3_model.h instead.
 */
#ifndef SMMUV3_MODEL_INTERNAL_H
#define SMMUV3_MODEL_INTERNAL_H

#include "smmuv3_model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- bit utilities --------------------------------------------------------- */

#define BIT64(n)     (UINT64_C(1) << (n))
#define MASK64(h, l) ((~UINT64_C(0) >> (63u - (unsigned)(h))) & (~UINT64_C(0) << (unsigned)(l)))

static inline uint64_t fld(uint64_t v, unsigned h, unsigned l)
{
	return (v & MASK64(h, l)) >> l;
}

static inline unsigned ufld(uint64_t v, unsigned h, unsigned l)
{
	return (unsigned)fld(v, h, l);
}

static inline uint64_t get_le64(const uint8_t *p)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < 8; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static inline uint64_t get_be64(const uint8_t *p)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return v;
}

static inline void put_le64(uint8_t *p, uint64_t v)
{
	for (unsigned i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static inline void put_be64(uint8_t *p, uint64_t v)
{
	for (unsigned i = 0; i < 8; i++)
		p[7 - i] = (uint8_t)(v >> (8 * i));
}

static inline unsigned umin(unsigned a, unsigned b)
{
	return a < b ? a : b;
}

static inline void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n);
	if (!q) {
		fprintf(stderr, "smmuv3_model: out of memory\n");
		abort();
	}
	return q;
}

/* ---- structure fields (word index, bits within the 64-bit word) ------------- */

/* STE word 0 */
#define STE0_V BIT64(0)
/* Config [3:1], S1Fmt [5:4], S1ContextPtr [55:6], S1CDMax [63:59] */
/* STE word 1 */
#define STE1_S1STALLD BIT64(27)
/* S1DSS [1:0], EATS [29:28], STRW [31:30], PRIVCFG [49:48], INSTCFG [51:50] */
/* STE word 2: S2VMID [15:0], S2T0SZ [37:32], S2SL0 [39:38], S2TG [47:46], S2PS [50:48] */
#define STE2_S2AA64 BIT64(51)
#define STE2_S2ENDI BIT64(52)
#define STE2_S2AFFD BIT64(53)
#define STE2_S2PTW  BIT64(54)
#define STE2_S2HD   BIT64(55)
#define STE2_S2HA   BIT64(56)
#define STE2_S2S    BIT64(57)
#define STE2_S2R    BIT64(58)
/* STE word 3: S2TTB [55:4] */

/* CD word 0 */
#define CD0_EPD0 BIT64(14)
#define CD0_ENDI BIT64(15)
#define CD0_EPD1 BIT64(30)
#define CD0_V	 BIT64(31)
#define CD0_AFFD BIT64(35)
#define CD0_WXN	 BIT64(36)
#define CD0_TBI0 BIT64(38)
#define CD0_TBI1 BIT64(39)
#define CD0_PAN	 BIT64(40)
#define CD0_AA64 BIT64(41)
#define CD0_HD	 BIT64(42)
#define CD0_HA	 BIT64(43)
#define CD0_S	 BIT64(44)
#define CD0_R	 BIT64(45)
#define CD0_A	 BIT64(46)

/* translation table descriptors */
#define D_AP1  BIT64(6) /* stage 1 AP[1]: EL0 access; stage 2 S2AP[0]: read */
#define D_AP2  BIT64(7) /* stage 1 AP[2]: read-only; stage 2 S2AP[1]: write */
#define D_AF   BIT64(10)
#define D_NG   BIT64(11)
#define D_DBM  BIT64(51)
#define D_CONT BIT64(52) /* Contiguous hint */
#define D_PXN  BIT64(53)
#define D_UXN  BIT64(54) /* stage 1 UXN/XN, stage 2 XN[1] */
#define T_PXNT BIT64(59)
#define T_UXNT BIT64(60)
#define T_APT0 BIT64(61)
#define T_APT1 BIT64(62)

#define PERM_UR SMMUV3_MODEL_PERM_UR
#define PERM_UW SMMUV3_MODEL_PERM_UW
#define PERM_UX SMMUV3_MODEL_PERM_UX
#define PERM_PR SMMUV3_MODEL_PERM_PR
#define PERM_PW SMMUV3_MODEL_PERM_PW
#define PERM_PX SMMUV3_MODEL_PERM_PX

#define CLASS_CD SMMUV3_M_EVT_CLASS_CD
#define CLASS_TT SMMUV3_M_EVT_CLASS_TT
#define CLASS_IN SMMUV3_M_EVT_CLASS_IN

#define GERROR_MASK 0x1fdu

enum cdrop { DROP_SID_IN, DROP_SPAN_OVERLAPS, DROP_SID_IDX, DROP_SID_IDX_SPAN };

enum asid_match { ASID_ANY, ASID_NONGLOBAL, ASID_OR_GLOBAL };

struct tlbi_scope {
	unsigned kinds;	  /* 1 << kind */
	unsigned regimes; /* 1 << regime */
	bool match_vmid;
	uint16_t vmid;
	enum asid_match asid_mode;
	uint16_t asid;
	bool by_addr;
	uint64_t lo, hi; /* inclusive */
	unsigned tg;	 /* 0: any granule, else granule bits */
	unsigned ttl;	 /* 0: any level */
};

/* ---- translation ----------------------------------------------------------------------------- */

struct range_cfg {
	bool present;
	unsigned tsz, tg;
	uint64_t ttb;
	bool tbi;
};

struct xl {
	/* transaction, after the STE overrides */
	uint32_t sid, ssid;
	bool ssv;
	uint64_t iova;
	bool write, instr, priv;

	/* STE */
	const uint64_t *ste;
	uint64_t ste_w[8];
	bool s1, s2;
	unsigned regime;
	uint16_t vmid, asid;
	unsigned s2tg, s2ias, s2start, s2ps;
	uint64_t s2ttb;
	bool s2affd, s2ha, s2hd, s2be, s2ptw, s2r;

	/* CD */
	bool have_cd;
	uint64_t cd_w[8];
	bool s1r, s1a;
	unsigned ips;
	bool s1affd, s1ha, s1hd, s1be, pan, wxn;
	struct range_cfg rng[2];

	/* the fault being reported */
	unsigned ev;
	bool ev_s2;
	unsigned ev_class;
	uint64_t ev_ipa;
	uint64_t ev_fetch;
	bool ev_ttrnw;
	uint32_t ev_ssid;
	bool s2_nocache; /* the last stage 2 walk must not be cached */
};

/* ---- shared between the pieces ---- */

unsigned smmuv3_m_ps_decode(unsigned enc);
bool smmuv3_m_pa_in_oas(const struct smmuv3_model *m, uint64_t pa, size_t len);
int smmuv3_m_mem_rd(struct smmuv3_model *m, uint64_t pa, void *buf, size_t len);
int smmuv3_m_mem_wr(struct smmuv3_model *m, uint64_t pa, const void *buf, size_t len);
int smmuv3_m_mem_rd_words(struct smmuv3_model *m, uint64_t pa, uint64_t *w, unsigned n);
uint64_t smmuv3_m_align_base(struct smmuv3_model *m, uint64_t base, uint64_t align);
uint64_t smmuv3_m_clip_oas(struct smmuv3_model *m, uint64_t addr);
struct smmuv3_model_cfg_entry *smmuv3_m_cache_find(struct smmuv3_model_cache *c, uint32_t sid,
						   uint32_t idx);
void smmuv3_m_cache_put(struct smmuv3_model_cache *c, uint32_t sid, uint32_t lo, uint32_t hi,
			const uint64_t *w, unsigned nw);
void smmuv3_m_cache_drop(struct smmuv3_model *m, struct smmuv3_model_cache *c, enum cdrop how,
			 uint32_t s, uint64_t lo, uint64_t hi);
struct smmuv3_model_tlb_entry *smmuv3_m_tlb_find(struct smmuv3_model *m, unsigned kind,
						 unsigned regime, uint16_t vmid, uint16_t asid,
						 uint64_t ia, bool *conflict);
void smmuv3_m_tlb_insert(struct smmuv3_model *m, const struct smmuv3_model_tlb_entry *n);
void smmuv3_m_tlb_invalidate(struct smmuv3_model *m, const struct tlbi_scope *s);
void smmuv3_m_notify(struct smmuv3_model *m, enum smmuv3_model_irq irq);
void smmuv3_m_msi_send(struct smmuv3_model *m, uint64_t addr, uint32_t data, uint32_t abt_bit);
void smmuv3_m_gerror_raise(struct smmuv3_model *m, uint32_t bit);
bool smmuv3_m_gerror_active(const struct smmuv3_model *m, uint32_t bit);
unsigned smmuv3_m_q_log2(uint64_t base, unsigned max);
uint32_t smmuv3_m_q_mask(unsigned l);
uint64_t smmuv3_m_q_addr(struct smmuv3_model *m, uint64_t base, unsigned l, unsigned entsz,
			 uint32_t idx);
uint32_t smmuv3_m_q_entries(uint32_t prod, uint32_t cons, unsigned l);
bool smmuv3_m_evtq_push(struct smmuv3_model *m, const uint64_t rec[4]);
int smmuv3_m_report(struct smmuv3_model *m, struct xl *x);
int smmuv3_m_fault(struct smmuv3_model *m, struct xl *x, unsigned ev);
int smmuv3_m_fault_s(struct smmuv3_model *m, struct xl *x, unsigned ev, bool s2, unsigned cls,
		     uint64_t ipa);
int smmuv3_m_fault_fetch(struct smmuv3_model *m, struct xl *x, unsigned ev, uint64_t pa);
unsigned smmuv3_m_ste_check(const struct smmuv3_model *m, struct xl *x);
unsigned smmuv3_m_cd_check(const struct smmuv3_model *m, struct xl *x, const uint64_t *d);

#endif
