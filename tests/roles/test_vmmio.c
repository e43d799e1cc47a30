/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The virtio-mmio path, both roles: the guest's paravirtual backend on the
 * virtio-mmio transport (backends/paravirt) talks to the host's virtio-mmio
 * front (vmmio.h) of a VM's device model on the SMMUv3 register model. A
 * small trap shim stands in for the hypervisor: the guest port's read32 and
 * write32 call iomm_vmmio_front_access(), and guest memory is a byte array
 * the front reaches only through its copy hooks, which refuse anything
 * outside the VM's memory map A. Hostile-ring tests write the rings by hand
 * and check that the VM's mappings do not change.
 */
#include "roles_fx.h"

#include <iommuman/paravirt.h>
#include <iommuman/vmmio.h>

/* Guest memory backed here: R0 and R1 of A (guest-physical 0 .. 3 MiB),
 * then R2 (read-only). */
#define RAM_END 0x300000u
#define GMEM_SIZE (RAM_END + 0x10000u)
#define WIN ((uintptr_t)0x0a000000u)
#define QMEM_GPA 0x10000u /* the guest transport's queue memory */

/* Hand-made rings of the hostile tests. */
#define QN 8u
#define DESC0 0x20000u
#define AVAIL0 0x20100u
#define USED0 0x20200u
#define DESC1 0x21000u
#define AVAIL1 0x21100u
#define USED1 0x21200u
#define BUF 0x30000u

struct box {
	struct rfx *r;
	uint8_t *gmem;
	struct iomm_vmmio_front front;
	struct iomm_vmmio_front_cfg fcfg;
	bool irq_level;
	unsigned irq_changes;
	unsigned hook_refusals;
	uint64_t now;
	int last_rc; /* status of the shim's last front access */
	unsigned refused; /* guest accesses the front refused */
	unsigned traps;   /* guest accesses */
	bool stuck; /* the shim reports a Status that never resets */
	uint32_t magic_override, version_override, devid_override;
	struct iomm_port gport;
	struct iomm_viommu_mmio mm;
	struct iomm_paravirt pv;
};

static struct box B;

/* ---- the hypervisor side: copy hooks that keep to A ---- */
/* Where guest-physical [gpa, gpa + len) lives in B.gmem, or NULL: RAM of A
 * only (R0 and R1 are adjacent, a buffer may straddle them; R2 is
 * read-only; R3, the doorbell, is not RAM). */
static uint8_t *in_a(uint64_t gpa, size_t len, bool write)
{
	if (gpa + len < gpa)
		return NULL;
	if (gpa + len <= RAM_END)
		return B.gmem + gpa;
	const struct iomm_vm_region *r2 = &regions[2];
	if (!write && gpa >= r2->gpa && gpa + len <= r2->gpa + r2->size)
		return B.gmem + RAM_END + (gpa - r2->gpa);
	return NULL;
}

static int g_read(void *ctx, uint64_t gpa, void *buf, size_t len)
{
	struct box *b = ctx;
	uint8_t *p = in_a(gpa, len, false);
	if (!p) {
		b->hook_refusals++;
		return IOMM_EFAULT;
	}
	memcpy(buf, p, len);
	return IOMM_OK;
}

static int g_write(void *ctx, uint64_t gpa, const void *buf, size_t len)
{
	struct box *b = ctx;
	uint8_t *p = in_a(gpa, len, true);
	if (!p) {
		b->hook_refusals++;
		return IOMM_EFAULT;
	}
	memcpy(p, buf, len);
	return IOMM_OK;
}

static void irq_set(void *ctx, bool level)
{
	struct box *b = ctx;
	b->irq_level = level;
	b->irq_changes++;
}

/* ---- the trap shim: the guest's 32-bit MMIO goes to the front ---- */
static uint32_t shim_read32(void *ctx, uintptr_t addr)
{
	struct box *b = ctx;
	uint32_t v = 0;
	uint32_t off = (uint32_t)(addr - WIN);
	assert_int_equal(addr & 3, 0);
	b->last_rc = iomm_vmmio_front_access(&b->front, off, 4, false, &v);
	b->traps++;
	b->refused += b->last_rc != IOMM_OK;
	if (off == 0x000 && b->magic_override)
		v = b->magic_override;
	if (off == 0x004 && b->version_override)
		v = b->version_override;
	if (off == 0x008 && b->devid_override)
		v = b->devid_override;
	if (off == 0x070 && b->stuck)
		v = 1;
	return v;
}

static void shim_write32(void *ctx, uintptr_t addr, uint32_t val)
{
	struct box *b = ctx;
	assert_int_equal(addr & 3, 0);
	b->last_rc = iomm_vmmio_front_access(&b->front, (uint32_t)(addr - WIN), 4, true, &val);
	b->traps++;
	b->refused += b->last_rc != IOMM_OK;
}

static uint64_t shim_now(void *ctx)
{
	struct box *b = ctx;
	return b->now += 1000; /* each look at the clock: 1 us */
}

static void box_up(struct rfx *r)
{
	uint8_t *gmem = B.gmem;
	memset(&B, 0, sizeof(B));
	B.r = r;
	B.gmem = gmem ? gmem : calloc(1, GMEM_SIZE);
	assert_non_null(B.gmem);
	memset(B.gmem, 0, GMEM_SIZE);
	vm_up(r);
	B.fcfg = (struct iomm_vmmio_front_cfg){.vm = &r->a.vm,
					       .ctx = &B,
					       .guest_read = g_read,
					       .guest_write = g_write,
					       .irq_set = irq_set};
	assert_int_equal(iomm_vmmio_front_init(&B.front, &B.fcfg), IOMM_OK);
	B.gport = (struct iomm_port){.ctx = &B,
				     .read32 = shim_read32,
				     .write32 = shim_write32,
				     .now_ns = shim_now,
				     .log_level = IOMM_LOG_ERROR};
}

static struct iomm_viommu_mmio_cfg guest_cfg(void)
{
	return (struct iomm_viommu_mmio_cfg){.base = WIN,
					     .mem = B.gmem + QMEM_GPA,
					     .mem_pa = QMEM_GPA,
					     .mem_size = iomm_viommu_mmio_mem_size(8),
					     .event_slots = 8,
					     .timeout_ns = 1000000};
}

static void guest_up(void)
{
	const struct iomm_viommu_transport *t = NULL;
	const struct iomm_viommu_mmio_cfg c = guest_cfg();
	assert_int_equal(iomm_viommu_mmio_init(&B.mm, &B.gport, &c, &t), IOMM_OK);
	assert_int_equal(iomm_paravirt_init(&B.pv, &B.gport, t, NULL), IOMM_OK);
}

/* ---- register-level helpers of the hostile tests ---- */
static int acc_w(uint32_t off, uint32_t v)
{
	return iomm_vmmio_front_access(&B.front, off, 4, true, &v);
}

static uint32_t acc_r(uint32_t off)
{
	uint32_t v = 0xdeadbeef;
	assert_int_equal(iomm_vmmio_front_access(&B.front, off, 4, false, &v), IOMM_OK);
	return v;
}

static void queue_regs(uint32_t q, uint32_t num, uint64_t desc, uint64_t avail, uint64_t used)
{
	assert_int_equal(acc_w(0x030, q), IOMM_OK);
	assert_int_equal(acc_w(0x038, num), IOMM_OK);
	assert_int_equal(acc_w(0x080, (uint32_t)desc), IOMM_OK);
	assert_int_equal(acc_w(0x084, (uint32_t)(desc >> 32)), IOMM_OK);
	assert_int_equal(acc_w(0x090, (uint32_t)avail), IOMM_OK);
	assert_int_equal(acc_w(0x094, (uint32_t)(avail >> 32)), IOMM_OK);
	assert_int_equal(acc_w(0x0a0, (uint32_t)used), IOMM_OK);
	assert_int_equal(acc_w(0x0a4, (uint32_t)(used >> 32)), IOMM_OK);
	assert_int_equal(acc_w(0x044, 1), IOMM_OK);
}

/* Reset, negotiate everything offered, both queues of QN entries; DRIVER_OK if @ok. */
static void raw_up(bool ok)
{
	memset(B.gmem + DESC0, 0, 0x2000);
	assert_int_equal(acc_w(0x070, 0), IOMM_OK);
	assert_int_equal(acc_w(0x070, 1), IOMM_OK);
	assert_int_equal(acc_w(0x070, 3), IOMM_OK);
	assert_int_equal(acc_w(0x014, 0), IOMM_OK);
	uint32_t lo = acc_r(0x010);
	assert_int_equal(acc_w(0x014, 1), IOMM_OK);
	uint32_t hi = acc_r(0x010);
	assert_int_equal(acc_w(0x024, 0), IOMM_OK);
	assert_int_equal(acc_w(0x020, lo), IOMM_OK);
	assert_int_equal(acc_w(0x024, 1), IOMM_OK);
	assert_int_equal(acc_w(0x020, hi), IOMM_OK);
	assert_int_equal(acc_w(0x070, 0xb), IOMM_OK);
	assert_int_equal(acc_r(0x070), 0xb);
	queue_regs(0, QN, DESC0, AVAIL0, USED0);
	queue_regs(1, QN, DESC1, AVAIL1, USED1);
	if (ok)
		assert_int_equal(acc_w(0x070, 0xf), IOMM_OK);
}

static void put16(uint64_t gpa, uint16_t v)
{
	B.gmem[gpa] = (uint8_t)v;
	B.gmem[gpa + 1] = (uint8_t)(v >> 8);
}

static uint16_t get16(uint64_t gpa)
{
	return (uint16_t)(B.gmem[gpa] | B.gmem[gpa + 1] << 8);
}

static void desc(uint64_t table, uint16_t i, uint64_t addr, uint32_t len, uint16_t flags,
		 uint16_t next)
{
	uint8_t *d = B.gmem + table + 16u * i;
	iomm_put_le64(d, addr);
	iomm_put_le32(d + 8, len);
	d[12] = (uint8_t)flags;
	d[13] = (uint8_t)(flags >> 8);
	d[14] = (uint8_t)next;
	d[15] = (uint8_t)(next >> 8);
}

/* Offer chain @head on the request queue (one more avail entry). */
static void offer(uint16_t head)
{
	uint16_t idx = get16(AVAIL0 + 2);
	put16(AVAIL0 + 4 + 2u * (idx % QN), head);
	put16(AVAIL0 + 2, (uint16_t)(idx + 1));
}

/* A MAP of guest domain 1: IOVA 0x700000 -> gpa 0x3000, RW, at BUF. */
static void map_req(void)
{
	uint8_t *b = B.gmem + BUF;
	memset(b, 0, 64);
	b[0] = IOMM_VIOMMU_T_MAP;
	iomm_put_le32(b + 4, 1);
	iomm_put_le64(b + 8, 0x700000);
	iomm_put_le64(b + 16, 0x700fff);
	iomm_put_le64(b + 24, 0x3000);
	iomm_put_le32(b + 32, RW);
	B.gmem[BUF + 0x100] = 0xee; /* tail */
}

/* Front reset and ready, endpoint 8 in guest domain 1 with one mapping, a
 * MAP request at BUF (followed, it would add a mapping); the fingerprint. */
static uint64_t rearm(struct rfx *r)
{
	raw_up(true);
	assert_int_equal(attach(&r->a.vm, 1, 8, 0), IOMM_VIOMMU_S_OK);
	assert_int_equal(map(&r->a.vm, 1, 0x400000, 0x400fff, 0x1000, RW), IOMM_VIOMMU_S_OK);
	map_req();
	return fingerprint(r, &r->a);
}

/* VM a up with endpoint 8 in guest domain 1 and one mapping; front ready. */
static uint64_t hostile_setup(struct rfx *r)
{
	box_up(r);
	return rearm(r);
}

/* The front refused with @rc, asked for a reset, and the VM did not change. */
static uint64_t hostile_check(struct rfx *r, uint64_t fp, int rc, int got)
{
	assert_int_equal(got, rc);
	assert_true(acc_r(0x070) & 0x40);        /* DEVICE_NEEDS_RESET */
	assert_true(acc_r(0x060) & 2);           /* configuration change interrupt */
	assert_true(B.irq_level);
	assert_int_equal(get16(USED0 + 2), 0);   /* nothing used */
	assert_int_equal(B.gmem[BUF + 0x100], 0xee); /* nothing written */
	assert_int_equal(fingerprint(r, &r->a), fp);
	check_contained(&r->a);
	/* Dead until reset. */
	assert_int_equal(acc_w(0x050, 0), IOMM_EPERM);
	/* After a reset the same VM serves a good chain (the control). */
	raw_up(true);
	assert_false(B.irq_level);
	map_req();
	desc(DESC0, 0, BUF, 40, 1, 1);
	desc(DESC0, 1, BUF + 0x100, 4, 2, 0);
	offer(0);
	assert_int_equal(acc_w(0x050, 0), IOMM_OK);
	assert_int_equal(get16(USED0 + 2), 1);
	assert_int_equal(B.gmem[BUF + 0x100], IOMM_VIOMMU_S_NOENT); /* reset dropped domain 1 */
	return rearm(r);
}

/* ---- tests ---- */

/* The register file as a driver sees it. */
static void vmmio_registers(void **state)
{
	struct rfx *r = *state;
	box_up(r);
	assert_int_equal(acc_r(0x000), 0x74726976);
	assert_int_equal(acc_r(0x004), 2);
	assert_int_equal(acc_r(0x008), 23);
	assert_int_equal(acc_r(0x00c), IOMM_VMMIO_VENDOR_ID);
	assert_int_equal(acc_r(0x070), 0);
	assert_int_equal(acc_w(0x014, 1), IOMM_OK);
	assert_int_equal(acc_r(0x010), 1); /* VERSION_1 (bit 32) */
	assert_int_equal(acc_w(0x014, 0), IOMM_OK);
	uint32_t lo = acc_r(0x010);
	assert_int_equal(lo, (uint32_t)iomm_viommu_dev_features(&r->a.vm));
	assert_false(lo & (1u << 28)); /* no INDIRECT_DESC */
	assert_false(lo & (1u << 29)); /* no EVENT_IDX */
	assert_int_equal(acc_r(0x034), IOMM_VMMIO_QUEUE_MAX);
	assert_int_equal(acc_r(0x0b0), 0xffffffffu); /* no shared memory region */
	assert_int_equal(acc_w(0x000, 1), IOMM_EPERM);  /* read-only */
	assert_int_equal(acc_r(0x000), 0x74726976);

	/* The configuration window mirrors the model's, in 8, 16 and 32 bits. */
	uint8_t c[IOMM_VIOMMU_CFG_SIZE];
	assert_int_equal(iomm_viommu_dev_config(&r->a.vm, c, sizeof(c)), IOMM_OK);
	uint32_t v;
	for (uint32_t o = 0; o < IOMM_VIOMMU_CFG_SIZE; o += 4) {
		assert_int_equal(iomm_vmmio_front_access(&B.front, 0x100 + o, 4, false, &v), IOMM_OK);
		assert_int_equal(v, iomm_get_le32(c + o));
	}
	assert_int_equal(iomm_vmmio_front_access(&B.front, 0x120, 2, false, &v), IOMM_OK);
	assert_int_equal(v, c[32] | c[33] << 8);
	assert_int_equal(iomm_vmmio_front_access(&B.front, 0x124, 1, false, &v), IOMM_OK);
	assert_int_equal(v, 0); /* blocked policy */
	v = 1;
	assert_int_equal(iomm_vmmio_front_access(&B.front, 0x124, 1, true, &v), IOMM_OK);
	assert_int_equal(iomm_viommu_dev_config(&r->a.vm, c, sizeof(c)), IOMM_OK);
	assert_int_equal(c[IOMM_VIOMMU_CFG_BYPASS], 1);
	v = 5;
	assert_int_equal(iomm_vmmio_front_access(&B.front, 0x100, 4, true, &v), IOMM_EPERM);
	assert_int_equal(iomm_vmmio_front_access(&B.front, 0x128, 4, false, &v), IOMM_ERANGE);
	assert_int_equal(v, 0);
	assert_int_equal(iomm_vmmio_front_access(&B.front, 0x200, 4, false, &v), IOMM_ERANGE);

	/* Feature negotiation: FEATURES_OK only for a subset with VERSION_1. */
	assert_int_equal(acc_w(0x020, 0), IOMM_EPERM); /* before DRIVER */
	assert_int_equal(acc_w(0x070, 3), IOMM_OK);
	assert_int_equal(acc_w(0x024, 0), IOMM_OK);
	assert_int_equal(acc_w(0x020, lo | 1u << 28), IOMM_OK);
	assert_int_equal(acc_w(0x024, 1), IOMM_OK);
	assert_int_equal(acc_w(0x020, 1), IOMM_OK);
	assert_int_equal(acc_w(0x070, 0xb), IOMM_ENOTSUP);
	assert_int_equal(acc_r(0x070), 3);
	assert_int_equal(acc_w(0x024, 0), IOMM_OK);
	assert_int_equal(acc_w(0x020, lo), IOMM_OK);
	assert_int_equal(acc_w(0x024, 1), IOMM_OK);
	assert_int_equal(acc_w(0x020, 0), IOMM_OK);
	assert_int_equal(acc_w(0x070, 0xb), IOMM_ENOTSUP); /* no VERSION_1 */
	assert_int_equal(acc_w(0x020, 1), IOMM_OK);
	assert_int_equal(acc_w(0x070, 7), IOMM_EPERM); /* DRIVER_OK without FEATURES_OK */
	assert_int_equal(acc_w(0x070, 0xb), IOMM_OK);
	assert_int_equal(acc_w(0x020, 0), IOMM_EPERM); /* after FEATURES_OK */
	assert_int_equal(acc_w(0x070, 1), IOMM_EPERM); /* clearing bits */
	assert_int_equal(acc_r(0x070), 0xb);

	/* A used buffer raises the line; InterruptACK lowers it. */
	queue_regs(0, QN, DESC0, AVAIL0, USED0);
	queue_regs(1, QN, DESC1, AVAIL1, USED1);
	assert_int_equal(acc_w(0x070, 0xf), IOMM_OK);
	assert_int_equal(attach(&r->a.vm, 1, 8, 0), IOMM_VIOMMU_S_OK);
	map_req();
	desc(DESC0, 0, BUF, 40, 1, 1);
	desc(DESC0, 1, BUF + 0x100, 4, 2, 0);
	offer(0);
	assert_false(B.irq_level);
	assert_int_equal(acc_w(0x050, 0), IOMM_OK);
	assert_int_equal(B.gmem[BUF + 0x100], IOMM_VIOMMU_S_OK);
	assert_int_equal(get16(USED0 + 2), 1);
	assert_int_equal(iomm_get_le32(B.gmem + USED0 + 4), 0);     /* id */
	assert_int_equal(iomm_get_le32(B.gmem + USED0 + 8), 4);     /* len */
	assert_true(B.irq_level);
	assert_int_equal(acc_r(0x060), 1);
	assert_int_equal(acc_w(0x064, 1), IOMM_OK);
	assert_false(B.irq_level);
	assert_int_equal(acc_r(0x060), 0);
	uint64_t pa = 0;
	assert_int_equal(fx_dma(r->f, 8, 0x700010, RD, &pa), 0);
	assert_int_equal(pa, regions[0].hpa + 0x3010);

	/* Status = 0 resets the model too. */
	assert_int_equal(acc_w(0x070, 0), IOMM_OK);
	assert_int_equal(acc_r(0x070), 0);
	assert_int_equal(acc_r(0x044), 0);
	assert_true(fx_dma(r->f, 8, 0x700010, RD, NULL) < 0);
	check_contained(&r->a);

	/* init refuses bad arguments. */
	struct iomm_vmmio_front f2;
	struct iomm_vmmio_front_cfg c2 = B.fcfg;
	assert_int_equal(iomm_vmmio_front_init(NULL, &c2), IOMM_EINVAL);
	c2.guest_write = NULL;
	assert_int_equal(iomm_vmmio_front_init(&f2, &c2), IOMM_EINVAL);
	c2 = B.fcfg;
	c2.queue_max = 48;
	assert_int_equal(iomm_vmmio_front_init(&f2, &c2), IOMM_EINVAL);
	assert_int_equal(iomm_vmmio_front_access(NULL, 0, 4, false, &v), IOMM_EINVAL);
	assert_int_equal(iomm_vmmio_front_poll(NULL), IOMM_EINVAL);
}

/* Misaligned and wrong-width accesses change nothing. */
static void vmmio_bad_access(void **state)
{
	struct rfx *r = *state;
	uint64_t fp = hostile_setup(r);
	(void)fp;
	uint32_t v = 0;
	assert_int_equal(iomm_vmmio_front_access(&B.front, 0x072, 2, false, &v), IOMM_EINVAL);
	assert_int_equal(iomm_vmmio_front_access(&B.front, 0x071, 4, false, &v), IOMM_EINVAL);
	assert_int_equal(iomm_vmmio_front_access(&B.front, 0x101, 2, false, &v), IOMM_EINVAL);
	assert_int_equal(v, 0);
	v = 0;
	assert_int_equal(iomm_vmmio_front_access(&B.front, 0x070, 1, true, &v), IOMM_EINVAL);
	assert_int_equal(iomm_vmmio_front_access(&B.front, 0x070, 2, true, &v), IOMM_EINVAL);
	assert_int_equal(iomm_vmmio_front_access(&B.front, 0x070, 3, true, &v), IOMM_EINVAL);
	assert_int_equal(iomm_vmmio_front_access(&B.front, 0x070, 8, true, &v), IOMM_EINVAL);
	assert_int_equal(acc_r(0x070), 0xf); /* no reset happened */
	/* A notify of width 2, or misaligned, serves nothing. */
	desc(DESC0, 0, BUF, 40, 1, 1);
	desc(DESC0, 1, BUF + 0x100, 4, 2, 0);
	offer(0);
	v = 0;
	assert_int_equal(iomm_vmmio_front_access(&B.front, 0x050, 2, true, &v), IOMM_EINVAL);
	assert_int_equal(iomm_vmmio_front_access(&B.front, 0x052, 4, true, &v), IOMM_EINVAL);
	assert_int_equal(get16(USED0 + 2), 0);
	assert_int_equal(fingerprint(r, &r->a), fp);
	v = 2;
	assert_int_equal(iomm_vmmio_front_access(&B.front, 0x050, 4, true, &v), IOMM_EINVAL);
	assert_int_equal(acc_w(0x050, 0), IOMM_OK); /* the control: now it runs */
	assert_int_equal(get16(USED0 + 2), 1);
	assert_int_equal(B.gmem[BUF + 0x100], IOMM_VIOMMU_S_OK);
	check_contained(&r->a);
}

/* Queue set-up rules: power-of-two sizes, alignment, status window. */
static void vmmio_queue_rules(void **state)
{
	struct rfx *r = *state;
	box_up(r);
	assert_int_equal(acc_w(0x030, 0), IOMM_OK);
	assert_int_equal(acc_w(0x038, 8), IOMM_EPERM); /* before FEATURES_OK */
	raw_up(false);
	assert_int_equal(acc_w(0x030, 0), IOMM_OK);
	assert_int_equal(acc_w(0x038, 4), IOMM_EPERM); /* the queue is ready */
	assert_int_equal(acc_w(0x044, 0), IOMM_OK);
	assert_int_equal(acc_w(0x038, 6), IOMM_EINVAL);
	assert_int_equal(acc_w(0x038, 0), IOMM_EINVAL);
	assert_int_equal(acc_w(0x038, 128), IOMM_EINVAL); /* above QueueNumMax */
	assert_int_equal(acc_r(0x038), QN);
	assert_int_equal(acc_w(0x080, DESC0 + 8), IOMM_OK);
	assert_int_equal(acc_w(0x044, 1), IOMM_EINVAL); /* misaligned descriptor table */
	assert_int_equal(acc_r(0x044), 0);
	assert_int_equal(acc_w(0x080, DESC0), IOMM_OK);
	assert_int_equal(acc_w(0x044, 1), IOMM_OK);
	assert_int_equal(acc_w(0x030, 2), IOMM_OK);
	assert_int_equal(acc_r(0x034), 0); /* no queue 2 */
	assert_int_equal(acc_w(0x038, 8), IOMM_EINVAL);

	/* Notify before DRIVER_OK: nothing runs, nothing changes. */
	assert_int_equal(attach(&r->a.vm, 1, 8, 0), IOMM_VIOMMU_S_OK);
	uint64_t fp = fingerprint(r, &r->a);
	map_req();
	desc(DESC0, 0, BUF, 40, 1, 1);
	desc(DESC0, 1, BUF + 0x100, 4, 2, 0);
	offer(0);
	assert_int_equal(acc_w(0x050, 0), IOMM_EPERM);
	assert_int_equal(get16(USED0 + 2), 0);
	assert_int_equal(B.gmem[BUF + 0x100], 0xee);
	assert_int_equal(fingerprint(r, &r->a), fp);
	assert_int_equal(acc_w(0x070, 0xf), IOMM_OK);
	assert_int_equal(acc_w(0x050, 0), IOMM_OK);
	assert_int_equal(get16(USED0 + 2), 1);
	assert_int_equal(B.gmem[BUF + 0x100], IOMM_VIOMMU_S_OK);
	assert_true(fingerprint(r, &r->a) != fp);
	check_contained(&r->a);
}

static void vmmio_hostile_loop(void **state)
{
	struct rfx *r = *state;
	uint64_t fp = hostile_setup(r);
	desc(DESC0, 0, BUF, 40, 1, 1);
	desc(DESC0, 1, BUF + 0x100, 4, 3, 2);
	desc(DESC0, 2, BUF + 0x104, 4, 3, 1); /* back to 1 */
	offer(0);
	(void)hostile_check(r, fp, IOMM_EINVAL, acc_w(0x050, 0));
}

static void vmmio_hostile_index(void **state)
{
	struct rfx *r = *state;
	uint64_t fp = hostile_setup(r);
	desc(DESC0, 0, BUF, 40, 1, QN); /* next beyond the queue */
	offer(0);
	fp = hostile_check(r, fp, IOMM_EINVAL, acc_w(0x050, 0));

	desc(DESC0, 0, BUF, 40, 1, 1);
	desc(DESC0, 1, BUF + 0x100, 4, 2, 0);
	offer(QN + 3); /* head beyond the queue */
	fp = hostile_check(r, fp, IOMM_EINVAL, acc_w(0x050, 0));

	desc(DESC0, 0, BUF, 40, 1, 1);
	desc(DESC0, 1, BUF + 0x100, 4, 2, 0);
	offer(0);
	put16(AVAIL0 + 2, QN + 1); /* available idx runs more than a queue ahead */
	fp = hostile_check(r, fp, IOMM_EINVAL, acc_w(0x050, 0));

	desc(DESC0, 0, BUF + 0x100, 4, 3, 1); /* writable first */
	desc(DESC0, 1, BUF, 40, 0, 0);
	offer(0);
	(void)hostile_check(r, fp, IOMM_EINVAL, acc_w(0x050, 0));
}

static void vmmio_hostile_length(void **state)
{
	struct rfx *r = *state;
	uint64_t fp = hostile_setup(r);
	/* The request's readable buffer runs past the end of A's RAM. */
	uint64_t end = RAM_END;
	memcpy(B.gmem + end - 16, B.gmem + BUF, 16);
	desc(DESC0, 0, end - 16, 40, 1, 1);
	desc(DESC0, 1, BUF + 0x100, 4, 2, 0);
	offer(0);
	fp = hostile_check(r, fp, IOMM_EFAULT, acc_w(0x050, 0));

	/* Readable part longer than any request. */
	desc(DESC0, 0, BUF, IOMM_VMMIO_REQ_MAX + 1, 1, 1);
	desc(DESC0, 1, BUF + 0x100, 4, 2, 0);
	offer(0);
	fp = hostile_check(r, fp, IOMM_EINVAL, acc_w(0x050, 0));

	/* A 4 GiB - 1 writable length. */
	desc(DESC0, 0, BUF, 40, 1, 1);
	desc(DESC0, 1, BUF + 0x100, 0xffffffffu, 2, 0);
	offer(0);
	(void)hostile_check(r, fp, IOMM_EINVAL, acc_w(0x050, 0));
}

static void vmmio_hostile_address(void **state)
{
	struct rfx *r = *state;
	uint64_t fp = hostile_setup(r);
	/* The writable tail outside A. */
	desc(DESC0, 0, BUF, 40, 1, 1);
	desc(DESC0, 1, 0x40000000u, 4, 2, 0);
	offer(0);
	fp = hostile_check(r, fp, IOMM_EFAULT, acc_w(0x050, 0));
	assert_true(B.hook_refusals > 0);

	/* The writable tail in R2, which is read-only. */
	desc(DESC0, 0, BUF, 40, 1, 1);
	desc(DESC0, 1, regions[2].gpa, 4, 2, 0);
	offer(0);
	(void)hostile_check(r, fp, IOMM_EFAULT, acc_w(0x050, 0));

	/* The available ring itself outside A. */
	assert_int_equal(acc_w(0x070, 0), IOMM_OK);
	assert_int_equal(acc_w(0x070, 3), IOMM_OK);
	assert_int_equal(acc_w(0x024, 1), IOMM_OK);
	assert_int_equal(acc_w(0x020, 1), IOMM_OK);
	assert_int_equal(acc_w(0x070, 0xb), IOMM_OK);
	queue_regs(0, QN, DESC0, 0x50000000u, USED0);
	assert_int_equal(acc_w(0x070, 0xf), IOMM_OK);
	assert_int_equal(attach(&r->a.vm, 1, 8, 0), IOMM_VIOMMU_S_OK);
	assert_int_equal(map(&r->a.vm, 1, 0x400000, 0x400fff, 0x1000, RW), IOMM_VIOMMU_S_OK);
	fp = fingerprint(r, &r->a);
	(void)hostile_check(r, fp, IOMM_EFAULT, acc_w(0x050, 0));
}

static void vmmio_hostile_indirect(void **state)
{
	struct rfx *r = *state;
	uint64_t fp = hostile_setup(r);
	/* An indirect table that would hold a valid MAP chain. */
	desc(BUF + 0x200, 0, BUF, 40, 1, 1);
	desc(BUF + 0x200, 1, BUF + 0x100, 4, 2, 0);
	desc(DESC0, 0, BUF + 0x200, 32, 4, 0);
	offer(0);
	(void)hostile_check(r, fp, IOMM_ENOTSUP, acc_w(0x050, 0));
}

/* ---- end to end: the guest backend over virtio-mmio ---- */
struct got {
	unsigned n;
	struct iomm_fault f;
};

static void on_fault(void *arg, const struct iomm_fault *f)
{
	struct got *g = arg;
	g->f = *f;
	g->n++;
}

static void route(void *arg, const struct iomm_fault *f)
{
	struct rfx *r = arg;
	(void)iomm_vm_fault_route(&r->a.vm, U(r), f);
}

static void vmmio_end_to_end(void **state)
{
	struct rfx *r = *state;
	box_up(r);
	guest_up();
	assert_int_equal(B.pv.unit.caps, IOMM_CAP_S1 | IOMM_CAP_REMOTE | IOMM_CAP_BYPASS);
	assert_int_equal(B.pv.probe_size, 64);
	assert_true(B.pv.features & (1ull << IOMM_VIOMMU_F_VERSION_1));
	assert_int_equal(acc_r(0x070), 0xf);

	struct iomm_domain dom = {0};
	struct iomm_dev dev = {0};
	struct iomm_domain_cfg dc = {.type = IOMM_DOMAIN_S1};
	assert_int_equal(iomm_domain_init(&dom, &B.pv.unit, &dc), IOMM_OK);
	assert_int_equal(iomm_dev_init(&dev, &B.pv.unit, &IOMM_SID(8)), IOMM_OK);
	assert_int_equal(iomm_attach(&dom, &dev), IOMM_OK);
	uint64_t s, e;
	assert_int_equal(iomm_paravirt_msi_region(&B.pv, 8, &s, &e), IOMM_OK); /* PROBE ran */
	assert_int_equal(s, 0x8000000u);
	assert_int_equal(e, 0x8000fffu);

	/* MAP through the rings reaches the real stage 2. */
	assert_int_equal(iomm_map(&dom, 0x100000, 0x5000, 0x2000, IOMM_READ | IOMM_WRITE), IOMM_OK);
	uint64_t pa = 0;
	assert_int_equal(fx_dma(r->f, 8, 0x101008, WR, &pa), 0);
	assert_int_equal(pa, regions[0].hpa + 0x6008);
	/* Outside A: the device says RANGE, the guest sees it. */
	assert_int_equal(iomm_map(&dom, 0x200000, 0x4000000, 0x1000, IOMM_READ), IOMM_ERANGE);
	/* Wider than the region: R2 is read-only. */
	assert_int_equal(iomm_map(&dom, 0x200000, regions[2].gpa, 0x1000, IOMM_READ | IOMM_WRITE),
			 IOMM_EINVAL);
	check_contained(&r->a);

	/* A fault goes model -> host unit -> VM -> event queue -> guest. */
	(void)fx_poll(r->f);
	assert_true(fx_dma(r->f, 8, 0x300010, RD, NULL) < 0);
	assert_true(iomm_fault_poll(U(r), route, r) >= 1);
	assert_int_equal(iomm_vmmio_front_poll(&B.front), 1);
	assert_int_equal(iomm_vmmio_front_poll(&B.front), 0);
	struct got g = {0};
	assert_true(iomm_fault_poll(&B.pv.unit, on_fault, &g) >= 1);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.f.sid, 8);
	assert_int_equal(g.f.addr, 0x300010);

	/* UNMAP through the rings. */
	uint64_t unmapped = 0;
	assert_int_equal(iomm_unmap(&dom, 0x100000, 0x2000, &unmapped), IOMM_OK);
	assert_int_equal(unmapped, 0x2000);
	assert_true(fx_dma(r->f, 8, 0x101008, WR, NULL) < 0);
	assert_int_equal(iomm_detach(&dev), IOMM_OK);
	check_contained(&r->a);
	assert_int_equal(B.hook_refusals, 0);
	/* The guest transport kept every rule of the register file. */
	assert_int_equal(B.refused, 0);
	assert_true(B.traps > 0);
	print_message("guest register accesses (traps) for the whole session: %u\n", B.traps);
}

/* The guest transport's own checks. */
static void vmmio_guest_init(void **state)
{
	struct rfx *r = *state;
	box_up(r);
	const struct iomm_viommu_transport *t = NULL;
	struct iomm_viommu_mmio_cfg c = guest_cfg();
	assert_int_equal(iomm_viommu_mmio_init(NULL, &B.gport, &c, &t), IOMM_EINVAL);
	c.base = WIN + 2;
	assert_int_equal(iomm_viommu_mmio_init(&B.mm, &B.gport, &c, &t), IOMM_EINVAL);
	c = guest_cfg();
	c.event_slots = 6;
	assert_int_equal(iomm_viommu_mmio_init(&B.mm, &B.gport, &c, &t), IOMM_EINVAL);
	c = guest_cfg();
	c.mem_size--;
	assert_int_equal(iomm_viommu_mmio_init(&B.mm, &B.gport, &c, &t), IOMM_ENOMEM);
	c = guest_cfg();
	B.magic_override = 0x12345678;
	assert_int_equal(iomm_viommu_mmio_init(&B.mm, &B.gport, &c, &t), IOMM_ENODEV);
	B.magic_override = 0;
	B.version_override = 1;
	assert_int_equal(iomm_viommu_mmio_init(&B.mm, &B.gport, &c, &t), IOMM_ENOTSUP);
	B.version_override = 0;
	B.devid_override = 1; /* a network card */
	assert_int_equal(iomm_viommu_mmio_init(&B.mm, &B.gport, &c, &t), IOMM_ENODEV);
	B.devid_override = 0;
	B.stuck = true;
	assert_int_equal(iomm_viommu_mmio_init(&B.mm, &B.gport, &c, &t), IOMM_ETIMEDOUT);
	B.stuck = false;
	assert_int_equal(iomm_viommu_mmio_init(&B.mm, &B.gport, &c, &t), IOMM_OK);
	/* A device whose QueueNumMax is below the event queue's size: FAILED. */
	struct iomm_vmmio_front_cfg fc = B.fcfg;
	fc.queue_max = 4;
	assert_int_equal(iomm_vmmio_front_init(&B.front, &fc), IOMM_OK);
	assert_int_equal(iomm_viommu_mmio_init(&B.mm, &B.gport, &c, &t), IOMM_OK);
	assert_int_equal(iomm_paravirt_init(&B.pv, &B.gport, t, NULL), IOMM_ENOTSUP);
	assert_true(acc_r(0x070) & 0x80); /* FAILED */
}

static int vsetup(void **state)
{
	return setup(state);
}

static int vteardown(void **state)
{
	return teardown(state);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(vmmio_registers, vsetup, vteardown),
	    cmocka_unit_test_setup_teardown(vmmio_bad_access, vsetup, vteardown),
	    cmocka_unit_test_setup_teardown(vmmio_queue_rules, vsetup, vteardown),
	    cmocka_unit_test_setup_teardown(vmmio_hostile_loop, vsetup, vteardown),
	    cmocka_unit_test_setup_teardown(vmmio_hostile_index, vsetup, vteardown),
	    cmocka_unit_test_setup_teardown(vmmio_hostile_length, vsetup, vteardown),
	    cmocka_unit_test_setup_teardown(vmmio_hostile_address, vsetup, vteardown),
	    cmocka_unit_test_setup_teardown(vmmio_hostile_indirect, vsetup, vteardown),
	    cmocka_unit_test_setup_teardown(vmmio_end_to_end, vsetup, vteardown),
	    cmocka_unit_test_setup_teardown(vmmio_guest_init, vsetup, vteardown),
	};
	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	free(B.gmem);
	return rc;
}
