/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * smmuv3_model: table walks, configuration fetches and DMA.
 * See smmuv3_model.h for the scope and smmuv3_model.c for the specification
 * chapters followed. Hosted test code.
 */
#include "smmuv3_model_internal.h"

/* ---- table walks ----------------------------------------------------------------------------- */

struct walk_params {
	unsigned stage; /* 1 or 2 */
	unsigned tg;	/* granule bits */
	unsigned ias;	/* input address size */
	unsigned start; /* start level */
	uint64_t ttb;
	unsigned ps; /* output address size */
	bool be, affd, ha, hd;
	unsigned cls;	 /* stage 2: CLASS of what is being translated */
	bool want_write; /* the access needs write permission (dirty state update) */
};

struct walk_result {
	uint64_t desc;
	uint64_t oa; /* base of the page or block */
	unsigned level;
	unsigned size_log2;
	uint64_t tbl; /* stage 1 hierarchical attributes (T_* bits) */
	bool nocache; /* clean DBM descriptor with HD: re-walk on every access */
	bool contig;  /* the leaf has the Contiguous hint */
};

static int s2_translate(struct smmuv3_model *m, struct xl *x, uint64_t ipa, unsigned cls,
			bool want_write, uint64_t *pa, struct smmuv3_model_tlb_entry *out);

/*
 * Entries in one group of the Contiguous hint (Arm ARM D8.6.1, "The Contiguous bit"):
 * 4K granule 16 at every level; 16K 128 at level 3 and 32 at level 2; 64K 32.
 */
static unsigned cont_bits(unsigned tg, unsigned level)
{
	if (tg == 12)
		return 4;
	if (tg == 14)
		return level == 3 ? 7 : 5;
	return 5;
}

/* With cfg.contig_hint, a leaf with the hint is cached as its whole group (the output
 * address is taken from the walked entry, aligned to the group). */
static void contig_group(const struct smmuv3_model *m, struct walk_result *r, unsigned tg)
{
	if (!m->cfg.contig_hint || !r->contig)
		return;
	r->size_log2 += cont_bits(tg, r->level);
	r->oa &= ~(BIT64(r->size_log2) - 1);
}

static bool block_ok(const struct smmuv3_model *m, unsigned tg, unsigned level)
{
	if (tg == 12)
		return level == 1 || level == 2;
	if (tg == 14)
		return level == 2;
	return level == 2 || (level == 1 && m->cfg.oas_bits == 52);
}

/* Output address bits of a descriptor, from bit @lo up. */
static uint64_t desc_addr(const struct smmuv3_model *m, uint64_t d, unsigned tg, unsigned lo)
{
	uint64_t a = d & MASK64(47, lo);
	if (tg == 16 && m->cfg.oas_bits == 52)
		a |= fld(d, 15, 12) << 48;
	return a;
}

static int walk_fault(struct smmuv3_model *m, struct xl *x, const struct walk_params *p,
		      uint64_t ia, unsigned ev)
{
	if (p->stage == 2)
		return smmuv3_m_fault_s(m, x, ev, true, p->cls, ia);
	return smmuv3_m_fault_s(m, x, ev, false, CLASS_IN, 0);
}

static int walk(struct smmuv3_model *m, struct xl *x, const struct walk_params *p, uint64_t ia,
		struct walk_result *r)
{
	unsigned stride = p->tg - 3, level = p->start;
	uint64_t table = p->ttb;
	uint64_t start_bytes;

	memset(r, 0, sizeof(*r));
	start_bytes = UINT64_C(8) << (p->ias - (p->tg + (3 - p->start) * stride));
	table = smmuv3_m_align_base(m, table, start_bytes > 64 ? start_bytes : 64);
	for (;;) {
		unsigned shift = p->tg + (3 - level) * stride;
		unsigned bits = level == p->start ? p->ias - shift : stride;
		uint64_t idx = (ia >> shift) & (BIT64(bits) - 1);
		uint64_t daddr = table + idx * 8, dpa = daddr, d;
		uint8_t b[8];

		if (p->stage == 1 && x->s2) {
			int rc = s2_translate(m, x, daddr, CLASS_TT, false, &dpa, NULL);
			if (rc)
				return rc;
		}
		if (smmuv3_m_mem_rd(m, dpa, b, 8) != 0) {
			x->ev = SMMUV3_M_EVT_F_WALK_EABT;
			x->ev_s2 = p->stage == 2;
			x->ev_class = p->stage == 2 ? p->cls : CLASS_TT;
			x->ev_fetch = dpa;
			return smmuv3_m_report(m, x);
		}
		d = p->be ? get_be64(b) : get_le64(b);
		if (!(d & 1))
			return walk_fault(m, x, p, ia, SMMUV3_M_EVT_F_TRANSLATION);
		if (level < 3 && (d & 2)) {
			uint64_t next = desc_addr(m, d, p->tg, p->tg);
			if (next >> p->ps)
				return walk_fault(m, x, p, ia, SMMUV3_M_EVT_F_ADDR_SIZE);
			if (p->stage == 1)
				r->tbl |= d & (T_PXNT | T_UXNT | T_APT0 | T_APT1);
			table = next;
			level++;
			continue;
		}
		if (level == 3 ? (d & 2) == 0 : !block_ok(m, p->tg, level))
			return walk_fault(m, x, p, ia, SMMUV3_M_EVT_F_TRANSLATION);

		/* leaf */
		r->oa = desc_addr(m, d, p->tg, shift);
		if (r->oa >> p->ps)
			return walk_fault(m, x, p, ia, SMMUV3_M_EVT_F_ADDR_SIZE);
		if (!(d & D_AF)) {
			if (p->ha) {
				d |= D_AF;
				if (p->be)
					put_be64(b, d);
				else
					put_le64(b, d);
				if (smmuv3_m_mem_wr(m, dpa, b, 8) != 0) {
					x->ev = SMMUV3_M_EVT_F_WALK_EABT;
					x->ev_s2 = p->stage == 2;
					x->ev_class = p->stage == 2 ? p->cls : CLASS_TT;
					x->ev_fetch = dpa;
					return smmuv3_m_report(m, x);
				}
			} else if (!p->affd) {
				return walk_fault(m, x, p, ia, SMMUV3_M_EVT_F_ACCESS);
			}
		}
		/* dirty state: stage 1 AP[2], stage 2 S2AP[1] */
		if (p->hd && (d & D_DBM)) {
			bool clean = p->stage == 1 ? (d & D_AP2) != 0 : (d & D_AP2) == 0;
			if (clean && p->want_write) {
				d = p->stage == 1 ? d & ~D_AP2 : d | D_AP2;
				if (p->be)
					put_be64(b, d);
				else
					put_le64(b, d);
				if (smmuv3_m_mem_wr(m, dpa, b, 8) != 0) {
					x->ev = SMMUV3_M_EVT_F_WALK_EABT;
					x->ev_s2 = p->stage == 2;
					x->ev_class = p->stage == 2 ? p->cls : CLASS_TT;
					x->ev_fetch = dpa;
					return smmuv3_m_report(m, x);
				}
			} else if (clean) {
				r->nocache = true;
			}
		}
		r->desc = d;
		r->level = level;
		r->size_log2 = shift;
		r->contig = (d & D_CONT) != 0;
		return 0;
	}
}

/* Stage 1 permissions (VMSAv8-64 direct permissions). */
static uint8_t s1_perm(const struct xl *x, uint64_t d, uint64_t tbl)
{
	bool ro = (d & D_AP2) || (tbl & T_APT1);
	bool el0 = (d & D_AP1) && !(tbl & T_APT0);
	bool uxn = (d & D_UXN) || (tbl & T_UXNT);
	bool pxn = (d & D_PXN) || (tbl & T_PXNT);
	unsigned p = 0;

	if (x->regime == SMMUV3_MODEL_EL2) {
		/* one privilege level; bit 54 is XN */
		p = PERM_PR | (ro ? 0 : PERM_PW) | (uxn ? 0 : PERM_PX);
		if (x->wxn && !ro)
			p &= ~PERM_PX;
		return (uint8_t)p;
	}
	p = PERM_PR | (ro ? 0 : PERM_PW);
	if (!pxn && !(el0 && !ro)) /* EL0-writable memory is privileged execute-never */
		p |= PERM_PX;
	if (el0)
		p |= PERM_UR | (ro ? 0 : PERM_UW);
	if (!uxn)
		p |= PERM_UX;
	if (x->wxn) {
		if (p & PERM_PW)
			p &= ~PERM_PX;
		if (p & PERM_UW)
			p &= ~PERM_UX;
	}
	if (x->pan && el0)
		p &= ~(PERM_PR | PERM_PW);
	return (uint8_t)p;
}

/* Stage 2 permissions, the same for both privilege levels (no FEAT_XNX). */
static uint8_t s2_perm(uint64_t d)
{
	unsigned p = 0;
	if (d & D_AP1)
		p |= PERM_UR | PERM_PR;
	if (d & D_AP2)
		p |= PERM_UW | PERM_PW;
	if (!(d & D_UXN))
		p |= PERM_UX | PERM_PX;
	return (uint8_t)p;
}

static uint8_t need_of(const struct xl *x)
{
	if (x->write)
		return x->priv ? PERM_PW : PERM_UW;
	if (x->instr)
		return x->priv ? PERM_PX : PERM_UX;
	return x->priv ? PERM_PR : PERM_UR;
}

/* Translates @ipa through stage 2 for @cls (CD fetch, stage 1 table access, or the
 * transaction's IPA). On success *pa is the output, *out (if given) the entry used. */
static int s2_translate(struct smmuv3_model *m, struct xl *x, uint64_t ipa, unsigned cls,
			bool want_write, uint64_t *pa, struct smmuv3_model_tlb_entry *out)
{
	struct smmuv3_model_tlb_entry *e, ne;
	uint8_t need;
	bool conflict;

	if (ipa >> x->s2ias)
		return smmuv3_m_fault_s(m, x, SMMUV3_M_EVT_F_TRANSLATION, true, cls, ipa);
	e = smmuv3_m_tlb_find(m, SMMUV3_MODEL_TLB_S2, SMMUV3_MODEL_NS_EL1, x->vmid, 0, ipa,
			      &conflict);
	x->s2_nocache = false;
	if (conflict)
		return smmuv3_m_fault_s(m, x, SMMUV3_M_EVT_F_TLB_CONFLICT, true, cls, ipa);
	if (e) {
		m->stats.tlb_hits++;
		ne = *e;
	} else {
		struct walk_params p;
		struct walk_result r;
		int rc;

		m->stats.tlb_misses++;
		memset(&p, 0, sizeof(p));
		p.stage = 2;
		p.tg = x->s2tg;
		p.ias = x->s2ias;
		p.start = x->s2start;
		p.ttb = x->s2ttb;
		p.ps = x->s2ps;
		p.be = x->s2be;
		p.affd = x->s2affd;
		p.ha = x->s2ha;
		p.hd = x->s2hd;
		p.cls = cls;
		p.want_write = cls == CLASS_IN ? x->write : want_write;
		rc = walk(m, x, &p, ipa, &r);
		if (rc)
			return rc;
		contig_group(m, &r, x->s2tg);
		memset(&ne, 0, sizeof(ne));
		ne.kind = SMMUV3_MODEL_TLB_S2;
		ne.contig = r.contig;
		ne.regime = SMMUV3_MODEL_NS_EL1;
		ne.vmid = x->vmid;
		ne.size_log2 = (uint8_t)r.size_log2;
		ne.level = (uint8_t)r.level;
		ne.tg = (uint8_t)x->s2tg;
		ne.ia = ipa & ~(BIT64(r.size_log2) - 1);
		ne.oa = r.oa;
		ne.s2perm = s2_perm(r.desc);
		ne.s2_device = fld(r.desc, 5, 4) == 0; /* MemAttr[3:2] == 0b00: Device */
		x->s2_nocache = r.nocache;
		if (!r.nocache)
			smmuv3_m_tlb_insert(m, &ne);
	}
	if (cls != CLASS_IN && x->s2ptw && ne.s2_device)
		return smmuv3_m_fault_s(m, x, SMMUV3_M_EVT_F_PERMISSION, true, cls, ipa);
	if (cls == CLASS_IN)
		need = need_of(x);
	else
		need = want_write ? PERM_PW : PERM_PR;
	if (!(ne.s2perm & need)) {
		x->ev_ttrnw = !want_write;
		return smmuv3_m_fault_s(m, x, SMMUV3_M_EVT_F_PERMISSION, true, cls, ipa);
	}
	*pa = ne.oa + (ipa - ne.ia);
	if (out)
		*out = ne;
	return 0;
}

/* An address used to fetch a configuration structure: an IPA when stage 2 translates. */
static int cfg_addr(struct smmuv3_model *m, struct xl *x, uint64_t a, uint64_t *pa)
{
	if (!x->s2) {
		*pa = a;
		return 0;
	}
	return s2_translate(m, x, a, CLASS_CD, false, pa, NULL);
}

/* Finds the CD at @idx of the STE's table (cache, else memory). */
static int get_cd(struct smmuv3_model *m, struct xl *x, uint32_t idx)
{
	const struct smmuv3_model_cfg *c = &m->cfg;
	const uint64_t *s = x->ste;
	struct smmuv3_model_cfg_entry *ce = smmuv3_m_cache_find(&m->cd, x->sid, idx);
	unsigned bad, cdmax = ufld(s[0], 63, 59), fmt = ufld(s[0], 5, 4);
	uint64_t ptr = s[0] & MASK64(55, 6), addr, pa;
	int rc;

	if (ce) {
		m->stats.cd_hits++;
		memcpy(x->cd_w, ce->w, sizeof(x->cd_w));
	} else {
		if (c->ssidsize == 0 || cdmax == 0) {
			addr = ptr;
		} else if (fmt == 1 || fmt == 2) {
			unsigned lb = fmt == 1 ? 6u : 10u;
			uint32_t l1idx = cdmax > lb ? idx >> lb : 0;
			uint64_t l1n = cdmax > lb ? BIT64(cdmax - lb) : 1;
			uint64_t l1base = smmuv3_m_align_base(m, ptr, l1n * 8 > 64 ? l1n * 8 : 64);
			uint64_t desc, l2;
			struct smmuv3_model_cfg_entry *l1 =
			    smmuv3_m_cache_find(&m->l1cd, x->sid, idx);
			if (l1) {
				desc = l1->w[0];
			} else {
				rc = cfg_addr(m, x, l1base + (uint64_t)l1idx * 8, &pa);
				if (rc)
					return rc;
				m->stats.l1_fetches++;
				if (smmuv3_m_mem_rd_words(m, pa, &desc, 1) != 0)
					return smmuv3_m_fault_fetch(m, x, SMMUV3_M_EVT_F_CD_FETCH,
								    pa);
				if ((desc & 1) || c->cache_invalid_cfg) {
					uint32_t lo = l1idx << lb;
					smmuv3_m_cache_put(&m->l1cd, x->sid, lo,
							   lo + (uint32_t)(BIT64(lb) - 1), &desc,
							   1);
				}
			}
			l2 = desc & MASK64(55, 12);
			if (!(desc & 1) || (l2 >> c->oas_bits)) {
				x->ev_ssid = idx;
				return smmuv3_m_fault(m, x, SMMUV3_M_EVT_C_BAD_SUBSTREAMID);
			}
			l2 = smmuv3_m_align_base(m, l2, BIT64(lb + 6));
			addr = l2 + (uint64_t)(idx & (BIT64(lb) - 1)) * 64;
		} else {
			uint64_t base = smmuv3_m_align_base(m, ptr, BIT64(cdmax + 6));
			addr = base + (uint64_t)idx * 64;
		}
		rc = cfg_addr(m, x, addr, &pa);
		if (rc)
			return rc;
		m->stats.cd_fetches++;
		if (smmuv3_m_mem_rd_words(m, pa, x->cd_w, 8) != 0)
			return smmuv3_m_fault_fetch(m, x, SMMUV3_M_EVT_F_CD_FETCH, pa);
		if ((x->cd_w[0] & CD0_V) || c->cache_invalid_cfg) {
			struct xl tmp = *x;
			if (smmuv3_m_cd_check(m, &tmp, x->cd_w) == 0 || c->cache_invalid_cfg)
				smmuv3_m_cache_put(&m->cd, x->sid, idx, idx, x->cd_w, 8);
		}
	}
	bad = smmuv3_m_cd_check(m, x, x->cd_w);
	if (bad)
		return smmuv3_m_fault(m, x, bad);
	x->have_cd = true;
	return 0;
}

/* Finds the STE of x->sid (cache, else memory) and checks it. */
static int get_ste(struct smmuv3_model *m, struct xl *x)
{
	const struct smmuv3_model_cfg *c = &m->cfg;
	uint32_t cfg = m->strtab_base_cfg;
	unsigned log2 = umin(ufld(cfg, 5, 0), c->sidsize);
	bool twolvl = c->st_level_2lvl && ufld(cfg, 17, 16) == 1;
	struct smmuv3_model_cfg_entry *ce;
	uint64_t base, addr;
	unsigned bad;

	if ((uint64_t)x->sid >> log2)
		return smmuv3_m_fault(m, x, SMMUV3_M_EVT_C_BAD_STREAMID);
	ce = smmuv3_m_cache_find(&m->ste, x->sid, 0);
	if (ce) {
		m->stats.ste_hits++;
		memcpy(x->ste_w, ce->w, sizeof(x->ste_w));
	} else {
		/* the base is aligned using the literal LOG2SIZE, not the capped one */
		unsigned raw = umin(ufld(cfg, 5, 0), 40);
		base = smmuv3_m_clip_oas(m, m->strtab_base & MASK64(55, 6));
		if (!twolvl) {
			base = smmuv3_m_align_base(m, base, UINT64_C(64) << raw);
			addr = base + (uint64_t)x->sid * 64;
		} else {
			unsigned split = ufld(cfg, 10, 6), span;
			uint64_t l1n, desc, l2;
			struct smmuv3_model_cfg_entry *l1;
			if (split != 6 && split != 8 && split != 10)
				split = 6;
			l1n = raw > split ? BIT64(raw - split) : 1;
			base = smmuv3_m_align_base(m, base, l1n * 8 > 64 ? l1n * 8 : 64);
			l1 = smmuv3_m_cache_find(&m->l1std, 0, x->sid);
			if (l1) {
				desc = l1->w[0];
			} else {
				uint64_t da = base + (uint64_t)(x->sid >> split) * 8;
				m->stats.l1_fetches++;
				if (smmuv3_m_mem_rd_words(m, da, &desc, 1) != 0)
					return smmuv3_m_fault_fetch(m, x, SMMUV3_M_EVT_F_STE_FETCH,
								    da);
				span = ufld(desc, 4, 0);
				if ((span >= 1 && span <= 11 && span <= split + 1) ||
				    c->cache_invalid_cfg) {
					uint64_t lo = (uint64_t)(x->sid >> split) << split;
					smmuv3_m_cache_put(&m->l1std, 0, (uint32_t)lo,
							   (uint32_t)(lo + BIT64(split) - 1), &desc,
							   1);
				}
			}
			span = ufld(desc, 4, 0);
			if (span == 0 || span > 11 || span > split + 1 ||
			    (x->sid & (BIT64(split) - 1)) >= BIT64(span - 1))
				return smmuv3_m_fault(m, x, SMMUV3_M_EVT_C_BAD_STREAMID);
			l2 = smmuv3_m_clip_oas(m, desc & MASK64(55, 6));
			l2 = smmuv3_m_align_base(m, l2, UINT64_C(64) << (span - 1));
			addr = l2 + (uint64_t)(x->sid & (BIT64(split) - 1)) * 64;
		}
		m->stats.ste_fetches++;
		if (smmuv3_m_mem_rd_words(m, addr, x->ste_w, 8) != 0)
			return smmuv3_m_fault_fetch(m, x, SMMUV3_M_EVT_F_STE_FETCH, addr);
		x->ste = x->ste_w;
		if (c->cache_invalid_cfg) {
			smmuv3_m_cache_put(&m->ste, x->sid, 0, 0, x->ste_w, 8);
		} else {
			struct xl tmp = *x;
			if (smmuv3_m_ste_check(m, &tmp) == 0)
				smmuv3_m_cache_put(&m->ste, x->sid, 0, 0, x->ste_w, 8);
		}
	}
	x->ste = x->ste_w;
	bad = smmuv3_m_ste_check(m, x);
	if (bad)
		return smmuv3_m_fault(m, x, bad);
	return 0;
}

/* Stage 1 (and, when nested, stage 2) translation of x->iova. */
static int translate_s1(struct smmuv3_model *m, struct xl *x, uint64_t *out)
{
	uint64_t va = x->iova, nva;
	bool upper = (va >> 55) & 1;
	unsigned sel = (x->regime != SMMUV3_MODEL_EL2 && upper) ? 1u : 0u;
	const struct range_cfg *rc = &x->rng[sel];
	unsigned kind = x->s2 ? SMMUV3_MODEL_TLB_NESTED : SMMUV3_MODEL_TLB_S1;
	struct smmuv3_model_tlb_entry *e, ne;
	uint8_t need = need_of(x);
	unsigned top;
	uint64_t hi;
	bool conflict;

	if (!rc->present)
		return smmuv3_m_fault(m, x, SMMUV3_M_EVT_F_TRANSLATION);
	/* the VA must be sign-extended (TTB0: zeros, TTB1: ones) above its size */
	top = rc->tbi ? 55u : 63u;
	hi = fld(va, top, 64 - rc->tsz);
	if (hi != (sel ? fld(~UINT64_C(0), top, 64 - rc->tsz) : 0))
		return smmuv3_m_fault(m, x, SMMUV3_M_EVT_F_TRANSLATION);
	nva = va;
	if (rc->tbi)
		nva = upper ? va | MASK64(63, 56) : va & ~MASK64(63, 56);

	e = smmuv3_m_tlb_find(m, kind, x->regime, x->vmid, x->asid, nva, &conflict);
	if (conflict)
		return smmuv3_m_fault(m, x, SMMUV3_M_EVT_F_TLB_CONFLICT);
	if (e) {
		m->stats.tlb_hits++;
		ne = *e;
	} else {
		struct walk_params p;
		struct walk_result r;
		uint64_t ipa;
		int rc3;

		m->stats.tlb_misses++;
		memset(&p, 0, sizeof(p));
		p.stage = 1;
		p.tg = rc->tg;
		p.ias = 64 - rc->tsz;
		p.start = 3 - ((p.ias - 1 - p.tg) / (p.tg - 3));
		p.ttb = rc->ttb;
		p.ps = x->ips;
		p.be = x->s1be;
		p.affd = x->s1affd;
		p.ha = x->s1ha;
		p.hd = x->s1hd;
		p.want_write = x->write;
		rc3 = walk(m, x, &p, nva, &r);
		if (rc3)
			return rc3;
		contig_group(m, &r, rc->tg);
		memset(&ne, 0, sizeof(ne));
		ne.kind = (uint8_t)kind;
		ne.contig = r.contig;
		ne.regime = (uint8_t)x->regime;
		ne.global = !(r.desc & D_NG);
		ne.vmid = x->vmid;
		ne.asid = x->asid;
		ne.level = (uint8_t)r.level;
		ne.tg = (uint8_t)rc->tg;
		ne.s1perm = s1_perm(x, r.desc, r.tbl);
		ne.size_log2 = (uint8_t)r.size_log2;
		ne.ia = nva & ~(BIT64(r.size_log2) - 1);
		ne.oa = r.oa;
		ipa = r.oa + (nva - ne.ia);
		if (!x->s2) {
			/* a valid translation is cached whether or not this access may use it */
			if (!r.nocache)
				smmuv3_m_tlb_insert(m, &ne);
			if (!(ne.s1perm & need))
				return smmuv3_m_fault(m, x, SMMUV3_M_EVT_F_PERMISSION);
			*out = ne.oa + (nva - ne.ia);
			return 0;
		}
		if (!(ne.s1perm & need))
			return smmuv3_m_fault(m, x, SMMUV3_M_EVT_F_PERMISSION);
		{
			struct smmuv3_model_tlb_entry s2e;
			uint64_t pa;
			unsigned sz;
			rc3 = s2_translate(m, x, ipa, CLASS_IN, x->write, &pa, &s2e);
			if (rc3)
				return rc3;
			sz = umin(r.size_log2, s2e.size_log2);
			ne.size_log2 = (uint8_t)sz;
			ne.ia = nva & ~(BIT64(sz) - 1);
			ne.ipa = ipa & ~(BIT64(sz) - 1);
			ne.oa = pa & ~(BIT64(sz) - 1);
			ne.s2perm = s2e.s2perm;
		}
		if (!r.nocache && !x->s2_nocache)
			smmuv3_m_tlb_insert(m, &ne);
		*out = ne.oa + (nva - ne.ia);
		return 0;
	}
	if (!(ne.s1perm & need))
		return smmuv3_m_fault(m, x, SMMUV3_M_EVT_F_PERMISSION);
	if (x->s2 && !(ne.s2perm & need)) {
		x->ev_ttrnw = false;
		return smmuv3_m_fault_s(m, x, SMMUV3_M_EVT_F_PERMISSION, true, CLASS_IN,
					ne.ipa + (nva - ne.ia));
	}
	*out = ne.oa + (nva - ne.ia);
	return 0;
}

int smmuv3_model_dma(struct smmuv3_model *m, uint32_t sid, uint32_t ssid, bool ssv, uint64_t iova,
		     unsigned access, uint64_t *pa_out)
{
	struct xl x;
	const uint64_t *s;
	unsigned config, cdmax;
	uint32_t cd_idx = 0;
	bool s1_bypass;
	uint64_t ipa, pa;
	int rc;

	memset(&m->last_event, 0, sizeof(m->last_event));
	memset(&x, 0, sizeof(x));
	x.sid = sid;
	x.ssid = ssid;
	x.ssv = ssv;
	x.ev_ssid = ssid;
	x.iova = iova;
	x.write = (access & SMMUV3_MODEL_ACC_W) != 0;
	x.instr = !x.write && (access & SMMUV3_MODEL_ACC_X) != 0;
	x.priv = (access & SMMUV3_MODEL_ACC_PRIV) != 0;

	if (!(m->cr0ack & SMMUV3_M_CR0_SMMUEN)) {
		if ((m->gbpa_eff & SMMUV3_M_GBPA_ABORT) || !smmuv3_m_pa_in_oas(m, iova, 1))
			return SMMUV3_MODEL_ABORT;
		if (pa_out)
			*pa_out = iova;
		m->stats.dma_ok++;
		return 0;
	}

	rc = get_ste(m, &x);
	if (rc)
		return rc;
	s = x.ste;
	config = ufld(s[0], 3, 1);
	if (!(config & 4))
		return SMMUV3_MODEL_ABORT; /* Config 0b0xx: abort, no event */

	cdmax = ufld(s[0], 63, 59);
	if (ssv) {
		if (!x.s1 || cdmax == 0 || m->cfg.ssidsize == 0 || ssid >= BIT64(cdmax))
			return smmuv3_m_fault(m, &x, SMMUV3_M_EVT_C_BAD_SUBSTREAMID);
	}
	s1_bypass = !x.s1;
	if (x.s1 && cdmax && m->cfg.ssidsize) {
		unsigned dss = ufld(s[1], 1, 0);
		if (!ssv) {
			if (dss == 1) {
				s1_bypass = true;
			} else if (dss == 2) {
				cd_idx = 0;
			} else {
				return smmuv3_m_fault(m, &x, SMMUV3_M_EVT_F_STREAM_DISABLED);
			}
		} else {
			if (ssid == 0 && dss == 2)
				return smmuv3_m_fault(m, &x, SMMUV3_M_EVT_F_STREAM_DISABLED);
			cd_idx = ssid;
		}
	}

	if (!s1_bypass) {
		rc = get_cd(m, &x, cd_idx);
		if (rc)
			return rc;
		rc = translate_s1(m, &x, &pa);
		if (rc)
			return rc;
	} else {
		/* stage 1 bypassed: the input must fit the IAS (== OAS here) */
		ipa = iova;
		if (!smmuv3_m_pa_in_oas(m, ipa, 1))
			return smmuv3_m_fault(m, &x, SMMUV3_M_EVT_F_ADDR_SIZE);
		if (x.s2) {
			rc = s2_translate(m, &x, ipa, CLASS_IN, x.write, &pa, NULL);
			if (rc)
				return rc;
		} else {
			pa = ipa;
		}
	}
	if (pa_out)
		*pa_out = pa;
	m->stats.dma_ok++;
	return 0;
}

int smmuv3_model_speculate(struct smmuv3_model *m, uint32_t sid, uint32_t ssid, bool ssv,
			   uint64_t iova)
{
	uint64_t ok = m->stats.dma_ok, faults = m->stats.dma_faults;
	m->speculating = true;
	int rc = smmuv3_model_dma(m, sid, ssid, ssv, iova,
				  SMMUV3_MODEL_ACC_R | SMMUV3_MODEL_ACC_PRIV, NULL);
	m->speculating = false;
	m->stats.dma_ok = ok;
	m->stats.dma_faults = faults;
	m->stats.speculative_walks++;
	return rc;
}
