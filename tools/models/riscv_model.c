/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RISC-V IOMMU model: registers, memory, the command and fault queues and
 * the architected invalidations (RISC-V IOMMU specification v1.0, chapters
 * 3 and 5). Translation is in riscv_model_xlat.c.
 */
#include <string.h>

#include "riscv_model_internal.h"

uint64_t riscv_m_ld64(const void *p)
{
	const uint8_t *b = p;
	uint64_t v = 0;
	for (unsigned i = 0; i < 8; i++)
		v |= (uint64_t)b[i] << (8u * i);
	return v;
}

void riscv_m_st64(void *p, uint64_t v)
{
	uint8_t *b = p;
	for (unsigned i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (8u * i));
}

/* ---- memory --------------------------------------------------------------- */

static bool beyond_pas(const struct riscv_model *m, uint64_t pa, size_t len)
{
	uint64_t end = pa + len;
	return end < pa || (m->pas < 64 && (end - 1u) >> m->pas);
}

int riscv_m_mem_read(struct riscv_model *m, uint64_t pa, void *buf, size_t len)
{
	if (beyond_pas(m, pa, len))
		return -1;
	if (m->cfg.read_mem)
		return m->cfg.read_mem(m->cfg.mem_ctx, pa, buf, len) ? -1 : 0;
	if (pa < 0x10000u)
		return -1;
	memcpy(buf, (const void *)(uintptr_t)pa, len);
	return 0;
}

int riscv_m_mem_write(struct riscv_model *m, uint64_t pa, const void *buf, size_t len)
{
	if (beyond_pas(m, pa, len))
		return -1;
	if (m->cfg.write_mem)
		return m->cfg.write_mem(m->cfg.mem_ctx, pa, buf, len) ? -1 : 0;
	if (pa < 0x10000u)
		return -1;
	memcpy((void *)(uintptr_t)pa, buf, len);
	return 0;
}

static int clean_read(void *ctx, uint64_t pa, void *buf, size_t len)
{
	return riscv_m_mem_read(ctx, pa, buf, len);
}

void riscv_model_clean(struct riscv_model *m, uint64_t pa, size_t len)
{
	model_dram_clean(&m->dram, pa, len, clean_read, m);
}

int riscv_m_walk_mem(struct riscv_model *m, uint64_t pa, void *buf, size_t len)
{
	if (riscv_m_mem_read(m, pa, buf, len) != 0)
		return -1;
	if (m->cfg.dram)
		model_dram_read(&m->dram, pa, buf, len);
	return 0;
}

/* ---- set-up ----------------------------------------------------------------- */

void riscv_model_cfg_default(struct riscv_model_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->caps = RISCV_M_CAP_VERSION | RISCV_M_CAP_SV39 | RISCV_M_CAP_SV48 | RISCV_M_CAP_SV57 |
		    RISCV_M_CAP_SV39X4 | RISCV_M_CAP_SV48X4 | RISCV_M_CAP_SV57X4 |
		    (2ull << RISCV_M_CAP_IGS_SHIFT) | (56ull << RISCV_M_CAP_PAS_SHIFT);
}

int riscv_model_init(struct riscv_model *m, const struct riscv_model_cfg *cfg)
{
	memset(m, 0, sizeof(*m));
	m->cfg = *cfg;
	model_dram_init(&m->dram, m->dram_pages, RISCV_MODEL_DRAM_PAGES);
	uint64_t c = cfg->caps;
	const uint64_t not_modelled = RISCV_M_CAP_SV32 | RISCV_M_CAP_SV32X4 | RISCV_M_CAP_AMO_MRIF |
				      RISCV_M_CAP_MSI_MRIF | RISCV_M_CAP_AMO_HWAD |
				      RISCV_M_CAP_T2GPA | RISCV_M_CAP_HPM | RISCV_M_CAP_DBG |
				      RISCV_M_CAP_PD8 | RISCV_M_CAP_PD17 | RISCV_M_CAP_PD20;
	unsigned pas = (unsigned)((c & RISCV_M_CAP_PAS_MASK) >> RISCV_M_CAP_PAS_SHIFT);
	unsigned igs = (unsigned)((c & RISCV_M_CAP_IGS_MASK) >> RISCV_M_CAP_IGS_SHIFT);
	if ((c & 0xffu) != RISCV_M_CAP_VERSION || (c & not_modelled) || pas < 32 || pas > 56 ||
	    igs > 2 || (c >> 41))
		return -1;
	m->caps = c;
	m->pas = pas;
	m->fctl = igs == 1 ? RISCV_M_FCTL_WSI : 0u; /* WSI only: wired interrupts */
	return 0;
}

size_t riscv_model_dc_count(const struct riscv_model *m)
{
	size_t n = 0;
	for (unsigned i = 0; i < RISCV_MODEL_DC_MAX; i++)
		n += m->dcc[i].valid;
	return n;
}

size_t riscv_model_tlb_count(const struct riscv_model *m)
{
	size_t n = 0;
	for (unsigned i = 0; i < RISCV_MODEL_TLB_MAX; i++)
		n += m->tlb[i].valid;
	return n;
}

void riscv_model_decode_fault(const void *rec, struct riscv_model_fault *f)
{
	const uint8_t *b = rec;
	uint64_t w0 = riscv_m_ld64(b);
	memset(f, 0, sizeof(*f));
	f->cause = (uint32_t)(w0 & 0xfffu);
	f->pid = (uint32_t)((w0 >> 12) & 0xfffffu);
	f->pv = (w0 >> 32) & 1u;
	f->priv = (w0 >> 33) & 1u;
	f->ttyp = (uint32_t)((w0 >> 34) & 0x3fu);
	f->did = (uint32_t)(w0 >> 40);
	f->iotval = riscv_m_ld64(b + 16);
	f->iotval2 = riscv_m_ld64(b + 24);
}

/* ---- queues ----------------------------------------------------------------- */

static uint32_t q_entries(uint64_t qb)
{
	return 1u << ((unsigned)(qb & 0x1fu) + 1u);
}

static uint64_t q_base(uint64_t qb)
{
	return ((qb & RISCV_M_PPN_MASK) >> RISCV_M_PPN_SHIFT) << 12;
}

/* Aligned to max(4 KiB, size) and within PAS. */
static bool q_ok(const struct riscv_model *m, uint64_t qb, unsigned esize)
{
	uint64_t bytes = (uint64_t)q_entries(qb) * esize;
	uint64_t align = bytes > 4096u ? bytes : 4096u;
	uint64_t base = q_base(qb);
	return !(base & (align - 1u)) && !beyond_pas(m, base, (size_t)bytes);
}

void riscv_m_record_fault(struct riscv_model *m, const struct riscv_model_fault *f)
{
	if (!(m->fqcsr & RISCV_M_FQCSR_FQON) ||
	    (m->fqcsr & (RISCV_M_FQCSR_FQMF | RISCV_M_FQCSR_FQOF))) {
		m->stats.faults_dropped++;
		return;
	}
	uint32_t mask = q_entries(m->fqb) - 1u;
	if (((m->fqt + 1u) & mask) == (m->fqh & mask)) {
		m->fqcsr |= RISCV_M_FQCSR_FQOF;
		if (m->fqcsr & RISCV_M_FQCSR_FIE)
			m->ipsr |= RISCV_M_IPSR_FIP;
		m->stats.faults_overflow++;
		return;
	}
	uint8_t rec[32];
	memset(rec, 0, sizeof(rec));
	uint64_t w0 = (uint64_t)(f->cause & 0xfffu) | ((uint64_t)(f->pid & 0xfffffu) << 12) |
		      ((uint64_t)f->pv << 32) | ((uint64_t)f->priv << 33) |
		      ((uint64_t)(f->ttyp & 0x3fu) << 34) | ((uint64_t)(f->did & 0xffffffu) << 40);
	riscv_m_st64(rec, w0);
	riscv_m_st64(rec + 16, f->iotval);
	riscv_m_st64(rec + 24, f->iotval2);
	if (riscv_m_mem_write(m, q_base(m->fqb) + (uint64_t)m->fqt * 32u, rec, sizeof(rec))) {
		m->fqcsr |= RISCV_M_FQCSR_FQMF;
		if (m->fqcsr & RISCV_M_FQCSR_FIE)
			m->ipsr |= RISCV_M_IPSR_FIP;
		m->stats.faults_dropped++;
		return;
	}
	m->fqt = (m->fqt + 1u) & mask;
	if (m->fqcsr & RISCV_M_FQCSR_FIE)
		m->ipsr |= RISCV_M_IPSR_FIP;
	m->stats.faults_recorded++;
}

/* ---- invalidations ----------------------------------------------------------- */

static void tlb_drop(struct riscv_model *m, struct riscv_model_tlb_entry *e)
{
	e->valid = false;
	m->stats.tlb_invalidated++;
}

static bool covers(const struct riscv_model_tlb_entry *e, uint64_t base, uint64_t size,
		   uint64_t addr)
{
	(void)e;
	return addr >= base && addr - base < size;
}

static void iotinval(struct riscv_model *m, bool gvma, uint64_t w0, uint64_t addr)
{
	bool av = (w0 & RISCV_M_CMD_AV) != 0, pscv = (w0 & RISCV_M_CMD_PSCV) != 0;
	bool gv = (w0 & RISCV_M_CMD_GV) != 0;
	uint32_t pscid = (uint32_t)((w0 >> RISCV_M_CMD_PSCID_SHIFT) & 0xfffffu);
	uint32_t gscid = (uint32_t)((w0 >> RISCV_M_CMD_GSCID_SHIFT) & 0xffffu);
	for (unsigned i = 0; i < RISCV_MODEL_TLB_MAX; i++) {
		struct riscv_model_tlb_entry *e = &m->tlb[i];
		if (!e->valid)
			continue;
		if (!gvma) {
			/* first-stage entries: of no G-stage (GV = 0) or of GSCID */
			if (gv ? e->kind != RISCV_MODEL_TLB_NESTED || e->gscid != gscid
			       : e->kind != RISCV_MODEL_TLB_S1)
				continue;
			if (pscv && (e->pscid != pscid || e->global))
				continue;
			if (av && !covers(e, e->va, e->size, addr))
				continue;
		} else {
			if (e->kind == RISCV_MODEL_TLB_S1)
				continue;
			if (gv && e->gscid != gscid)
				continue;
			if (av && e->kind == RISCV_MODEL_TLB_G && !covers(e, e->va, e->size, addr))
				continue;
			/* nested entries of the GSCID go with any GVMA of it */
		}
		tlb_drop(m, e);
	}
}

static void iodir_ddt(struct riscv_model *m, bool dv, uint32_t did)
{
	for (unsigned i = 0; i < RISCV_MODEL_DC_MAX; i++)
		if (m->dcc[i].valid && (!dv || m->dcc[i].did == did))
			m->dcc[i].valid = false;
}

/* ---- command queue ------------------------------------------------------------- */

static void cq_error(struct riscv_model *m, uint32_t bit)
{
	m->cqcsr |= bit;
	if (m->cqcsr & RISCV_M_CQCSR_CIE)
		m->ipsr |= RISCV_M_IPSR_CIP;
}

/* One command: 0 done, -1 illegal. */
static int command(struct riscv_model *m, uint64_t w0, uint64_t w1)
{
	unsigned op = (unsigned)(w0 & 0x7fu), f3 = (unsigned)((w0 >> 7) & 7u);
	switch (op) {
	case RISCV_M_CMD_IOTINVAL: {
		const uint64_t rsvd0 = (1ull << 11) | (0x3ffull << 34) | (0xfull << 60);
		const uint64_t rsvd1 = 0x3ffull | (3ull << 62);
		if (f3 > RISCV_M_IOTINVAL_GVMA || (w0 & rsvd0) || (w1 & rsvd1))
			return -1;
		if (f3 == RISCV_M_IOTINVAL_GVMA && (w0 & RISCV_M_CMD_PSCV))
			return -1;
		iotinval(m, f3 == RISCV_M_IOTINVAL_GVMA, w0, w1 << 2);
		m->stats.cmds[f3 == RISCV_M_IOTINVAL_GVMA ? RISCV_CMD_IOTINVAL_GVMA
							  : RISCV_CMD_IOTINVAL_VMA]++;
		return 0;
	}
	case RISCV_M_CMD_IOFENCE: {
		const uint64_t rsvd0 = 0x3ffffull << 14;
		if (f3 != RISCV_M_IOFENCE_C || (w0 & rsvd0) || (w1 >> 62))
			return -1;
		if ((w0 & RISCV_M_CMD_WSI) && !(m->fctl & RISCV_M_FCTL_WSI))
			return -1;
		if (w0 & RISCV_M_CMD_AV) {
			uint8_t d[4];
			uint32_t data = (uint32_t)(w0 >> RISCV_M_CMD_DATA_SHIFT);
			for (unsigned i = 0; i < 4; i++)
				d[i] = (uint8_t)(data >> (8u * i));
			if (riscv_m_mem_write(m, w1 << 2, d, sizeof(d))) {
				m->stats.cq_mem_faults++;
				cq_error(m, RISCV_M_CQCSR_CQMF);
				return 1;
			}
			m->stats.fence_writes++;
		}
		if (w0 & RISCV_M_CMD_WSI)
			cq_error(m, RISCV_M_CQCSR_FENCE_W_IP);
		m->stats.cmds[RISCV_CMD_IOFENCE_C]++;
		return 0;
	}
	case RISCV_M_CMD_IODIR: {
		const uint64_t rsvd0 = (3ull << 10) | (1ull << 32) | (0x3full << 34);
		if (f3 > RISCV_M_IODIR_PDT || (w0 & rsvd0) || w1)
			return -1;
		bool dv = (w0 & RISCV_M_CMD_DV) != 0;
		uint32_t did = (uint32_t)(w0 >> RISCV_M_CMD_DID_SHIFT);
		if (f3 == RISCV_M_IODIR_PDT) {
			if (!dv)
				return -1;
			m->stats.cmds[RISCV_CMD_IODIR_PDT]++; /* no process contexts cached */
			return 0;
		}
		if (w0 & (0xfffffull << RISCV_M_CMD_PID_SHIFT))
			return -1;
		iodir_ddt(m, dv, did);
		m->stats.cmds[RISCV_CMD_IODIR_DDT]++;
		return 0;
	}
	case RISCV_M_CMD_ATS:
		if (!(m->caps & RISCV_M_CAP_ATS) || f3 > 1)
			return -1;
		m->stats.cmds[RISCV_CMD_ATS]++; /* no device side modelled */
		return 0;
	default:
		return -1;
	}
}

void riscv_model_step(struct riscv_model *m)
{
	const uint32_t stop = RISCV_M_CQCSR_CQMF | RISCV_M_CQCSR_CMD_TO | RISCV_M_CQCSR_CMD_ILL;
	if (!(m->cqcsr & RISCV_M_CQCSR_CQON) || (m->cqcsr & stop))
		return;
	if (!q_ok(m, m->cqb, 16)) {
		m->stats.cq_mem_faults++;
		cq_error(m, RISCV_M_CQCSR_CQMF);
		return;
	}
	uint32_t mask = q_entries(m->cqb) - 1u;
	while ((m->cqh & mask) != (m->cqt & mask)) {
		uint8_t c[16];
		if (riscv_m_mem_read(m, q_base(m->cqb) + (uint64_t)m->cqh * 16u, c, sizeof(c))) {
			m->stats.cq_mem_faults++;
			cq_error(m, RISCV_M_CQCSR_CQMF);
			return;
		}
		int r = command(m, riscv_m_ld64(c), riscv_m_ld64(c + 8));
		if (r < 0) {
			m->stats.cmd_ill++;
			cq_error(m, RISCV_M_CQCSR_CMD_ILL);
			return;
		}
		if (r > 0)
			return;
		m->cqh = (m->cqh + 1u) & mask;
	}
}

/* ---- registers -------------------------------------------------------------------- */

static bool queues_or_ddt_live(const struct riscv_model *m)
{
	unsigned mode = (unsigned)(m->ddtp & RISCV_M_DDTP_MODE_MASK);
	return (mode != RISCV_M_DDTP_OFF && mode != RISCV_M_DDTP_BARE) ||
	       (m->cqcsr & (RISCV_M_CQCSR_CQEN | RISCV_M_CQCSR_CQON)) ||
	       (m->fqcsr & (RISCV_M_FQCSR_FQEN | RISCV_M_FQCSR_FQON));
}

/* The value of the aligned 64-bit register at @off8 (0 if none). */
static uint64_t reg64(struct riscv_model *m, uint64_t off8)
{
	switch (off8) {
	case RISCV_M_CAPS:
		return m->caps;
	case RISCV_M_FCTL:
		return m->fctl;
	case RISCV_M_DDTP: {
		uint64_t v = m->ddtp;
		if (m->ddtp_busy) {
			m->ddtp_busy--;
			v |= RISCV_M_DDTP_BUSY;
		}
		return v;
	}
	case RISCV_M_CQB:
		return m->cqb;
	case RISCV_M_CQH:
		return m->cqh | ((uint64_t)m->cqt << 32);
	case RISCV_M_FQB:
		return m->fqb;
	case RISCV_M_FQH:
		return m->fqh | ((uint64_t)m->fqt << 32);
	case RISCV_M_CQCSR: {
		uint32_t c = m->cqcsr;
		if (m->cq_busy) {
			m->cq_busy--;
			c |= RISCV_M_CQCSR_BUSY;
		}
		return c | ((uint64_t)m->fqcsr << 32);
	}
	case RISCV_M_PQCSR:
		return (uint64_t)m->ipsr << 32;
	case RISCV_M_ICVEC:
		return m->icvec;
	default:
		return 0;
	}
}

static bool known(uint64_t off8)
{
	switch (off8) {
	case RISCV_M_CAPS:
	case RISCV_M_FCTL:
	case RISCV_M_DDTP:
	case RISCV_M_CQB:
	case RISCV_M_CQH:
	case RISCV_M_FQB:
	case RISCV_M_FQH:
	case RISCV_M_PQB:
	case RISCV_M_PQH:
	case RISCV_M_CQCSR:
	case RISCV_M_PQCSR:
	case RISCV_M_ICVEC:
		return true;
	default:
		return false;
	}
}

uint64_t riscv_model_read(struct riscv_model *m, uint64_t off, unsigned size)
{
	if ((size != 4 && size != 8) || (off & (size - 1u)) || off >= RISCV_M_MMIO_SIZE) {
		m->stats.bad_accesses++;
		return 0;
	}
	uint64_t off8 = off & ~7ull;
	if (!known(off8)) {
		m->stats.bad_accesses++;
		return 0;
	}
	/* the busy knobs count reads of the 32-bit register itself */
	if (off8 == RISCV_M_CQCSR && size == 4 && off == RISCV_M_FQCSR) {
		uint32_t c = m->fqcsr;
		if (m->fq_busy) {
			m->fq_busy--;
			c |= RISCV_M_FQCSR_BUSY;
		}
		return c;
	}
	uint64_t v = reg64(m, off8);
	if (off8 == RISCV_M_CQCSR && size == 8 && m->fq_busy) {
		m->fq_busy--;
		v |= (uint64_t)RISCV_M_FQCSR_BUSY << 32;
	}
	if (size == 8)
		return v;
	return (off & 4u) ? v >> 32 : v & 0xffffffffu;
}

static void write_fctl(struct riscv_model *m, uint32_t v)
{
	if (queues_or_ddt_live(m)) {
		m->stats.fctl_ignored++;
		return;
	}
	unsigned igs = (unsigned)((m->caps & RISCV_M_CAP_IGS_MASK) >> RISCV_M_CAP_IGS_SHIFT);
	uint32_t f = 0;
	if ((m->caps & RISCV_M_CAP_END) && (v & RISCV_M_FCTL_BE))
		f |= RISCV_M_FCTL_BE;
	if (igs == 1 || (igs == 2 && (v & RISCV_M_FCTL_WSI)))
		f |= RISCV_M_FCTL_WSI;
	m->fctl = f; /* GXL: no Sv32x4, read-only 0 */
}

static void write_ddtp(struct riscv_model *m, uint64_t v)
{
	unsigned mode = (unsigned)(v & RISCV_M_DDTP_MODE_MASK);
	if (mode > RISCV_M_DDTP_3LVL)
		mode = (unsigned)(m->ddtp & RISCV_M_DDTP_MODE_MASK); /* WARL: keep the old mode */
	uint64_t ppn = v & RISCV_M_PPN_MASK;
	ppn &= ((1ull << (m->pas - 12u)) - 1u) << RISCV_M_PPN_SHIFT;
	m->ddtp = ppn | mode;
	m->ddtp_busy = m->cfg.busy_reads;
}

static void write_cqcsr(struct riscv_model *m, uint32_t v)
{
	const uint32_t w1c = RISCV_M_CQCSR_CQMF | RISCV_M_CQCSR_CMD_TO | RISCV_M_CQCSR_CMD_ILL |
			     RISCV_M_CQCSR_FENCE_W_IP;
	uint32_t c = m->cqcsr & ~(v & w1c);
	bool was = (m->cqcsr & RISCV_M_CQCSR_CQEN) != 0, en = (v & RISCV_M_CQCSR_CQEN) != 0;
	c = (c & ~(RISCV_M_CQCSR_CQEN | RISCV_M_CQCSR_CIE)) |
	    (v & (RISCV_M_CQCSR_CQEN | RISCV_M_CQCSR_CIE));
	if (en && !was) {
		m->cqh = 0;
		c &= ~w1c;
		c |= RISCV_M_CQCSR_CQON;
		m->cq_busy = m->cfg.busy_reads;
		if (!q_ok(m, m->cqb, 16)) {
			m->stats.cq_mem_faults++;
			c |= RISCV_M_CQCSR_CQMF;
			if (c & RISCV_M_CQCSR_CIE)
				m->ipsr |= RISCV_M_IPSR_CIP;
		}
	} else if (!en && was) {
		c &= ~RISCV_M_CQCSR_CQON;
		m->cq_busy = m->cfg.busy_reads;
	}
	m->cqcsr = c;
	riscv_model_step(m); /* resumes after cmd_ill / cqmf is cleared */
}

static void write_fqcsr(struct riscv_model *m, uint32_t v)
{
	const uint32_t w1c = RISCV_M_FQCSR_FQMF | RISCV_M_FQCSR_FQOF;
	uint32_t c = m->fqcsr & ~(v & w1c);
	bool was = (m->fqcsr & RISCV_M_FQCSR_FQEN) != 0, en = (v & RISCV_M_FQCSR_FQEN) != 0;
	c = (c & ~(RISCV_M_FQCSR_FQEN | RISCV_M_FQCSR_FIE)) |
	    (v & (RISCV_M_FQCSR_FQEN | RISCV_M_FQCSR_FIE));
	if (en && !was) {
		m->fqt = 0;
		c &= ~w1c;
		c |= RISCV_M_FQCSR_FQON;
		m->fq_busy = m->cfg.busy_reads;
		if (!q_ok(m, m->fqb, 32)) {
			c |= RISCV_M_FQCSR_FQMF;
			if (c & RISCV_M_FQCSR_FIE)
				m->ipsr |= RISCV_M_IPSR_FIP;
		}
	} else if (!en && was) {
		c &= ~RISCV_M_FQCSR_FQON;
		m->fq_busy = m->cfg.busy_reads;
	}
	m->fqcsr = c;
}

/* A 32-bit write of @v to the 32-bit register at @off. */
static void write32(struct riscv_model *m, uint64_t off, uint32_t v)
{
	switch (off) {
	case RISCV_M_CQT:
		m->cqt = v & (q_entries(m->cqb) - 1u);
		riscv_model_step(m);
		return;
	case RISCV_M_FQH:
		m->fqh = v & (q_entries(m->fqb) - 1u);
		return;
	case RISCV_M_CQH:
	case RISCV_M_FQT:
		m->stats.ro_writes++;
		return;
	case RISCV_M_CQCSR:
		write_cqcsr(m, v);
		return;
	case RISCV_M_FQCSR:
		write_fqcsr(m, v);
		return;
	case RISCV_M_IPSR:
		m->ipsr &= ~(v & 0xfu);
		return;
	case RISCV_M_PQH:
	case RISCV_M_PQT:
	case RISCV_M_PQCSR:
		return; /* no page-request queue: RAZ/WI */
	default:
		m->stats.bad_accesses++;
		return;
	}
}

/* A write of the whole 64-bit register at @off8 (@v already merged for halves). */
static void write64(struct riscv_model *m, uint64_t off8, uint64_t v)
{
	switch (off8) {
	case RISCV_M_CAPS:
		m->stats.ro_writes++;
		return;
	case RISCV_M_FCTL:
		write_fctl(m, (uint32_t)v);
		return;
	case RISCV_M_DDTP:
		write_ddtp(m, v);
		return;
	case RISCV_M_CQB:
		if (m->cqcsr & (RISCV_M_CQCSR_CQEN | RISCV_M_CQCSR_CQON))
			return;
		m->cqb = (v & (RISCV_M_PPN_MASK | 0x1full));
		return;
	case RISCV_M_FQB:
		if (m->fqcsr & (RISCV_M_FQCSR_FQEN | RISCV_M_FQCSR_FQON))
			return;
		m->fqb = (v & (RISCV_M_PPN_MASK | 0x1full));
		return;
	case RISCV_M_PQB:
		return;
	case RISCV_M_ICVEC:
		m->icvec = v & 0xffffu;
		return;
	default:
		m->stats.bad_accesses++;
		return;
	}
}

static bool is64(uint64_t off8)
{
	return off8 == RISCV_M_CAPS || off8 == RISCV_M_FCTL || off8 == RISCV_M_DDTP ||
	       off8 == RISCV_M_CQB || off8 == RISCV_M_FQB || off8 == RISCV_M_PQB ||
	       off8 == RISCV_M_ICVEC;
}

void riscv_model_write(struct riscv_model *m, uint64_t off, uint64_t val, unsigned size)
{
	if ((size != 4 && size != 8) || (off & (size - 1u)) || off >= RISCV_M_MMIO_SIZE) {
		m->stats.bad_accesses++;
		return;
	}
	uint64_t off8 = off & ~7ull;
	if (!known(off8)) {
		m->stats.bad_accesses++;
		return;
	}
	if (is64(off8)) {
		uint64_t cur;
		switch (off8) {
		case RISCV_M_DDTP:
			cur = m->ddtp;
			break;
		case RISCV_M_FCTL:
			cur = m->fctl;
			break;
		default:
			cur = reg64(m, off8);
			break;
		}
		if (size == 4) {
			uint64_t v32 = val & 0xffffffffu;
			val = (off & 4u) ? (cur & 0xffffffffu) | (v32 << 32)
					 : (cur & ~0xffffffffull) | v32;
			/* fctl is a 32-bit register; its upper half is reserved */
			if (off8 == RISCV_M_FCTL && (off & 4u))
				return;
		}
		write64(m, off8, val);
		return;
	}
	/* pairs of 32-bit registers */
	if (size == 8) {
		write32(m, off8, (uint32_t)val);
		write32(m, off8 + 4u, (uint32_t)(val >> 32));
		return;
	}
	write32(m, off, (uint32_t)val);
}
