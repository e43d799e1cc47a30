/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * smmuv3_model: command queue and registers.
 * See smmuv3_model.h for the scope and smmuv3_model.c for the specification
 * chapters followed. Hosted test code.
 */
#include "smmuv3_model_internal.h"

/* ---- command queue ---------------------------------------------------------------------- */

static void log_cmd(struct smmuv3_model *m, uint64_t w0, uint64_t w1, unsigned err)
{
	struct smmuv3_model_cmd_log_entry *e = &m->log[m->log_seq % SMMUV3_MODEL_CMD_LOG];
	e->seq = ++m->log_seq;
	e->w[0] = w0;
	e->w[1] = w1;
	e->op = (unsigned)(w0 & 0xffu);
	e->err = err;
}

struct tlbi_args {
	uint16_t vmid, asid;
	uint64_t addr;
	unsigned num, scale, tg, ttl;
};

/* Decodes and checks the common TLBI fields; returns a CERROR code. */
static unsigned tlbi_decode(struct smmuv3_model *m, uint64_t w0, uint64_t w1, bool has_vmid,
			    bool has_asid, bool has_addr, bool ipa, struct tlbi_args *a)
{
	bool strict = !m->cfg.lax_res0;
	uint64_t vmid = fld(w0, 47, 32), asid = fld(w0, 63, 48);

	memset(a, 0, sizeof(*a));
	if (has_vmid) {
		/* VMID is RES0 without stage 2; 8 bits without VMID16 */
		uint64_t keep = !m->cfg.s2p ? 0 : (m->cfg.vmid16 ? 0xffffu : 0xffu);
		if ((vmid & ~keep) && strict)
			return SMMUV3_M_CERROR_ILL;
		a->vmid = (uint16_t)(vmid & keep);
	}
	if (has_asid) {
		uint64_t keep = m->cfg.asid16 ? 0xffffu : 0xffu;
		if ((asid & ~keep) && strict)
			return SMMUV3_M_CERROR_ILL;
		a->asid = (uint16_t)(asid & keep);
	}
	if (has_addr) {
		a->num = ufld(w0, 16, 12);
		a->scale = ufld(w0, 24, 20);
		a->tg = ufld(w1, 11, 10);
		a->ttl = ufld(w1, 9, 8);
		a->addr = w1 & (ipa ? MASK64(55, 12) : MASK64(63, 12));
		if (!m->cfg.ril) {
			/* TG, TTL, NUM and SCALE are RES0 without range invalidation */
			if ((a->num | a->scale | a->tg | a->ttl) && strict)
				return SMMUV3_M_CERROR_ILL;
			a->num = a->scale = a->tg = a->ttl = 0;
		} else if (a->tg == 0) {
			if ((a->num | a->scale | a->ttl) && strict)
				return SMMUV3_M_CERROR_ILL;
			a->num = a->scale = a->ttl = 0;
		} else {
			/* NUM == SCALE == TTL == 0 with a TG is a Reserved combination */
			if (a->num == 0 && a->scale == 0 && a->ttl == 0)
				return SMMUV3_M_CERROR_ILL;
			/* 16K with TTL 0b01 needs DS (52-bit VAs), not modelled */
			if (a->tg == 2 && a->ttl == 1)
				return SMMUV3_M_CERROR_ILL;
		}
	}
	return SMMUV3_M_CERROR_NONE;
}

static void tlbi_addr_scope(const struct tlbi_args *a, struct tlbi_scope *s)
{
	s->by_addr = true;
	s->lo = a->addr;
	s->hi = a->addr;
	if (a->tg) {
		unsigned gbits = a->tg == 1 ? 12u : a->tg == 2 ? 14u : 16u;
		uint64_t range = (uint64_t)(a->num + 1) << (a->scale + gbits);
		s->hi = range - 1 > UINT64_MAX - a->addr ? UINT64_MAX : a->addr + (range - 1);
		s->tg = gbits;
		s->ttl = a->ttl;
	}
}

#define K_S1  (1u << SMMUV3_MODEL_TLB_S1)
#define K_S2  (1u << SMMUV3_MODEL_TLB_S2)
#define K_NST (1u << SMMUV3_MODEL_TLB_NESTED)
#define R_EL1 (1u << SMMUV3_MODEL_NS_EL1)
#define R_EL2 (1u << SMMUV3_MODEL_EL2)
#define R_E2H (1u << SMMUV3_MODEL_EL2_E2H)

/* Field masks of each command (bits outside are RES0). */
#define C_OP	MASK64(7, 0)
#define C_SSV	BIT64(11)
#define C_SSID	MASK64(31, 12)
#define C_SID	MASK64(63, 32)
#define C_VMID	MASK64(47, 32)
#define C_ASID	MASK64(63, 48)
#define C_RANGE (MASK64(16, 12) | MASK64(24, 20))
#define C_VA1	(BIT64(0) | MASK64(11, 8) | MASK64(63, 12))
#define C_IPA1	(BIT64(0) | MASK64(11, 8) | MASK64(55, 12))

static unsigned exec_cmd(struct smmuv3_model *m, uint64_t w0, uint64_t w1)
{
	const struct smmuv3_model_cfg *c = &m->cfg;
	unsigned op = (unsigned)(w0 & 0xffu);
	uint64_t m0 = C_OP, m1 = 0;
	bool ok = true;
	struct tlbi_args a;
	struct tlbi_scope s;
	unsigned err;
	uint32_t sid = (uint32_t)(w0 >> 32);

	/* which commands exist here, and their fields */
	switch (op) {
	case SMMUV3_M_CMD_PREFETCH_CONFIG:
		m0 |= C_SSV | C_SSID | C_SID;
		break;
	case SMMUV3_M_CMD_PREFETCH_ADDR:
		m0 |= C_SSV | C_SSID | C_SID;
		m1 = ~UINT64_C(0); /* Size, Stride, NS, Addr: not checked */
		break;
	case SMMUV3_M_CMD_CFGI_STE:
		m0 |= C_SID;
		m1 = BIT64(0);
		break;
	case SMMUV3_M_CMD_CFGI_STE_RANGE:
		m0 |= C_SID;
		m1 = MASK64(4, 0);
		break;
	case SMMUV3_M_CMD_CFGI_CD:
		ok = c->s1p;
		m0 |= C_SSID | C_SID;
		m1 = BIT64(0);
		break;
	case SMMUV3_M_CMD_CFGI_CD_ALL:
		ok = c->s1p;
		m0 |= C_SID;
		break;
	case SMMUV3_M_CMD_TLBI_NH_ALL:
		ok = c->s1p;
		m0 |= C_VMID;
		break;
	case SMMUV3_M_CMD_TLBI_NH_ASID:
		ok = c->s1p;
		m0 |= C_VMID | C_ASID;
		break;
	case SMMUV3_M_CMD_TLBI_NH_VA:
		ok = c->s1p;
		m0 |= C_RANGE | C_VMID | C_ASID;
		m1 = C_VA1;
		break;
	case SMMUV3_M_CMD_TLBI_NH_VAA:
		ok = c->s1p;
		m0 |= C_RANGE | C_VMID;
		m1 = C_VA1;
		break;
	case SMMUV3_M_CMD_TLBI_EL2_ALL:
		ok = c->s1p && c->hyp;
		break;
	case SMMUV3_M_CMD_TLBI_EL2_ASID:
		ok = c->s1p && c->hyp;
		m0 |= C_ASID;
		break;
	case SMMUV3_M_CMD_TLBI_EL2_VA:
		ok = c->s1p && c->hyp;
		m0 |= C_RANGE | C_ASID;
		m1 = C_VA1;
		break;
	case SMMUV3_M_CMD_TLBI_EL2_VAA:
		ok = c->s1p && c->hyp;
		m0 |= C_RANGE;
		m1 = C_VA1;
		break;
	case SMMUV3_M_CMD_TLBI_S12_VMALL:
		ok = c->s2p;
		m0 |= C_VMID;
		break;
	case SMMUV3_M_CMD_TLBI_S2_IPA:
		ok = c->s2p;
		m0 |= C_RANGE | C_VMID;
		m1 = C_IPA1;
		break;
	case SMMUV3_M_CMD_TLBI_NSNH_ALL:
		break;
	case SMMUV3_M_CMD_ATC_INV:
		ok = c->ats;
		m0 |= BIT64(9) | C_SSV | C_SSID | C_SID;
		m1 = MASK64(5, 0) | MASK64(63, 12);
		break;
	case SMMUV3_M_CMD_PRI_RESP:
		ok = c->pri;
		m0 |= C_SSV | C_SSID | C_SID;
		m1 = MASK64(8, 0) | MASK64(13, 12);
		break;
	case SMMUV3_M_CMD_SYNC:
		m0 |= MASK64(13, 12) | MASK64(27, 22) | MASK64(63, 32);
		m1 = MASK64(55, 2);
		break;
	default:
		/* Reserved opcodes, Secure/EL3 commands on the Non-secure queue,
		 * CMD_RESUME/CMD_STALL_TERM without stall support (STALL_MODEL 0b01),
		 * CMD_CFGI_VMS_PIDM without MPAM, DPT commands. */
		ok = false;
		break;
	}
	if (!ok)
		return SMMUV3_M_CERROR_ILL;
	/* SSec (bit 10) must be 0 on the Non-secure queue; it is outside every mask. */
	if (w0 & BIT64(10))
		return SMMUV3_M_CERROR_ILL;
	if (!c->lax_res0 && ((w0 & ~m0) || (w1 & ~m1)))
		return SMMUV3_M_CERROR_ILL;

	memset(&s, 0, sizeof(s));
	switch (op) {
	case SMMUV3_M_CMD_PREFETCH_CONFIG:
	case SMMUV3_M_CMD_PREFETCH_ADDR:
	case SMMUV3_M_CMD_ATC_INV:
	case SMMUV3_M_CMD_PRI_RESP:
		/* hints / ATS and PRI traffic are not modelled */
		break;
	case SMMUV3_M_CMD_CFGI_STE:
		smmuv3_m_cache_drop(m, &m->ste, DROP_SID_IN, 0, sid, sid);
		smmuv3_m_cache_drop(m, &m->cd, DROP_SID_IN, 0, sid, sid);
		smmuv3_m_cache_drop(m, &m->l1cd, DROP_SID_IN, 0, sid, sid);
		if (!(w1 & 1)) /* Leaf == 0: also the L1STD that located it */
			smmuv3_m_cache_drop(m, &m->l1std, DROP_SPAN_OVERLAPS, 0, sid, sid);
		break;
	case SMMUV3_M_CMD_CFGI_STE_RANGE: {
		unsigned range = ufld(w1, 4, 0);
		uint64_t lo = 0, hi = UINT32_MAX;
		if (range < 31) {
			uint64_t n = BIT64(range + 1);
			lo = sid & ~(n - 1);
			hi = lo + n - 1;
		}
		smmuv3_m_cache_drop(m, &m->ste, DROP_SID_IN, 0, lo, hi);
		smmuv3_m_cache_drop(m, &m->cd, DROP_SID_IN, 0, lo, hi);
		smmuv3_m_cache_drop(m, &m->l1cd, DROP_SID_IN, 0, lo, hi);
		smmuv3_m_cache_drop(m, &m->l1std, DROP_SPAN_OVERLAPS, 0, lo, hi);
		break;
	}
	case SMMUV3_M_CMD_CFGI_CD: {
		uint32_t ssid = (uint32_t)fld(w0, 31, 12);
		smmuv3_m_cache_drop(m, &m->cd, DROP_SID_IDX, sid, ssid, ssid);
		if (!(w1 & 1))
			smmuv3_m_cache_drop(m, &m->l1cd, DROP_SID_IDX_SPAN, sid, ssid, ssid);
		break;
	}
	case SMMUV3_M_CMD_CFGI_CD_ALL:
		smmuv3_m_cache_drop(m, &m->cd, DROP_SID_IN, 0, sid, sid);
		smmuv3_m_cache_drop(m, &m->l1cd, DROP_SID_IN, 0, sid, sid);
		break;
	case SMMUV3_M_CMD_TLBI_NH_ALL:
	case SMMUV3_M_CMD_TLBI_NH_ASID:
	case SMMUV3_M_CMD_TLBI_NH_VA:
	case SMMUV3_M_CMD_TLBI_NH_VAA: {
		bool has_asid = op == SMMUV3_M_CMD_TLBI_NH_ASID || op == SMMUV3_M_CMD_TLBI_NH_VA;
		bool has_addr = op == SMMUV3_M_CMD_TLBI_NH_VA || op == SMMUV3_M_CMD_TLBI_NH_VAA;
		err = tlbi_decode(m, w0, w1, true, has_asid, has_addr, false, &a);
		if (err)
			return err;
		s.kinds = K_S1 | K_NST;
		s.regimes = R_EL1;
		s.match_vmid = true;
		s.vmid = a.vmid;
		if (op == SMMUV3_M_CMD_TLBI_NH_ASID)
			s.asid_mode = ASID_NONGLOBAL;
		else if (op == SMMUV3_M_CMD_TLBI_NH_VA)
			s.asid_mode = ASID_OR_GLOBAL;
		s.asid = a.asid;
		if (has_addr)
			tlbi_addr_scope(&a, &s);
		smmuv3_m_tlb_invalidate(m, &s);
		break;
	}
	case SMMUV3_M_CMD_TLBI_EL2_ALL:
		s.kinds = K_S1;
		s.regimes = R_EL2 | R_E2H;
		smmuv3_m_tlb_invalidate(m, &s);
		break;
	case SMMUV3_M_CMD_TLBI_EL2_ASID:
		err = tlbi_decode(m, w0, w1, false, true, false, false, &a);
		if (err)
			return err;
		s.kinds = K_S1;
		s.regimes = R_E2H;
		s.asid_mode = ASID_NONGLOBAL;
		s.asid = a.asid;
		smmuv3_m_tlb_invalidate(m, &s);
		break;
	case SMMUV3_M_CMD_TLBI_EL2_VA:
	case SMMUV3_M_CMD_TLBI_EL2_VAA: {
		bool e2h = (m->cr2 & SMMUV3_M_CR2_E2H) != 0;
		err =
		    tlbi_decode(m, w0, w1, false, op == SMMUV3_M_CMD_TLBI_EL2_VA, true, false, &a);
		if (err)
			return err;
		s.kinds = K_S1;
		s.regimes = e2h ? R_E2H : R_EL2;
		if (op == SMMUV3_M_CMD_TLBI_EL2_VA && e2h) {
			s.asid_mode = ASID_OR_GLOBAL;
			s.asid = a.asid;
		}
		tlbi_addr_scope(&a, &s);
		smmuv3_m_tlb_invalidate(m, &s);
		break;
	}
	case SMMUV3_M_CMD_TLBI_S12_VMALL:
		err = tlbi_decode(m, w0, w1, true, false, false, false, &a);
		if (err)
			return err;
		s.kinds = K_S1 | K_S2 | K_NST;
		s.regimes = R_EL1;
		s.match_vmid = true;
		s.vmid = a.vmid;
		smmuv3_m_tlb_invalidate(m, &s);
		break;
	case SMMUV3_M_CMD_TLBI_S2_IPA:
		err = tlbi_decode(m, w0, w1, true, false, true, true, &a);
		if (err)
			return err;
		/* stage 2 entries only: combined nested entries are not required to go */
		s.kinds = K_S2;
		s.regimes = R_EL1;
		s.match_vmid = true;
		s.vmid = a.vmid;
		tlbi_addr_scope(&a, &s);
		smmuv3_m_tlb_invalidate(m, &s);
		break;
	case SMMUV3_M_CMD_TLBI_NSNH_ALL:
		s.kinds = K_S1 | K_S2 | K_NST;
		s.regimes = R_EL1;
		smmuv3_m_tlb_invalidate(m, &s);
		break;
	case SMMUV3_M_CMD_SYNC: {
		unsigned cs = ufld(w0, 13, 12);
		if (cs == 3)
			return SMMUV3_M_CERROR_ILL;
		if (cs == SMMUV3_M_SYNC_CS_IRQ) {
			uint64_t addr = w1 & MASK64(55, 2);
			m->stats.sync_irqs++;
			smmuv3_m_notify(m, SMMUV3_MODEL_IRQ_CMD_SYNC);
			if (c->msi && addr) {
				m->stats.sync_msis++;
				smmuv3_m_msi_send(m, addr, (uint32_t)(w0 >> 32),
						  SMMUV3_M_GERROR_MSI_CMDQ_ABT);
			}
		} else if (cs == SMMUV3_M_SYNC_CS_SEV && c->sev) {
			m->stats.sync_sevs++;
		}
		break;
	}
	default:
		return SMMUV3_M_CERROR_ILL;
	}
	return SMMUV3_M_CERROR_NONE;
}

void smmuv3_model_process(struct smmuv3_model *m)
{
	if (m->in_process)
		return;
	m->in_process = true;
	for (;;) {
		unsigned l = smmuv3_m_q_log2(m->cmdq_base, m->cfg.cmdqs);
		uint32_t mask = smmuv3_m_q_mask(l), prod, cons, n;
		uint8_t b[16];
		uint64_t w0 = 0, w1 = 0;
		unsigned err;

		if (!(m->cr0ack & SMMUV3_M_CR0_CMDQEN) || m->cfg.stall_cmdq ||
		    smmuv3_m_gerror_active(m, SMMUV3_M_GERROR_CMDQ_ERR))
			break;
		prod = m->cmdq_prod & mask;
		cons = m->cmdq_cons & mask;
		if (prod == cons)
			break;
		n = smmuv3_m_q_entries(prod, cons, l);
		if (n > (1u << l)) {
			m->stats.cmdq_overruns++;
			break;
		}
		if (smmuv3_m_mem_rd(m, smmuv3_m_q_addr(m, m->cmdq_base, l, 16, cons), b,
				    sizeof(b)) != 0) {
			err = SMMUV3_M_CERROR_ABT;
		} else {
			w0 = get_le64(b);
			w1 = get_le64(b + 8);
			if (m->cfg.cmd_fail_next) {
				m->cfg.cmd_fail_next = false; /* refused unexecuted */
				err = SMMUV3_M_CERROR_ILL;
			} else {
				err = exec_cmd(m, w0, w1);
			}
		}
		log_cmd(m, w0, w1, err);
		if (err) {
			m->cmdq_cons = (m->cmdq_cons & ~SMMUV3_M_CMDQ_CONS_ERR_MASK) |
				       (uint32_t)err << SMMUV3_M_CMDQ_CONS_ERR_SHIFT;
			m->stats.cmd_errors++;
			smmuv3_m_gerror_raise(m, SMMUV3_M_GERROR_CMDQ_ERR);
			break;
		}
		m->stats.cmd_count[w0 & 0xffu]++;
		m->stats.cmds_consumed++;
		m->unsynced = (w0 & 0xffu) == SMMUV3_M_CMD_SYNC ? 0 : m->unsynced + 1;
		if (m->unsynced > m->stats.max_unsynced)
			m->stats.max_unsynced = m->unsynced;
		m->cmdq_cons = (m->cmdq_cons & ~mask) | ((cons + 1) & mask);
	}
	m->in_process = false;
}

/* ---- registers ----------------------------------------------------------------------------- */

static uint64_t *reg64(struct smmuv3_model *m, uint64_t off)
{
	switch (off) {
	case SMMUV3_M_GERROR_IRQ_CFG0:
		return &m->gerror_irq_cfg0;
	case SMMUV3_M_STRTAB_BASE:
		return &m->strtab_base;
	case SMMUV3_M_CMDQ_BASE:
		return &m->cmdq_base;
	case SMMUV3_M_EVTQ_BASE:
		return &m->evtq_base;
	case SMMUV3_M_EVTQ_IRQ_CFG0:
		return &m->evtq_irq_cfg0;
	case SMMUV3_M_PRIQ_BASE:
		return &m->priq_base;
	case SMMUV3_M_PRIQ_IRQ_CFG0:
		return &m->priq_irq_cfg0;
	default:
		return NULL;
	}
}

/* page 1 queue registers, and their optional page 0 aliases */
static uint64_t queue_reg_off(const struct smmuv3_model *m, uint64_t off)
{
	if (m->cfg.page0_queue_alias && (off == 0xa8 || off == 0xac || off == 0xc8 || off == 0xcc))
		return off + 0x10000;
	return off;
}

static uint32_t read32(struct smmuv3_model *m, uint64_t off)
{
	off = queue_reg_off(m, off);
	switch (off) {
	case SMMUV3_M_IDR0:
		return m->idr[0];
	case SMMUV3_M_IDR1:
		return m->idr[1];
	case SMMUV3_M_IDR2:
		return m->idr[2];
	case SMMUV3_M_IDR3:
		return m->idr[3];
	case SMMUV3_M_IDR4:
		return m->idr[4];
	case SMMUV3_M_IDR5:
		return m->idr[5];
	case SMMUV3_M_IIDR:
		return m->cfg.iidr;
	case SMMUV3_M_AIDR:
		return m->aidr;
	case SMMUV3_M_CR0:
		return m->cr0;
	case SMMUV3_M_CR0ACK:
		return m->cr0ack;
	case SMMUV3_M_CR1:
		return m->cr1;
	case SMMUV3_M_CR2:
		return m->cr2;
	case SMMUV3_M_GBPA:
		if (m->gbpa_busy && --m->gbpa_busy == 0)
			m->gbpa &= ~SMMUV3_M_GBPA_UPDATE;
		return m->gbpa;
	case SMMUV3_M_IRQ_CTRL:
		return m->irq_ctrl;
	case SMMUV3_M_IRQ_CTRLACK:
		return m->irq_ctrlack;
	case SMMUV3_M_GERROR:
		return m->gerror;
	case SMMUV3_M_GERRORN:
		return m->gerrorn;
	case SMMUV3_M_GERROR_IRQ_CFG1:
		return m->gerror_irq_cfg1;
	case SMMUV3_M_GERROR_IRQ_CFG2:
		return m->gerror_irq_cfg2;
	case SMMUV3_M_STRTAB_BASE_CFG:
		return m->strtab_base_cfg;
	case SMMUV3_M_CMDQ_PROD:
		return m->cmdq_prod;
	case SMMUV3_M_CMDQ_CONS:
		return m->cmdq_cons;
	case SMMUV3_M_EVTQ_IRQ_CFG1:
		return m->evtq_irq_cfg1;
	case SMMUV3_M_EVTQ_IRQ_CFG2:
		return m->evtq_irq_cfg2;
	case SMMUV3_M_PRIQ_IRQ_CFG1:
		return m->priq_irq_cfg1;
	case SMMUV3_M_PRIQ_IRQ_CFG2:
		return m->priq_irq_cfg2;
	case SMMUV3_M_EVTQ_PROD:
		return m->evtq_prod;
	case SMMUV3_M_EVTQ_CONS:
		return m->evtq_cons;
	case SMMUV3_M_PRIQ_PROD:
		return m->priq_prod;
	case SMMUV3_M_PRIQ_CONS:
		return m->priq_cons;
	default:
		return 0; /* STATUSR, AGBPA, unknown offsets */
	}
}

static bool cr0_guard(struct smmuv3_model *m, uint32_t bits)
{
	if ((m->cr0 | m->cr0ack) & bits) {
		m->stats.guarded_writes++;
		return true;
	}
	return false;
}

static bool irq_guard(struct smmuv3_model *m, uint32_t bits)
{
	if ((m->irq_ctrl | m->irq_ctrlack) & bits) {
		m->stats.guarded_writes++;
		return true;
	}
	return false;
}

static uint32_t keep_bits(struct smmuv3_model *m, uint64_t v, uint64_t mask)
{
	if (v & ~mask)
		m->stats.anomalies++;
	return (uint32_t)(v & mask);
}

static void write64(struct smmuv3_model *m, uint64_t off, uint64_t v)
{
	const uint64_t qmask = BIT64(62) | MASK64(55, 5) | MASK64(4, 0);
	const uint64_t msimask = MASK64(55, 2);
	uint64_t keep = 0;

	switch (off) {
	case SMMUV3_M_GERROR_IRQ_CFG0:
		if (irq_guard(m, SMMUV3_M_IRQ_GERROR))
			return;
		keep = msimask;
		break;
	case SMMUV3_M_STRTAB_BASE:
		if (cr0_guard(m, SMMUV3_M_CR0_SMMUEN))
			return;
		keep = BIT64(62) | MASK64(55, 6);
		break;
	case SMMUV3_M_CMDQ_BASE:
		if (cr0_guard(m, SMMUV3_M_CR0_CMDQEN))
			return;
		keep = qmask;
		break;
	case SMMUV3_M_EVTQ_BASE:
		if (cr0_guard(m, SMMUV3_M_CR0_EVTQEN))
			return;
		keep = qmask;
		break;
	case SMMUV3_M_EVTQ_IRQ_CFG0:
		if (irq_guard(m, SMMUV3_M_IRQ_EVTQ))
			return;
		keep = msimask;
		break;
	case SMMUV3_M_PRIQ_BASE:
		if (cr0_guard(m, SMMUV3_M_CR0_PRIQEN))
			return;
		keep = qmask;
		break;
	case SMMUV3_M_PRIQ_IRQ_CFG0:
		if (irq_guard(m, SMMUV3_M_IRQ_PRIQ))
			return;
		keep = msimask;
		break;
	default:
		return;
	}
	if (v & ~keep)
		m->stats.anomalies++;
	*reg64(m, off) = v & keep;
}

static void write32(struct smmuv3_model *m, uint64_t off, uint32_t v)
{
	const struct smmuv3_model_cfg *c = &m->cfg;

	off = queue_reg_off(m, off);
	switch (off) {
	case SMMUV3_M_IDR0:
	case SMMUV3_M_IDR1:
	case SMMUV3_M_IDR2:
	case SMMUV3_M_IDR3:
	case SMMUV3_M_IDR4:
	case SMMUV3_M_IDR5:
	case SMMUV3_M_IIDR:
	case SMMUV3_M_AIDR:
	case SMMUV3_M_CR0ACK:
	case SMMUV3_M_STATUSR:
	case SMMUV3_M_IRQ_CTRLACK:
	case SMMUV3_M_GERROR:
		m->stats.ro_writes++;
		return;
	case SMMUV3_M_CR0: {
		uint32_t valid = SMMUV3_M_CR0_SMMUEN | SMMUV3_M_CR0_EVTQEN | SMMUV3_M_CR0_CMDQEN |
				 (c->pri ? SMMUV3_M_CR0_PRIQEN : 0) |
				 (c->ats ? SMMUV3_M_CR0_ATSCHK : 0);
		m->cr0 = keep_bits(m, v, valid);
		if (!c->cr0ack_broken) {
			m->cr0ack = m->cr0;
			smmuv3_model_process(m);
		}
		return;
	}
	case SMMUV3_M_CR1:
		if (cr0_guard(m, SMMUV3_M_CR0_SMMUEN | SMMUV3_M_CR0_CMDQEN | SMMUV3_M_CR0_EVTQEN |
				     SMMUV3_M_CR0_PRIQEN))
			return;
		m->cr1 = keep_bits(m, v, 0xfffu);
		return;
	case SMMUV3_M_CR2:
		if (cr0_guard(m, SMMUV3_M_CR0_SMMUEN))
			return;
		m->cr2 = keep_bits(m, v,
				   (c->hyp ? SMMUV3_M_CR2_E2H : 0) | SMMUV3_M_CR2_RECINVSID |
				       SMMUV3_M_CR2_PTM);
		return;
	case SMMUV3_M_GBPA:
		/* SMMUv3.2: writes without Update, or while an update is pending, are ignored */
		if ((m->gbpa & SMMUV3_M_GBPA_UPDATE) || !(v & SMMUV3_M_GBPA_UPDATE)) {
			m->stats.gbpa_bad_writes++;
			return;
		}
		v = keep_bits(m, v & ~SMMUV3_M_GBPA_UPDATE, UINT64_C(0x001f3f1f));
		if (c->gbpa_broken) {
			m->gbpa = v | SMMUV3_M_GBPA_UPDATE;
		} else {
			m->gbpa = v;
			m->gbpa_eff = v;
		}
		return;
	case SMMUV3_M_IRQ_CTRL:
		m->irq_ctrl = keep_bits(m, v,
					SMMUV3_M_IRQ_GERROR | SMMUV3_M_IRQ_EVTQ |
					    (c->pri ? SMMUV3_M_IRQ_PRIQ : 0));
		if (!c->irq_ctrlack_broken)
			m->irq_ctrlack = m->irq_ctrl;
		return;
	case SMMUV3_M_GERRORN: {
		uint32_t nv = keep_bits(m, v, GERROR_MASK);
		uint32_t flipped = nv ^ m->gerrorn;
		bool was = smmuv3_m_gerror_active(m, SMMUV3_M_GERROR_CMDQ_ERR);
		if (flipped & ~(m->gerror ^ m->gerrorn))
			m->stats.gerrorn_bad++;
		m->gerrorn = nv;
		if (was && !smmuv3_m_gerror_active(m, SMMUV3_M_GERROR_CMDQ_ERR))
			smmuv3_model_process(m);
		return;
	}
	case SMMUV3_M_GERROR_IRQ_CFG1:
		if (!irq_guard(m, SMMUV3_M_IRQ_GERROR))
			m->gerror_irq_cfg1 = v;
		return;
	case SMMUV3_M_GERROR_IRQ_CFG2:
		if (!irq_guard(m, SMMUV3_M_IRQ_GERROR))
			m->gerror_irq_cfg2 = keep_bits(m, v, 0x3fu);
		return;
	case SMMUV3_M_STRTAB_BASE_CFG:
		if (cr0_guard(m, SMMUV3_M_CR0_SMMUEN))
			return;
		m->strtab_base_cfg = keep_bits(
		    m, v, (c->st_level_2lvl ? MASK64(17, 16) : 0) | MASK64(10, 6) | MASK64(5, 0));
		return;
	case SMMUV3_M_CMDQ_PROD:
		m->cmdq_prod = keep_bits(m, v, MASK64(19, 0));
		smmuv3_model_process(m);
		return;
	case SMMUV3_M_CMDQ_CONS:
		if (cr0_guard(m, SMMUV3_M_CR0_CMDQEN))
			return;
		/* ERR may ignore the written value: it keeps the last error code */
		m->cmdq_cons = (m->cmdq_cons & SMMUV3_M_CMDQ_CONS_ERR_MASK) |
			       keep_bits(m, v & ~SMMUV3_M_CMDQ_CONS_ERR_MASK, MASK64(19, 0));
		return;
	case SMMUV3_M_EVTQ_PROD:
		if (cr0_guard(m, SMMUV3_M_CR0_EVTQEN))
			return;
		m->evtq_prod = keep_bits(m, v, MASK64(19, 0) | SMMUV3_M_Q_OVF);
		return;
	case SMMUV3_M_EVTQ_CONS:
		m->evtq_cons = keep_bits(m, v, MASK64(19, 0) | SMMUV3_M_Q_OVF);
		return;
	case SMMUV3_M_EVTQ_IRQ_CFG1:
		if (!irq_guard(m, SMMUV3_M_IRQ_EVTQ))
			m->evtq_irq_cfg1 = v;
		return;
	case SMMUV3_M_EVTQ_IRQ_CFG2:
		if (!irq_guard(m, SMMUV3_M_IRQ_EVTQ))
			m->evtq_irq_cfg2 = keep_bits(m, v, 0x3fu);
		return;
	case SMMUV3_M_PRIQ_PROD:
		if (cr0_guard(m, SMMUV3_M_CR0_PRIQEN))
			return;
		m->priq_prod = keep_bits(m, v, MASK64(19, 0) | SMMUV3_M_Q_OVF);
		return;
	case SMMUV3_M_PRIQ_CONS:
		m->priq_cons = keep_bits(m, v, MASK64(19, 0) | SMMUV3_M_Q_OVF);
		return;
	case SMMUV3_M_PRIQ_IRQ_CFG1:
		if (!irq_guard(m, SMMUV3_M_IRQ_PRIQ))
			m->priq_irq_cfg1 = v;
		return;
	case SMMUV3_M_PRIQ_IRQ_CFG2:
		if (!irq_guard(m, SMMUV3_M_IRQ_PRIQ))
			m->priq_irq_cfg2 = keep_bits(m, v, 0x3fu);
		return;
	default:
		return; /* AGBPA, page 0 queue aliases when absent, unknown: ignored */
	}
}

static bool access_ok(struct smmuv3_model *m, uint64_t off, unsigned size)
{
	if ((size != 4 && size != 8) || (off & (size - 1)) || off >= SMMUV3_M_MMIO_SIZE) {
		m->stats.bad_accesses++;
		return false;
	}
	return true;
}

uint64_t smmuv3_model_read(struct smmuv3_model *m, uint64_t off, unsigned size)
{
	uint64_t *r;

	if (!access_ok(m, off, size))
		return 0;
	r = reg64(m, off & ~UINT64_C(7));
	if (size == 8) {
		if (r)
			return *r;
		m->stats.bad_accesses++;
		return read32(m, off) | (uint64_t)read32(m, off + 4) << 32;
	}
	if (r)
		return (uint32_t)(*r >> (off & 4 ? 32 : 0));
	return read32(m, off);
}

void smmuv3_model_write(struct smmuv3_model *m, uint64_t off, uint64_t val, unsigned size)
{
	uint64_t *r;

	if (!access_ok(m, off, size))
		return;
	r = reg64(m, off & ~UINT64_C(7));
	if (size == 8) {
		if (r) {
			write64(m, off, val);
			return;
		}
		m->stats.bad_accesses++;
		write32(m, off, (uint32_t)val);
		write32(m, off + 4, (uint32_t)(val >> 32));
		return;
	}
	if (r) {
		unsigned sh = off & 4 ? 32u : 0u;
		uint64_t merged =
		    (*r & ~(UINT64_C(0xffffffff) << sh)) | ((val & 0xffffffffu) << sh);
		write64(m, off & ~UINT64_C(7), merged);
		return;
	}
	write32(m, off, (uint32_t)val);
}
