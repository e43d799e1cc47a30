/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_viommu_mmio: the host role's virtio-mmio front (include/iommuman/
 * vmmio.h) driven like a hostile guest would: register accesses of any
 * offset, width and value, hand-written descriptors, available-ring
 * entries and requests in guest memory, notifies, status writes, DMA
 * faults routed to the event queue. The VM (memory map A: read-write RAM,
 * read-only RAM, RAM the hypervisor does not back) has two endpoints on the
 * SMMUv3 register model behind the POSIX port, set up as in
 * fuzz_viommu_dev (whose memory, model glue and containment check are
 * reused from viommu_dev_oracle.c).
 *
 * Input: 2 configuration bytes (VM policy, QueueNumMax, page of the
 * read-only region), then operations.
 *
 * After every operation the oracle checks:
 *  - every leaf of every endpoint lies inside one region of A with no
 *    wider access permissions (check_contained(), which also runs
 *    iomm_vm_audit() and the driver hygiene checks);
 *  - the status of every access is one iomm_vmmio_front_access()
 *    documents, a refused read returned 0, and a refused access did not
 *    change the Status register;
 *  - while DEVICE_NEEDS_RESET is set, nothing the guest does short of a
 *    reset changes any endpoint's translations;
 *  - the front reached guest memory only through the hooks (they keep to
 *    A, and writes only to writable RAM of A; the hooks count violations
 *    of a buffer bound, which must stay 0).
 */
#include "viommu_dev_fx.h"

#include <iommuman/vmmio.h>

bool tracing;

#define NREG 4
#define GRAN 4096u
#define RW_SIZE 0x10000u  /* R0: read-write RAM at gpa 0 */
#define RO_GPA 0x10000u   /* R1: read-only RAM right after it */
#define RO_SIZE 0x4000u
#define GMEM (RW_SIZE + RO_SIZE)
#define UNBACKED_GPA 0x200000u /* R2: RAM of A the hypervisor does not back */
#define DEV_GPA 0x800000u      /* R3: a doorbell page (device memory) */

/* the structured driver's layout */
#define Q0_DESC 0x1000u
#define Q0_AVAIL 0x1800u
#define Q0_USED 0x1c00u
#define Q1_DESC 0x2000u
#define Q1_AVAIL 0x2800u
#define Q1_USED 0x2c00u
#define BUFS 0x4000u

struct mm {
	struct st s;
	uint8_t gmem[GMEM];
	struct iomm_vmmio_front front;
	bool irq;
	unsigned long irq_changes;
	uint16_t qnum;
	uint16_t avail[2];
};

static struct mm M;

/* ---- the hypervisor's hooks ---- */
static uint8_t *backing(uint64_t gpa, size_t len, bool write)
{
	if (gpa + len < gpa || gpa + len > (write ? RW_SIZE : GMEM))
		return NULL;
	return M.gmem + gpa;
}

static int g_read(void *ctx, uint64_t gpa, void *buf, size_t len)
{
	(void)ctx;
	FZ_CHECK(len <= IOMM_VMMIO_RESP_MAX, "op %lu: a guest read of %zu bytes", M.s.op, len);
	const uint8_t *p = backing(gpa, len, false);
	if (!p)
		return IOMM_EFAULT;
	memcpy(buf, p, len);
	return IOMM_OK;
}

static int g_write(void *ctx, uint64_t gpa, const void *buf, size_t len)
{
	(void)ctx;
	FZ_CHECK(len <= IOMM_VMMIO_RESP_MAX, "op %lu: a guest write of %zu bytes", M.s.op, len);
	uint8_t *p = backing(gpa, len, true);
	if (!p)
		return IOMM_EFAULT;
	memcpy(p, buf, len);
	return IOMM_OK;
}

static void irq_set(void *ctx, bool level)
{
	(void)ctx;
	FZ_CHECK(level != M.irq, "op %lu: irq_set without a change", M.s.op);
	M.irq = level;
	M.irq_changes++;
}

/* ---- accesses and their documented outcomes ---- */
static uint32_t status_now(void)
{
	uint32_t v = 0;
	FZ_CHECK(iomm_vmmio_front_access(&M.front, 0x070, 4, false, &v) == IOMM_OK, "status read");
	return v;
}

static int acc(uint32_t off, unsigned width, bool wr, uint32_t val)
{
	uint32_t before = status_now();
	uint32_t v = wr ? val : 0xa5a5a5a5u;
	int rc = iomm_vmmio_front_access(&M.front, off, width, wr, &v);
	TRACE("  %s 0x%x/%u 0x%x -> %d\n", wr ? "write" : "read", off, width, wr ? val : v, rc);
	FZ_CHECK(rc == IOMM_OK || rc == IOMM_EINVAL || rc == IOMM_ENOTSUP || rc == IOMM_EFAULT ||
			 rc == IOMM_EPERM || rc == IOMM_ERANGE,
		 "op %lu: access 0x%x/%u: undocumented status %d", M.s.op, off, width, rc);
	if (rc && !wr)
		FZ_CHECK(v == 0, "op %lu: refused read returned 0x%x", M.s.op, v);
	if (rc == IOMM_EINVAL || rc == IOMM_EPERM || rc == IOMM_ERANGE) {
		/* refused outright, or a broken ring: only NEEDS_RESET may appear */
		uint32_t after = status_now();
		FZ_CHECK((after & ~0x40u) == (before & ~0x40u),
			 "op %lu: refused access changed Status 0x%x -> 0x%x", M.s.op, before,
			 after);
	}
	return rc;
}

static void w32(uint32_t off, uint32_t v)
{
	(void)acc(off, 4, true, v);
}

static void put16(uint64_t gpa, uint16_t v)
{
	M.gmem[gpa] = (uint8_t)v;
	M.gmem[gpa + 1] = (uint8_t)(v >> 8);
}

/* ---- operations ---- */
static void op_raw_access(struct fz *in)
{
	static const unsigned widths[5] = {4, 4, 1, 2, 3};
	uint32_t off = fz_u16(in) % (IOMM_VMMIO_WINDOW + 0x20u);
	unsigned width = widths[fz_u8(in) % 5];
	uint8_t k = fz_u8(in);
	(void)acc(off, width, k & 1, fz_u32(in));
}

static void op_bring_up(struct fz *in)
{
	uint8_t k = fz_u8(in);
	M.qnum = (uint16_t)(1u << (k & 7)); /* 1 .. 128: some above QueueNumMax */
	w32(0x070, 0);
	w32(0x070, 1);
	w32(0x070, 3);
	w32(0x014, 0);
	uint32_t lo = 0;
	(void)iomm_vmmio_front_access(&M.front, 0x010, 4, false, &lo);
	w32(0x024, 0);
	w32(0x020, (k & 8) ? lo | (1u << 28) : lo); /* sometimes INDIRECT_DESC, not offered */
	w32(0x024, 1);
	w32(0x020, 1);
	w32(0x070, 0xb);
	static const uint32_t rings[2][3] = {{Q0_DESC, Q0_AVAIL, Q0_USED},
					     {Q1_DESC, Q1_AVAIL, Q1_USED}};
	for (uint32_t q = 0; q < 2; q++) {
		w32(0x030, q);
		w32(0x038, M.qnum);
		w32(0x080, rings[q][0] + ((k & 0x10) && q ? 8u : 0u)); /* sometimes misaligned */
		w32(0x084, 0);
		w32(0x090, rings[q][1]);
		w32(0x094, 0);
		w32(0x0a0, rings[q][2]);
		w32(0x0a4, 0);
		w32(0x044, 1);
	}
	memset(M.gmem + Q0_DESC, 0, 0x2000);
	M.avail[0] = M.avail[1] = 0;
	w32(0x070, (k & 0x20) ? 0xb : 0xf); /* sometimes no DRIVER_OK */
}

static void op_poke(struct fz *in)
{
	uint32_t off = fz_u16(in) % GMEM;
	unsigned n = fz_u8(in) % 16u;
	for (unsigned i = 0; i < n && off + i < GMEM; i++)
		M.gmem[off + i] = fz_u8(in);
}

static uint64_t pick_addr(struct fz *in)
{
	uint8_t k = fz_u8(in);
	uint16_t o = fz_u16(in);
	switch (k % 8) {
	case 0:
	case 1:
	case 2:
		return BUFS + (o % 0x2000u);
	case 3:
		return RW_SIZE - (o % 64u); /* runs past read-write RAM */
	case 4:
		return RO_GPA + (o % RO_SIZE);
	case 5:
		return UNBACKED_GPA + o;
	case 6:
		return GMEM - (o % 64u);
	default:
		return fz_u64(in);
	}
}

static uint32_t pick_len(struct fz *in)
{
	uint8_t k = fz_u8(in);
	switch (k % 6) {
	case 0:
		return 4;
	case 1:
		return 20 + (k >> 3);
	case 2:
		return 36 + (k >> 3);
	case 3:
		return 64 + 4 + (k >> 3); /* a PROBE tail region */
	case 4:
		return fz_u16(in);
	default:
		return fz_u32(in);
	}
}

static void desc_at(unsigned q, uint16_t i, uint64_t addr, uint32_t len, uint16_t flags,
		    uint16_t next)
{
	uint8_t *d = M.gmem + (q ? Q1_DESC : Q0_DESC) + 16u * (i % 64u);
	iomm_put_le64(d, addr);
	iomm_put_le32(d + 8, len);
	d[12] = (uint8_t)flags;
	d[13] = (uint8_t)(flags >> 8);
	d[14] = (uint8_t)next;
	d[15] = (uint8_t)(next >> 8);
}

static void op_desc(struct fz *in)
{
	uint8_t k = fz_u8(in);
	unsigned q = k & 1;
	uint16_t i = fz_u8(in) % 64u;
	uint64_t addr = pick_addr(in);
	uint32_t len = pick_len(in);
	uint8_t fl = fz_u8(in);
	uint16_t flags = (k & 0x80) ? fz_u16(in) : (uint16_t)(fl & 7u);
	uint16_t next = (k & 0x40) ? fz_u16(in) : (uint16_t)(fz_u8(in) % 16u);
	desc_at(q, i, addr, len, flags, next);
}

static void offer(unsigned q, uint16_t head)
{
	uint32_t avail = q ? Q1_AVAIL : Q0_AVAIL;
	uint16_t n = M.qnum ? M.qnum : 1;
	put16(avail + 4 + 2u * (M.avail[q] % n), head);
	M.avail[q]++;
	put16(avail + 2, M.avail[q]);
}

static void op_offer(struct fz *in)
{
	uint8_t k = fz_u8(in);
	unsigned q = k & 1;
	if (k & 2) {
		/* a raw available idx: may run far ahead */
		M.avail[q] = fz_u16(in);
		put16((q ? Q1_AVAIL : Q0_AVAIL) + 2, M.avail[q]);
	} else {
		offer(q, (uint16_t)(fz_u8(in) % 20u));
	}
	if (k & 4)
		put16(q ? Q1_AVAIL : Q0_AVAIL, k & 8 ? 1 : 0); /* NO_INTERRUPT or not */
}

/* A well-formed request with fuzzed fields, as a two-descriptor chain at a
 * fuzzed head, offered and notified. */
static void op_request(struct fz *in)
{
	uint8_t k = fz_u8(in);
	uint16_t head = (uint16_t)(fz_u8(in) % 16u);
	uint32_t slot = BUFS + 0x200u * (k & 7u);
	uint8_t *b = M.gmem + slot;
	memset(b, 0, 0x200);
	static const uint8_t types[6] = {IOMM_VIOMMU_T_ATTACH, IOMM_VIOMMU_T_DETACH,
					 IOMM_VIOMMU_T_MAP,    IOMM_VIOMMU_T_MAP,
					 IOMM_VIOMMU_T_UNMAP,  IOMM_VIOMMU_T_PROBE};
	uint8_t t = types[(k >> 3) % 6];
	b[0] = t;
	uint32_t rlen = 20, wlen = 4;
	uint32_t dom = fz_u8(in) % 4u;
	uint32_t ep = 1u + 2u * (fz_u8(in) % 3u);
	uint64_t iova = 0x100000u + (uint64_t)(fz_u8(in) % 16u) * GRAN;
	uint64_t pages = 1u + fz_u8(in) % 4u;
	static const uint64_t gpas[5] = {0x3000u, RO_GPA, UNBACKED_GPA + 0x1000u, DEV_GPA,
					 0x40000000u};
	uint64_t gpa = gpas[fz_u8(in) % 5];
	uint32_t flags = fz_u8(in) & 7u;
	switch (t) {
	case IOMM_VIOMMU_T_ATTACH:
	case IOMM_VIOMMU_T_DETACH:
		iomm_put_le32(b + 4, dom);
		iomm_put_le32(b + 8, ep);
		if (t == IOMM_VIOMMU_T_ATTACH)
			iomm_put_le32(b + 12, flags & 1u);
		break;
	case IOMM_VIOMMU_T_MAP:
		iomm_put_le32(b + 4, dom);
		iomm_put_le64(b + 8, iova);
		iomm_put_le64(b + 16, iova + pages * GRAN - 1);
		iomm_put_le64(b + 24, gpa);
		iomm_put_le32(b + 32, flags);
		rlen = 36;
		break;
	case IOMM_VIOMMU_T_UNMAP:
		iomm_put_le32(b + 4, dom);
		iomm_put_le64(b + 8, iova);
		iomm_put_le64(b + 16, iova + pages * GRAN - 1);
		rlen = 28;
		break;
	default:
		iomm_put_le32(b + 4, ep);
		rlen = 72;
		wlen = 64 + 4;
		break;
	}
	uint16_t n = M.qnum ? M.qnum : 1;
	uint16_t second = (uint16_t)((head + 1u) % n);
	desc_at(0, head, slot, rlen, 1, second);
	desc_at(0, second, slot + 0x100u, wlen, 2, 0);
	offer(0, head);
	if (!(k & 0x80))
		w32(0x050, 0);
	TRACE("  request type %u: tail status %u\n", t, M.gmem[slot + 0x100u + wlen - 4u]);
}

static void route(void *arg, const struct iomm_fault *f)
{
	(void)iomm_vm_fault_route(&((struct st *)arg)->vm, &((struct st *)arg)->smmu.unit, f);
}

static void op_fault(struct fz *in)
{
	uint32_t sid = (fz_u8(in) & 1) ? 0x20u : 0x10u;
	uint64_t iova = 0x100000u + (uint64_t)(fz_u8(in) % 32u) * GRAN;
	uint64_t pa = 0;
	unsigned a = (fz_u8(in) & 1) ? SMMUV3_MODEL_ACC_W : SMMUV3_MODEL_ACC_R;
	if (dma(&M.s, sid, iova, a, &pa) == 0)
		FZ_CHECK(dma_in_a(&M.s, pa, a), "op %lu: DMA reached 0x%llx outside A", M.s.op,
			 FZ_ULL(pa));
	(void)iomm_fault_poll(&M.s.smmu.unit, route, &M.s);
	int rc = iomm_vmmio_front_poll(&M.front);
	TRACE("  poll: %d\n", rc);
	FZ_CHECK(rc >= 0 || rc == IOMM_EINVAL || rc == IOMM_ENOTSUP || rc == IOMM_EFAULT,
		 "op %lu: poll: undocumented status %d", M.s.op, rc);
}

static void op_event_bufs(struct fz *in)
{
	unsigned n = 1u + fz_u8(in) % 4u;
	for (unsigned i = 0; i < n; i++) {
		uint16_t d = (uint16_t)(fz_u8(in) % 16u);
		uint32_t len = (fz_u8(in) & 3) ? IOMM_VIOMMU_FAULT_SIZE : pick_len(in);
		desc_at(1, d, BUFS + 0x1000u + 32u * d, len, 2, 0);
		offer(1, d);
	}
	w32(0x050, 1);
}

/* The translations of every endpoint, folded. */
static int hash_leaf(void *arg, const struct iomm_mapping *m)
{
	uint64_t *h = arg;
	uint64_t v[4] = {m->iova, m->pa, m->size, m->prot};
	for (unsigned i = 0; i < 4; i++)
		*h = (*h ^ v[i]) * 0x100000001b3ull;
	return 0;
}

static uint64_t tables_hash(void)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (unsigned i = 0; i < M.s.nep; i++) {
		int rc = iomm_vm_walk(&M.s.vm, M.s.ep[i].id, hash_leaf, &h);
		h = (h ^ (uint64_t)(int64_t)rc) * 0x100000001b3ull;
	}
	return h;
}

/* ---- setup ---- */
static void setup(struct fz *in)
{
	struct st *s = &M.s;
	uint8_t c0 = fz_u8(in), c1 = fz_u8(in);
	smmu_world_up(s);

	s->granule = GRAN;
	s->pool_pages = 64;
	uint8_t *pm = alloc(s, (s->pool_pages + 1) * GRAN, GRAN);
	FZ_CHECK(pm != NULL, "pool memory");
	FZ_CHECK(iomm_pool_init(&s->pool, iomm_posix_port(&s->px), pm, (s->pool_pages + 1) * GRAN,
				pa_of(s, pm), GRAN) == IOMM_OK,
		 "pool init");
	const struct iomm_vm_region regs[NREG] = {
	    {.gpa = 0, .hpa = UINT64_C(0x8000000000), .size = RW_SIZE,
	     .prot = IOMM_READ | IOMM_WRITE},
	    {.gpa = RO_GPA, .hpa = UINT64_C(0x8040000000) + (uint64_t)(c1 & 7u) * GRAN,
	     .size = RO_SIZE, .prot = IOMM_READ},
	    {.gpa = UNBACKED_GPA, .hpa = UINT64_C(0x8080000000), .size = 0x200000u,
	     .prot = IOMM_READ | IOMM_WRITE},
	    {.gpa = DEV_GPA, .hpa = UINT64_C(0x2f000000), .size = GRAN,
	     .prot = IOMM_READ | IOMM_WRITE | IOMM_MEM_DEVICE},
	};
	memcpy(s->regions, regs, sizeof(regs));
	s->resv[0] = (struct iomm_vm_resv){.start = DEV_GPA, .end = DEV_GPA + GRAN - 1,
					   .subtype = IOMM_VIOMMU_RESV_T_MSI};
	memset(&s->cfg, 0, sizeof(s->cfg));
	s->cfg.regions = s->regions;
	s->cfg.nregions = NREG;
	s->cfg.pool = &s->pool;
	s->cfg.endpoints = s->eps;
	s->cfg.nendpoints = MAX_EPS;
	s->cfg.domains = s->doms;
	s->cfg.ndomains = MAX_DOMS;
	s->cfg.mappings = s->maps;
	s->cfg.nmappings = MAX_MAPS;
	s->cfg.events = s->evs;
	s->cfg.nevents = 2;
	s->cfg.resv = s->resv;
	s->cfg.nresv = 1;
	s->cfg.probe_size = 64;
	s->cfg.policy = (c0 & 1) ? IOMM_VM_CONFINE : IOMM_VM_BLOCK;
	FZ_CHECK(iomm_vm_init(&s->vm, &s->cfg) == IOMM_OK, "vm init");
	s->vm_up = true;
	s->nep = 2;
	for (unsigned i = 0; i < s->nep; i++) {
		s->ep[i].id = 1u + 2u * i;
		s->ep[i].sid = 0x10u * (i + 1u);
		struct iomm_devid id = IOMM_SID(s->ep[i].sid);
		FZ_CHECK(iomm_vm_assign(&s->vm, &s->smmu.unit, &id, s->ep[i].id) == IOMM_OK,
			 "assign");
		s->ep[i].assigned = true;
	}
	static const uint16_t qmax[4] = {64, 8, 4, 2};
	struct iomm_vmmio_front_cfg fc = {.vm = &s->vm,
					  .guest_read = g_read,
					  .guest_write = g_write,
					  .irq_set = (c0 & 2) ? irq_set : NULL,
					  .queue_max = qmax[(c0 >> 2) & 3]};
	FZ_CHECK(iomm_vmmio_front_init(&M.front, &fc) == IOMM_OK, "front init");
}

static void teardown(void)
{
	struct st *s = &M.s;
	if (s->vm_up) {
		int rc = iomm_vm_destroy(&s->vm);
		FZ_CHECK(rc == IOMM_OK, "vm destroy: %d", rc);
		FZ_CHECK(iomm_pool_used(&s->pool) == 0, "the VM left %zu table pages",
			 iomm_pool_used(&s->pool));
		hygiene(s);
	}
	if (s->smmu_up)
		FZ_CHECK(iomm_smmuv3_disable(&s->smmu) == IOMM_OK, "disable");
	if (s->model_up)
		smmuv3_model_fini(&s->model);
	if (s->px_up)
		iomm_posix_fini(&s->px);
	free(s->arena);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	memset(&M, 0, sizeof(M));
	tracing = getenv("FUZZ_TRACE") != NULL;
	struct fz in = {data, size};
	if (size < 2)
		return 0;
	setup(&in);
	check_contained(&M.s);
	for (M.s.op = 1; fz_more(&in) && M.s.op <= MAX_OPS; M.s.op++) {
		uint8_t op = fz_u8(&in);
		bool frozen = (status_now() & 0x40u) != 0;
		uint64_t before = frozen ? tables_hash() : 0;
		bool reset = false;
		TRACE("op %lu: %u\n", M.s.op, op % 10u);
		switch (op % 10) {
		case 0:
			op_raw_access(&in);
			break;
		case 1:
			op_bring_up(&in);
			reset = true;
			break;
		case 2:
			op_poke(&in);
			break;
		case 3:
		case 4:
			op_desc(&in);
			break;
		case 5:
			op_offer(&in);
			break;
		case 6:
		case 7:
			op_request(&in);
			break;
		case 8:
			op_fault(&in);
			break;
		default:
			op_event_bufs(&in);
			break;
		}
		check_contained(&M.s);
		if (frozen && !reset && (status_now() & 0x40u))
			FZ_CHECK(tables_hash() == before,
				 "op %lu: translations changed while NEEDS_RESET was set", M.s.op);
		FZ_CHECK(M.irq == ((M.front.c.irq_set != NULL) && M.front.isr != 0),
			 "op %lu: interrupt line does not follow InterruptStatus", M.s.op);
	}
	teardown();
	return 0;
}
