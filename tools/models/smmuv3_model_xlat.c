/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * smmuv3_model: translation: STE and CD checks, fault reports.
 * See smmuv3_model.h for the scope and smmuv3_model.c for the specification
 * chapters followed. Hosted test code.
 */
#include "smmuv3_model_internal.h"

/* ---- translation ----------------------------------------------------------------------------- */

static bool xlat_fault(unsigned ev)
{
	return ev >= SMMUV3_M_EVT_F_TRANSLATION && ev <= SMMUV3_M_EVT_F_PERMISSION;
}

/* Builds the record of x->ev, records it as configured, returns -(ev). */
int smmuv3_m_report(struct smmuv3_model *m, struct xl *x)
{
	uint64_t r[4] = {0, 0, 0, 0};
	bool record = true;
	unsigned ev = x->ev;
	struct smmuv3_model_event *le = &m->last_event;

	if (m->speculating)
		return -(int)ev; /* a speculative walk records nothing */

	r[0] = ev | (uint64_t)x->sid << 32;
	switch (ev) {
	case SMMUV3_M_EVT_C_BAD_SUBSTREAMID:
		r[0] |= (uint64_t)(x->ev_ssid & 0xfffffu) << 12; /* always valid, no SSV */
		break;
	case SMMUV3_M_EVT_F_STREAM_DISABLED:
		break;
	default:
		if (x->ssv)
			r[0] |= SMMUV3_M_EVT0_SSV | (uint64_t)(x->ssid & 0xfffffu) << 12;
		break;
	}
	if (xlat_fault(ev) || ev == SMMUV3_M_EVT_F_WALK_EABT) {
		r[1] = (x->priv ? SMMUV3_M_EVT1_PNU : 0) | (x->instr ? SMMUV3_M_EVT1_IND : 0) |
		       (x->write ? 0 : SMMUV3_M_EVT1_RNW) | (x->ev_s2 ? SMMUV3_M_EVT1_S2 : 0) |
		       (uint64_t)(x->ev_class & 3u) << 40;
		if (ev == SMMUV3_M_EVT_F_PERMISSION && x->ev_class == CLASS_TT && x->ev_ttrnw)
			r[1] |= SMMUV3_M_EVT1_TTRNW;
		r[2] = x->iova;
		if (ev == SMMUV3_M_EVT_F_WALK_EABT)
			r[3] = x->ev_fetch & MASK64(55, 3);
		else if (x->ev_s2)
			r[3] = x->ev_ipa & MASK64(55, 12);
	} else if (ev == SMMUV3_M_EVT_F_TLB_CONFLICT) {
		/* 7.3 F_TLB_CONFLICT: RnW, InD, PnU, S2 (the stage whose TLB lookup
		 * conflicted), InputAddr and, for stage 2, the IPA; no CLASS. Always
		 * recorded: CD.R and STE.S2R cover only the four translation faults. */
		r[1] = (x->priv ? SMMUV3_M_EVT1_PNU : 0) | (x->instr ? SMMUV3_M_EVT1_IND : 0) |
		       (x->write ? 0 : SMMUV3_M_EVT1_RNW) | (x->ev_s2 ? SMMUV3_M_EVT1_S2 : 0);
		r[2] = x->iova;
		if (x->ev_s2)
			r[3] = x->ev_ipa & MASK64(55, 12);
	}
	if (ev == SMMUV3_M_EVT_F_STE_FETCH || ev == SMMUV3_M_EVT_F_CD_FETCH)
		r[3] = x->ev_fetch & MASK64(55, 3);

	if (ev == SMMUV3_M_EVT_C_BAD_STREAMID)
		record = (m->cr2 & SMMUV3_M_CR2_RECINVSID) != 0;
	else if (xlat_fault(ev))
		record = x->ev_s2 ? x->s2r : (x->have_cd ? x->s1r : true);

	memset(le, 0, sizeof(*le));
	le->type = ev;
	memcpy(le->rec, r, sizeof(r));
	le->razwi = xlat_fault(ev) && !x->ev_s2 && x->have_cd && !x->s1a;
	if (record)
		le->recorded = smmuv3_m_evtq_push(m, r);
	m->stats.dma_faults++;
	return -(int)ev;
}

int smmuv3_m_fault(struct smmuv3_model *m, struct xl *x, unsigned ev)
{
	x->ev = ev;
	x->ev_s2 = false;
	x->ev_class = CLASS_IN;
	return smmuv3_m_report(m, x);
}

int smmuv3_m_fault_s(struct smmuv3_model *m, struct xl *x, unsigned ev, bool s2, unsigned cls,
		     uint64_t ipa)
{
	x->ev = ev;
	x->ev_s2 = s2;
	x->ev_class = cls;
	x->ev_ipa = ipa;
	return smmuv3_m_report(m, x);
}

int smmuv3_m_fault_fetch(struct smmuv3_model *m, struct xl *x, unsigned ev, uint64_t pa)
{
	x->ev = ev;
	x->ev_fetch = pa;
	return smmuv3_m_report(m, x);
}

static bool granule_ok(const struct smmuv3_model *m, unsigned tg)
{
	return (tg == 12 && m->cfg.gran4k) || (tg == 14 && m->cfg.gran16k) ||
	       (tg == 16 && m->cfg.gran64k);
}

/* Decodes and checks an STE (5.2.2); 0 if usable, else SMMUV3_M_EVT_C_BAD_STE. */
unsigned smmuv3_m_ste_check(const struct smmuv3_model *m, struct xl *x)
{
	const struct smmuv3_model_cfg *c = &m->cfg;
	const uint64_t *s = x->ste;
	unsigned config = ufld(s[0], 3, 1);
	bool strw_unused;
	unsigned strw = ufld(s[1], 31, 30);

	if (!(s[0] & STE0_V))
		return SMMUV3_M_EVT_C_BAD_STE;
	if (!(config & 4))
		return 0; /* abort: nothing else is looked at */
	x->s1 = (config & 1) != 0;
	x->s2 = (config & 2) != 0;
	if (x->s1 && !c->s1p)
		return SMMUV3_M_EVT_C_BAD_STE;
	if (x->s2 && !c->s2p)
		return SMMUV3_M_EVT_C_BAD_STE;
	if (x->s1 && x->s2 && !c->nesting)
		return SMMUV3_M_EVT_C_BAD_STE;

	strw_unused = !c->s1p || !c->hyp || x->s2 || config == 4;
	if (!strw_unused && (strw & 1))
		return SMMUV3_M_EVT_C_BAD_STE;
	x->regime = SMMUV3_MODEL_NS_EL1;
	if (!strw_unused && strw == 2)
		x->regime = (m->cr2 & SMMUV3_M_CR2_E2H) ? SMMUV3_MODEL_EL2_E2H : SMMUV3_MODEL_EL2;

	if (c->ats && config != 4) {
		unsigned eats = ufld(s[1], 29, 28);
		if (eats == 2 && (config != 7 || (s[2] & STE2_S2S)))
			return SMMUV3_M_EVT_C_BAD_STE;
		if (eats == 1 && x->s2 && (s[2] & STE2_S2S))
			return SMMUV3_M_EVT_C_BAD_STE;
	}

	if (x->s1) {
		unsigned cdmax = ufld(s[0], 63, 59), fmt = ufld(s[0], 5, 4);
		uint64_t ptr = s[0] & MASK64(55, 6);
		if (s[1] & STE1_S1STALLD) /* STALL_MODEL != 0b00 */
			return SMMUV3_M_EVT_C_BAD_STE;
		if (c->ssidsize && cdmax > c->ssidsize)
			return SMMUV3_M_EVT_C_BAD_STE;
		if (c->ssidsize && cdmax && !c->cd2l && (fmt == 1 || fmt == 2))
			return SMMUV3_M_EVT_C_BAD_STE;
		if (ptr >> c->oas_bits) /* IAS == OAS: AArch64 tables only */
			return SMMUV3_M_EVT_C_BAD_STE;
	}

	if (x->s2) {
		uint64_t w2 = s[2];
		unsigned tgenc = ufld(w2, 47, 46), t0sz = ufld(w2, 37, 32), sl0 = ufld(w2, 39, 38);
		unsigned tg, stride, start, levels, ias, min_ias, max_ias, tsz_min;
		if (!(w2 & STE2_S2S) != !c->stall_forced) /* S2S: 1 if forced, else no stalls */
			return SMMUV3_M_EVT_C_BAD_STE;
		if (!(w2 & STE2_S2AA64)) /* VMSAv8-32 not supported (TTF AArch64 only) */
			return SMMUV3_M_EVT_C_BAD_STE;
		if (((w2 & STE2_S2HA) || (w2 & STE2_S2HD)) && c->httu == 0)
			return SMMUV3_M_EVT_C_BAD_STE;
		if ((w2 & STE2_S2HD) && c->httu == 1)
			return SMMUV3_M_EVT_C_BAD_STE;
		if (tgenc == 3)
			return SMMUV3_M_EVT_C_BAD_STE;
		tg = tgenc == 0 ? 12u : tgenc == 1 ? 16u : 14u;
		if (!granule_ok(m, tg))
			return SMMUV3_M_EVT_C_BAD_STE;
		x->s2ps = umin(smmuv3_m_ps_decode(ufld(w2, 50, 48)), c->oas_bits);
		x->s2ttb = s[3] & MASK64(55, 4);
		if (x->s2ttb >> x->s2ps)
			return SMMUV3_M_EVT_C_BAD_STE;
		tsz_min = 64 - c->oas_bits;
		if (tsz_min < (tg == 16 ? 12u : 16u))
			tsz_min = tg == 16 ? 12u : 16u;
		if (t0sz < tsz_min || t0sz > 39)
			return SMMUV3_M_EVT_C_BAD_STE;
		/* start level from S2SL0 (VTCR_EL2.SL0 encoding) */
		if (tg == 12) {
			if (sl0 == 3 || (sl0 == 2 && c->oas_bits < 44))
				return SMMUV3_M_EVT_C_BAD_STE;
			start = 2 - sl0;
		} else {
			if (sl0 == 3 || (sl0 == 2 && c->oas_bits < (tg == 14 ? 42u : 44u)))
				return SMMUV3_M_EVT_C_BAD_STE;
			start = 3 - sl0;
		}
		stride = tg - 3;
		levels = 3 - start;
		ias = 64 - t0sz;
		min_ias = levels * stride + tg + 1;
		max_ias = min_ias + stride - 1 + 4; /* up to 16 concatenated tables */
		if (ias < min_ias || ias > max_ias)
			return SMMUV3_M_EVT_C_BAD_STE;
		if ((c->ttendian == 2 && (w2 & STE2_S2ENDI)) ||
		    (c->ttendian == 3 && !(w2 & STE2_S2ENDI)))
			return SMMUV3_M_EVT_C_BAD_STE;
		x->s2tg = tg;
		x->s2ias = ias;
		x->s2start = start;
		x->s2affd = (w2 & STE2_S2AFFD) != 0;
		x->s2ha = (w2 & STE2_S2HA) != 0;
		x->s2hd = (w2 & STE2_S2HD) != 0;
		x->s2be = (w2 & STE2_S2ENDI) != 0;
		x->s2ptw = (w2 & STE2_S2PTW) != 0;
		x->s2r = (w2 & STE2_S2R) != 0;
	}

	/* VMID tagging: NS-EL1 StreamWorld with stage 2 implemented */
	x->vmid = 0;
	if (c->s2p && x->regime == SMMUV3_MODEL_NS_EL1 && (x->s1 || x->s2)) {
		uint64_t vmid = fld(s[2], 15, 0);
		if (!c->vmid16 && (vmid >> 8))
			return SMMUV3_M_EVT_C_BAD_STE;
		x->vmid = (uint16_t)vmid;
	}

	/* STE attribute overrides of the incoming transaction */
	switch (ufld(s[1], 49, 48)) {
	case 2:
		x->priv = false;
		break;
	case 3:
		x->priv = true;
		break;
	default:
		break;
	}
	if (!x->write) {
		switch (ufld(s[1], 51, 50)) {
		case 2:
			x->instr = false;
			break;
		case 3:
			x->instr = true;
			break;
		default:
			break;
		}
	}
	if (x->regime == SMMUV3_MODEL_EL2)
		x->priv = true; /* no unprivileged level at EL2 */
	return 0;
}

static unsigned cd_tg0(unsigned enc)
{
	return enc == 0 ? 12u : enc == 1 ? 16u : enc == 2 ? 14u : 0u;
}

static unsigned cd_tg1(unsigned enc)
{
	return enc == 1 ? 14u : enc == 2 ? 12u : enc == 3 ? 16u : 0u;
}

/* Decodes and checks a CD (5.4.2); 0 if usable, else SMMUV3_M_EVT_C_BAD_CD. */
unsigned smmuv3_m_cd_check(const struct smmuv3_model *m, struct xl *x, const uint64_t *d)
{
	const struct smmuv3_model_cfg *c = &m->cfg;
	uint64_t w0 = d[0];
	bool el2 = x->regime == SMMUV3_MODEL_EL2;
	uint64_t asid = fld(w0, 63, 48);

	if (!(w0 & CD0_V))
		return SMMUV3_M_EVT_C_BAD_CD;
	if (!(w0 & CD0_S) != !c->stall_forced) /* S: 1 if STALL_MODEL 0b10, else 0 (0b01) */
		return SMMUV3_M_EVT_C_BAD_CD;
	if (c->term_model && !(w0 & CD0_A))
		return SMMUV3_M_EVT_C_BAD_CD;
	if (!(w0 & CD0_AA64)) /* VMSAv8-32 not supported */
		return SMMUV3_M_EVT_C_BAD_CD;
	if (((w0 & CD0_HA) || (w0 & CD0_HD)) && c->httu == 0)
		return SMMUV3_M_EVT_C_BAD_CD;
	if ((w0 & CD0_HD) && c->httu == 1)
		return SMMUV3_M_EVT_C_BAD_CD;
	if (!el2 && !c->asid16 && (asid >> 8))
		return SMMUV3_M_EVT_C_BAD_CD;

	x->ips = umin(smmuv3_m_ps_decode(ufld(w0, 34, 32)), c->oas_bits);
	memset(x->rng, 0, sizeof(x->rng));
	x->rng[0].present = el2 || !(w0 & CD0_EPD0);
	x->rng[1].present = !el2 && !(w0 & CD0_EPD1);
	for (unsigned i = 0; i < 2; i++) {
		struct range_cfg *r = &x->rng[i];
		if (!r->present)
			continue;
		r->tsz = i ? ufld(w0, 21, 16) : ufld(w0, 5, 0);
		r->tg = i ? cd_tg1(ufld(w0, 23, 22)) : cd_tg0(ufld(w0, 7, 6));
		r->ttb = d[1 + i] & MASK64(55, 4);
		r->tbi = (w0 & (i ? CD0_TBI1 : CD0_TBI0)) != 0 && !(el2 && i);
		if (r->tg == 0 || !granule_ok(m, r->tg))
			return SMMUV3_M_EVT_C_BAD_CD;
		if (r->tsz < 16 || r->tsz > 39) /* 48-bit VAs (IDR5.VAX == 0), no STT */
			return SMMUV3_M_EVT_C_BAD_CD;
		if (r->ttb >> x->ips)
			return SMMUV3_M_EVT_C_BAD_CD;
	}
	if ((x->rng[0].present || x->rng[1].present) &&
	    ((c->ttendian == 2 && (w0 & CD0_ENDI)) || (c->ttendian == 3 && !(w0 & CD0_ENDI))))
		return SMMUV3_M_EVT_C_BAD_CD;

	x->asid = (uint16_t)(el2 ? 0 : asid);
	x->s1r = (w0 & CD0_R) != 0;
	x->s1a = (w0 & CD0_A) != 0;
	x->s1affd = (w0 & CD0_AFFD) != 0;
	x->s1ha = (w0 & CD0_HA) != 0;
	x->s1hd = (w0 & CD0_HD) != 0;
	x->s1be = (w0 & CD0_ENDI) != 0;
	x->pan = !el2 && (w0 & CD0_PAN) != 0;
	x->wxn = (w0 & CD0_WXN) != 0;
	return 0;
}
