/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_viommu_guest_mmio: the guest role's virtio-mmio transport
 * (iomm_viommu_mmio_init()), the split virtqueues under it and the
 * paravirtual backend above it (iomm_paravirt_init() and the generic API),
 * facing a hostile virtio-mmio virtio-iommu. The device is this file: its
 * registers (MagicValue, Version, DeviceID, features, QueueNumMax,
 * QueueReady, a Status that may drop FEATURES_OK or never finish a reset,
 * ConfigGeneration that may never settle, configuration values) and every
 * answer it writes to the queue memory (used-ring ids and lengths out of
 * range, used.idx jumping, replies late or never, bad status bytes and tails,
 * PROBE properties, event-queue garbage) come from the input. The port's
 * clock advances on every read, so every bounded wait ends.
 *
 * Input: a header describing the device (see read_device()), then
 * operations (op byte % 12, see run_op()); the device also takes bytes from
 * the input each time the driver notifies it (see answer()).
 *
 * The oracle checks:
 *  - every call returns a status its documentation lists;
 *  - no call polls forever (hook calls per call are capped);
 *  - every register access is an aligned 32-bit access inside the window;
 *  - the library writes nothing outside the queue memory it handed to the
 *    device (guard bytes on both sides, and AddressSanitizer elsewhere);
 *  - a refused iomm_viommu_mmio_init() gives no transport and leaves the
 *    device short of DRIVER_OK; a refused iomm_paravirt_init() leaves a unit
 *    the generic API refuses and a device that is not live (DRIVER_OK
 *    without FAILED) using the queue memory;
 *  - a refused generic call leaves what the library records unchanged: the
 *    domain and device objects, the domain IDs in use and each endpoint's
 *    domain (a PROBE that succeeded inside a refused attach may be cached).
 */
#include <string.h>

#include <iommuman/iommu.h>
#include <iommuman/paravirt.h>

#include "fuzz_common.h"

#define BASE	 0x10000000u
#define MEM_PA	 0x40000000ull
#define GUARD	 64u
#define MEM_MAX	 0x4000u
#define NDOM	 4
#define NDEV	 4
#define MAX_OPS	 64
#define HOOK_CAP 200000ul /* hook calls one library call may make */

/* device status (virtio 1.2, 2.1) */
#define S_ACK	      1u
#define S_DRIVER      2u
#define S_DRIVER_OK   4u
#define S_FEATURES_OK 8u
#define S_FAILED      0x80u

struct dq {
	uint32_t num, ready;
	uint64_t desc, drv, dev;
	uint16_t last_avail;
	uint16_t used_idx;
};

struct dev {
	uint32_t magic, version, devid;
	uint32_t feat[2];
	uint32_t qmax[2];
	uint8_t flags; /* DF_* */
	uint8_t reset_delay;
	unsigned reset_left;
	bool resetting;
	uint32_t status;
	uint32_t fsel, dfsel, qsel;
	uint32_t gen;
	unsigned gen_reads;
	uint8_t cfg[256];
	uint8_t late_cfg[IOMM_VIOMMU_CFG_SIZE]; /* shown once FEATURES_OK is set (DF_LATE) */
	struct dq q[2];
	bool drv_ready; /* the driver wrote QueueReady = 1 */
	unsigned delay; /* relax calls until a late answer */
	bool late_pending;
};

#define DF_DROP_FOK	0x01u
#define DF_READY_STICKY 0x02u
#define DF_READY_REFUSE 0x04u
#define DF_GEN_UNSTABLE 0x08u
#define DF_GEN_FLIPS	0x10u
#define DF_LATE		0x20u

static struct {
	struct fz f;
	struct dev d;
	uint8_t arena[GUARD + MEM_MAX + GUARD] __attribute__((aligned(64)));
	size_t mem_size;
	uint64_t now;
	unsigned long hooks;
	unsigned long op;
	struct iomm_port port;
	struct iomm_viommu_mmio m;
	struct iomm_paravirt pv;
	struct iomm_domain dom[NDOM];
	struct iomm_dev dev[NDEV];
	unsigned long faults;
} G;

#define MEM (G.arena + GUARD)

static void hook(void)
{
	FZ_CHECK(++G.hooks < HOOK_CAP, "op %lu: %lu hook calls: the call does not end", G.op,
		 G.hooks);
}

/* ---- the device's view of the queue memory (bounded to it) ---- */
static uint8_t *dma(uint64_t pa, size_t len)
{
	if (pa < MEM_PA || pa - MEM_PA > G.mem_size || len > G.mem_size - (pa - MEM_PA))
		return NULL;
	return MEM + (pa - MEM_PA);
}

static uint16_t dget16(uint64_t pa)
{
	uint8_t *p = dma(pa, 2);
	return p ? (uint16_t)(p[0] | p[1] << 8) : 0;
}

static uint32_t dget32(uint64_t pa)
{
	uint8_t *p = dma(pa, 4);
	return p ? (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
		       (uint32_t)p[3] << 24
		 : 0;
}

static void dput16(uint64_t pa, uint16_t v)
{
	uint8_t *p = dma(pa, 2);
	if (p) {
		p[0] = (uint8_t)v;
		p[1] = (uint8_t)(v >> 8);
	}
}

static void dput32(uint64_t pa, uint32_t v)
{
	uint8_t *p = dma(pa, 4);
	if (p)
		for (unsigned i = 0; i < 4; i++)
			p[i] = (uint8_t)(v >> (8 * i));
}

/* Add one used element to queue q: id, len, and used.idx advanced by step. */
static void used_push(unsigned q, uint32_t id, uint32_t len, uint16_t step)
{
	struct dq *dq = &G.d.q[q];
	if (!dq->num)
		return;
	uint64_t e = dq->dev + 4 + 8ull * (dq->used_idx % dq->num);
	dput32(e, id);
	dput32(e + 4, len);
	dq->used_idx = (uint16_t)(dq->used_idx + step);
	dput16(dq->dev + 2, dq->used_idx);
}

/* A reply to the request whose write descriptor is wd: the tail, and PROBE properties. */
static void fill_reply(uint64_t addr, uint32_t wlen)
{
	if (wlen < IOMM_VIOMMU_TAIL_SIZE)
		return;
	uint8_t *b = dma(addr, wlen);
	if (!b)
		return;
	uint8_t k = fz_u8(&G.f);
	uint32_t props = wlen - IOMM_VIOMMU_TAIL_SIZE;
	if (props && (k & 0x30)) {
		/* up to three properties from the input, then zeros (PROP_NONE) */
		uint32_t off = 0;
		for (unsigned n = 0; n < (k >> 4 & 3u) && off + 24 <= props; n++) {
			uint8_t t = fz_u8(&G.f);
			uint16_t type = t & 0x80 ? fz_u16(&G.f) : (uint16_t)(1 + (t & 1));
			uint16_t len = t & 0x40 ? fz_u16(&G.f) : (uint16_t)(t & 1 ? 12 : 20);
			b[off] = (uint8_t)type;
			b[off + 1] = (uint8_t)(type >> 8);
			b[off + 2] = (uint8_t)len;
			b[off + 3] = (uint8_t)(len >> 8);
			b[off + 4] = fz_u8(&G.f) & 1; /* subtype */
			uint64_t s = (uint64_t)fz_u8(&G.f) << 12,
				 e = s + ((uint64_t)fz_u8(&G.f) << 12) + 0xfff;
			if (t & 0x20)
				e = fz_u64(&G.f);
			for (unsigned i = 0; i < 8; i++) {
				b[off + 8 + i] = (uint8_t)(s >> (8 * i));
				b[off + 16 + i] = (uint8_t)(e >> (8 * i));
			}
			off += 4u + (t & 0x40 ? (len & 0x3fu) : len);
		}
	}
	/* status: mostly S_OK, else any byte; the tail's reserved bytes from the input */
	uint8_t st = k & 0x80 ? fz_u8(&G.f) : (k & 0x40 ? (uint8_t)(k & 7) : 0);
	b[props] = st;
	if (k & 0x08)
		for (unsigned i = 1; i < 4; i++)
			b[props + i] = fz_u8(&G.f);
}

/* The driver notified queue 0 (or a late answer is due): answer its request. */
static void answer(bool late)
{
	struct dq *dq = &G.d.q[0];
	if (!dq->num || !dq->ready)
		return;
	uint16_t avail = dget16(dq->drv + 2);
	if (avail == dq->last_avail && !late)
		return;
	uint16_t head = dget16(dq->drv + 4 + 2ull * (dq->last_avail % dq->num));
	if (!late)
		dq->last_avail = avail;
	/* walk the chain (at most num descriptors) to the device-writable one */
	uint64_t waddr = 0;
	uint32_t wlen = 0;
	uint16_t i = head;
	for (unsigned n = 0; n < dq->num && i < dq->num; n++) {
		uint64_t d = dq->desc + 16ull * i;
		uint16_t fl = dget16(d + 12);
		if (fl & 2) {
			waddr = dget32(d) | (uint64_t)dget32(d + 4) << 32;
			wlen = dget32(d + 8);
			break;
		}
		if (!(fl & 1))
			break;
		i = dget16(d + 14);
	}
	uint8_t mode = late ? 0 : fz_u8(&G.f) % 10;
	switch (mode) {
	case 6: /* never answers */
		return;
	case 7: /* answers after some relax calls */
		G.d.delay = fz_u8(&G.f);
		G.d.late_pending = true;
		return;
	default:
		break;
	}
	fill_reply(waddr, wlen);
	uint32_t id = head, len = wlen;
	uint16_t step = 1;
	if (mode == 3)
		len = fz_u32(&G.f); /* any length, larger than the buffer too */
	else if (mode == 4)
		id = fz_u32(&G.f);
	else if (mode == 5)
		step = fz_u16(&G.f); /* used.idx jumps (0: the answer never shows) */
	else if (mode == 8)
		len = wlen >= 4 ? 4 + fz_u8(&G.f) % (wlen - 3) : 0; /* short but tail-sized */
	used_push(0, id, len, step);
}

/* Events: the device takes buffers the driver gave it and returns them. */
static void events(void)
{
	struct dq *dq = &G.d.q[1];
	if (!dq->num || !dq->ready)
		return;
	unsigned n = fz_u8(&G.f) % 6u + 1u;
	for (unsigned k = 0; k < n; k++) {
		uint8_t sel = fz_u8(&G.f);
		uint16_t head = dget16(dq->drv + 4 + 2ull * (dq->last_avail % dq->num));
		dq->last_avail++;
		uint32_t id = sel & 0x80 ? fz_u32(&G.f) : head;
		uint32_t len = sel & 0x40 ? fz_u32(&G.f) : (sel & 0x20 ? fz_u8(&G.f) % 32u : 24u);
		if (id < dq->num) {
			uint64_t d = dq->desc + 16ull * id;
			uint64_t a = dget32(d) | (uint64_t)dget32(d + 4) << 32;
			uint8_t *b = dma(a, 24);
			if (b) {
				b[0] = fz_u8(&G.f) % 4u;
				uint32_t fl = fz_u16(&G.f);
				uint32_t ep = fz_u8(&G.f);
				uint64_t addr = (uint64_t)fz_u16(&G.f) << 12;
				memset(b + 1, 0, 23);
				memcpy(b + 4, &fl, 4);
				memcpy(b + 8, &ep, 4);
				memcpy(b + 16, &addr, 8);
			}
		}
		used_push(1, id, len, sel & 0x10 ? fz_u16(&G.f) : 1);
	}
}

/* ---- registers ---- */
static uint32_t cfg_word(uint32_t off)
{
	const uint8_t *c = G.d.cfg + off;
	if ((G.d.flags & DF_LATE) && (G.d.status & S_FEATURES_OK) && off < IOMM_VIOMMU_CFG_SIZE)
		c = G.d.late_cfg + off;
	return (uint32_t)c[0] | (uint32_t)c[1] << 8 | (uint32_t)c[2] << 16 | (uint32_t)c[3] << 24;
}

static uint32_t p_read32(void *ctx, uintptr_t addr)
{
	(void)ctx;
	hook();
	FZ_CHECK(addr >= BASE && addr - BASE < IOMM_VIOMMU_MMIO_WINDOW && !(addr & 3),
		 "op %lu: read32 at %#llx, outside the window or misaligned", G.op, FZ_ULL(addr));
	uint32_t off = (uint32_t)(addr - BASE);
	struct dev *d = &G.d;
	G.now += 1000; /* every register read takes a microsecond */
	if (off >= 0x100)
		return cfg_word(off - 0x100);
	unsigned q = d->qsel < 2 ? d->qsel : 2;
	switch (off) {
	case 0x000:
		return d->magic;
	case 0x004:
		return d->version;
	case 0x008:
		return d->devid;
	case 0x00c:
		return 0x554d4551u;
	case 0x010:
		return d->fsel < 2 ? d->feat[d->fsel] : 0;
	case 0x034:
		return q < 2 ? d->qmax[q] : 0;
	case 0x044:
		return q < 2 ? d->q[q].ready : 0;
	case 0x070:
		if (d->resetting) {
			if (d->reset_delay == 0xff || d->reset_left) {
				if (d->reset_left)
					d->reset_left--;
				return 0x40; /* DEVICE_NEEDS_RESET: still resetting */
			}
			d->resetting = false;
		}
		return d->status;
	case 0x0fc:
		d->gen_reads++;
		if (d->flags & DF_GEN_UNSTABLE)
			return d->gen++;
		if ((d->flags & DF_GEN_FLIPS) && d->gen_reads % 3 == 0)
			d->gen++;
		return d->gen;
	default:
		return fz_u8(&G.f) & 1 ? fz_u32(&G.f) : 0; /* anything else: garbage */
	}
}

static void p_write32(void *ctx, uintptr_t addr, uint32_t v)
{
	(void)ctx;
	hook();
	FZ_CHECK(addr >= BASE && addr - BASE < IOMM_VIOMMU_MMIO_WINDOW && !(addr & 3),
		 "op %lu: write32 at %#llx, outside the window or misaligned", G.op, FZ_ULL(addr));
	uint32_t off = (uint32_t)(addr - BASE);
	struct dev *d = &G.d;
	struct dq *q = d->qsel < 2 ? &d->q[d->qsel] : NULL;
	if (off >= 0x100) {
		uint32_t c = off - 0x100;
		FZ_CHECK(c == (IOMM_VIOMMU_CFG_BYPASS & ~3u),
			 "op %lu: configuration write at %u, not the bypass word", G.op, c);
		for (unsigned i = 0; i < 4; i++)
			d->cfg[c + i] = (uint8_t)(v >> (8 * i));
		return;
	}
	switch (off) {
	case 0x014:
		d->fsel = v;
		break;
	case 0x024:
		d->dfsel = v;
		break;
	case 0x030:
		d->qsel = v;
		break;
	case 0x038:
		if (q)
			q->num = v;
		break;
	case 0x044:
		if (v)
			d->drv_ready = true;
		if (q && !(d->flags & DF_READY_REFUSE))
			q->ready = v;
		break;
	case 0x050:
		if (v == 0)
			answer(false);
		break;
	case 0x070:
		if (v == 0) {
			d->resetting = true;
			d->reset_left = d->reset_delay;
			d->status = 0;
			for (unsigned i = 0; i < 2; i++) {
				d->q[i] = (struct dq){0};
				if (d->flags & DF_READY_STICKY)
					d->q[i].ready = 1;
			}
			d->late_pending = false;
			break;
		}
		if ((v & S_FEATURES_OK) && (d->flags & DF_DROP_FOK))
			v &= ~S_FEATURES_OK;
		d->status = v;
		break;
	case 0x080:
	case 0x084:
	case 0x090:
	case 0x094:
	case 0x0a0:
	case 0x0a4:
		if (q) {
			uint64_t *r = off < 0x90 ? &q->desc : off < 0xa0 ? &q->drv : &q->dev;
			if (off & 4)
				*r = (*r & 0xffffffffull) | (uint64_t)v << 32;
			else
				*r = (*r & ~0xffffffffull) | v;
		}
		break;
	default:
		break;
	}
}

static uint64_t p_now(void *ctx)
{
	(void)ctx;
	hook();
	G.now += 10000; /* 10 us per look at the clock: a 1 ms bound is 100 polls */
	return G.now;
}

static void p_relax(void *ctx)
{
	(void)ctx;
	hook();
	if (G.d.late_pending && !G.d.delay--) {
		G.d.late_pending = false;
		answer(true);
	}
}

/* ---- the oracle's helpers ---- */
static void guards_check(void)
{
	for (unsigned i = 0; i < GUARD; i++)
		FZ_CHECK(G.arena[i] == 0xa5, "op %lu: byte %u before the queue memory written",
			 G.op, GUARD - i);
	for (size_t i = GUARD + G.mem_size; i < sizeof(G.arena); i++)
		FZ_CHECK(G.arena[i] == 0xa5, "op %lu: byte %zu after the queue memory written",
			 G.op, i - GUARD - G.mem_size);
}

static bool rc_in(int rc, const int *ok, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (rc == ok[i])
			return true;
	return false;
}

#define RC_CHECK(rc, what, ...)                                                                    \
	do {                                                                                       \
		static const int ok_[] = {__VA_ARGS__};                                            \
		FZ_CHECK(rc_in(rc, ok_, sizeof(ok_) / sizeof(ok_[0])),                             \
			 "op %lu: %s returned %d, not a documented status", G.op, what, rc);       \
	} while (0)

/* Statuses of a request the device answers (iomm_paravirt_status()) or the transport fails. */
#define REMOTE_RC                                                                                  \
	IOMM_OK, IOMM_EIO, IOMM_ENOTSUP, IOMM_EINVAL, IOMM_ERANGE, IOMM_ENOENT, IOMM_EFAULT,       \
	    IOMM_ENOMEM, IOMM_ETIMEDOUT

struct snap {
	uint64_t domains_used[IOMM_PARAVIRT_MAX_DOMAINS / 64];
	struct iomm_paravirt_ep eps[IOMM_PARAVIRT_MAX_EP];
	struct iomm_domain dom;
	struct iomm_dev dev;
};

static void snap_take(struct snap *s, const struct iomm_domain *dom, const struct iomm_dev *dev)
{
	memcpy(s->domains_used, G.pv.domains_used, sizeof(s->domains_used));
	memcpy(s->eps, G.pv.eps, sizeof(s->eps));
	memset(&s->dom, 0, sizeof(s->dom));
	memset(&s->dev, 0, sizeof(s->dev));
	if (dom)
		s->dom = *dom;
	if (dev)
		s->dev = *dev;
}

/* A refused call: nothing the library records changed (a fresh PROBE result may be cached). */
static void snap_same(const struct snap *s, const struct iomm_domain *dom,
		      const struct iomm_dev *dev, const char *what, int rc)
{
	FZ_CHECK(!memcmp(s->domains_used, G.pv.domains_used, sizeof(s->domains_used)),
		 "op %lu: refused %s (%d) changed the domain IDs in use", G.op, what, rc);
	FZ_CHECK(!dom || !memcmp(&s->dom, dom, sizeof(*dom)),
		 "op %lu: refused %s (%d) changed the domain", G.op, what, rc);
	FZ_CHECK(!dev || !memcmp(&s->dev, dev, sizeof(*dev)),
		 "op %lu: refused %s (%d) changed the device", G.op, what, rc);
	for (unsigned i = 0; i < IOMM_PARAVIRT_MAX_EP; i++) {
		const struct iomm_paravirt_ep *a = &s->eps[i], *b = &G.pv.eps[i];
		FZ_CHECK(a->domain == b->domain,
			 "op %lu: refused %s (%d) changed endpoint slot %u's domain", G.op, what,
			 rc, i);
		if (memcmp(a, b, sizeof(*a)))
			FZ_CHECK(b->used && b->probed && (!a->used || a->endpoint == b->endpoint),
				 "op %lu: refused %s (%d) changed endpoint slot %u (not a PROBE "
				 "result)",
				 G.op, what, rc, i);
	}
}

static void on_fault(void *arg, const struct iomm_fault *f)
{
	(void)arg;
	FZ_CHECK(f->reason <= IOMM_FAULT_OTHER + 16, "op %lu: fault reason %d", G.op,
		 (int)f->reason);
	G.faults++;
}

/* ---- set-up ---- */
static uint64_t pick64(const uint64_t *t, unsigned n, uint8_t sel)
{
	return sel < n ? t[sel] : fz_u64(&G.f);
}

static void put_le(uint8_t *p, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void read_config(uint8_t *c)
{
	static const uint64_t psm[] = {0x40201000ull, 0x1000ull, 0x10000ull, 0};
	static const uint64_t probe[] = {0, 64, 512, 1024, 1025, 24};
	memset(c, 0, IOMM_VIOMMU_CFG_SIZE);
	put_le(c + IOMM_VIOMMU_CFG_PAGE_SIZE_MASK, pick64(psm, 4, fz_u8(&G.f) % 6u), 8);
	uint8_t k = fz_u8(&G.f);
	uint64_t is = 0, ie = (1ull << 48) - 1;
	if (k % 4 == 1) {
		is = 0x1000;
		ie = 0xffffffffull;
	} else if (k % 4 == 2) {
		is = fz_u64(&G.f);
		ie = fz_u64(&G.f);
	}
	put_le(c + IOMM_VIOMMU_CFG_INPUT_START, is, 8);
	put_le(c + IOMM_VIOMMU_CFG_INPUT_END, ie, 8);
	uint32_t ds = 1, de = 64;
	k = fz_u8(&G.f);
	if (k % 4 == 1) {
		ds = 0;
		de = 3;
	} else if (k % 4 == 2) {
		ds = de = 5;
	} else if (k % 4 == 3) {
		ds = fz_u32(&G.f);
		de = fz_u32(&G.f);
	}
	put_le(c + IOMM_VIOMMU_CFG_DOMAIN_START, ds, 4);
	put_le(c + IOMM_VIOMMU_CFG_DOMAIN_END, de, 4);
	put_le(c + IOMM_VIOMMU_CFG_PROBE_SIZE, pick64(probe, 6, fz_u8(&G.f) % 7u), 4);
	c[IOMM_VIOMMU_CFG_BYPASS] = fz_u8(&G.f) & 1;
}

/*
 * Header: b0 identity (bits 0-1 MagicValue, 2-3 Version, 4-5 DeviceID: 3
 * means a u32 follows), b1 (bits 0-2 event_slots choice, bit 3 memory one
 * byte short), b2 device flags (DF_*), b3 reset delay (0xff: never), u32 x2
 * features, u16 x2 QueueNumMax, the configuration (read_config()), with
 * DF_LATE a second one shown after FEATURES_OK, and one byte: 0 for the
 * default features, else a u64 of features to ask for follows.
 */
static uint16_t read_device(uint64_t *want, bool *short_mem)
{
	struct dev *d = &G.d;
	uint8_t b0 = fz_u8(&G.f);
	d->magic = (b0 & 3) == 3 ? fz_u32(&G.f) : 0x74726976u;
	d->version = (b0 >> 2 & 3) == 3 ? fz_u32(&G.f) : (b0 >> 2 & 3) == 2 ? 1u : 2u;
	d->devid = (b0 >> 4 & 3) == 3 ? fz_u32(&G.f) : IOMM_VIOMMU_MMIO_DEVICE_ID;
	uint8_t b1 = fz_u8(&G.f);
	static const uint16_t slots[8] = {0, 1, 2, 4, 8, 16, 3, 64};
	*short_mem = b1 & 8;
	d->flags = fz_u8(&G.f);
	d->reset_delay = fz_u8(&G.f);
	d->feat[0] = fz_u32(&G.f);
	d->feat[1] = fz_u32(&G.f);
	d->qmax[0] = fz_u16(&G.f);
	d->qmax[1] = fz_u16(&G.f);
	read_config(d->cfg);
	if (d->flags & DF_LATE)
		read_config(d->late_cfg);
	*want = fz_u8(&G.f) ? fz_u64(&G.f) : 0;
	return slots[b1 & 7];
}

static bool device_live(void)
{
	return (G.d.status & S_DRIVER_OK) && !(G.d.status & S_FAILED) && !G.d.resetting;
}

/* ---- operations ---- */
static void run_op(void)
{
	uint8_t op = fz_u8(&G.f) % 12u;
	uint8_t a = fz_u8(&G.f);
	struct iomm_domain *dom = &G.dom[a % NDOM];
	struct iomm_dev *dev = &G.dev[(a >> 2) % NDEV];
	struct snap s;
	int rc;
	switch (op) {
	case 0: { /* domain_init */
		static const enum iomm_domain_type types[4] = {
		    IOMM_DOMAIN_S1, IOMM_DOMAIN_S1, IOMM_DOMAIN_BYPASS, IOMM_DOMAIN_BLOCKED};
		struct iomm_domain_cfg c = {.type = types[(a >> 4) & 3]};
		snap_take(&s, dom, NULL);
		rc = iomm_domain_init(dom, &G.pv.unit, &c);
		RC_CHECK(rc, "iomm_domain_init", IOMM_OK, IOMM_EBUSY, IOMM_ENOTSUP, IOMM_ENOSPC,
			 IOMM_EINVAL);
		/* A refused init of a live domain changes nothing; of another it
		 * leaves a domain that is not live (its private fields are the
		 * core's scratch). */
		if (rc == IOMM_EBUSY)
			snap_same(&s, dom, NULL, "iomm_domain_init", rc);
		else if (rc) {
			snap_same(&s, NULL, NULL, "iomm_domain_init", rc);
			FZ_CHECK(iomm_domain_destroy(dom) == IOMM_EINVAL,
				 "op %lu: refused iomm_domain_init (%d) left a live domain", G.op,
				 rc);
		}
		break;
	}
	case 1: /* domain_destroy */
		snap_take(&s, dom, NULL);
		rc = iomm_domain_destroy(dom);
		RC_CHECK(rc, "iomm_domain_destroy", IOMM_OK, IOMM_EINVAL, IOMM_EBUSY);
		if (rc)
			snap_same(&s, dom, NULL, "iomm_domain_destroy", rc);
		break;
	case 2: { /* dev_init (only of a device that is not attached) */
		if (dev->domain)
			break;
		static const uint32_t sids[4] = {8, 9, 0x208, 0xffffffffu};
		rc = iomm_dev_init(dev, &G.pv.unit, &IOMM_SID(sids[a >> 6]));
		RC_CHECK(rc, "iomm_dev_init", IOMM_OK, IOMM_EINVAL, IOMM_ERANGE);
		break;
	}
	case 3: /* attach */
		snap_take(&s, dom, dev);
		rc = iomm_attach(dom, dev);
		RC_CHECK(rc, "iomm_attach", REMOTE_RC, IOMM_EBUSY, IOMM_ENOSPC);
		if (rc)
			snap_same(&s, dom, dev, "iomm_attach", rc);
		break;
	case 4: /* detach */
		snap_take(&s, dev->domain, dev);
		rc = iomm_detach(dev);
		RC_CHECK(rc, "iomm_detach", REMOTE_RC);
		if (rc)
			snap_same(&s, dev->domain, dev, "iomm_detach", rc);
		break;
	case 5: { /* map */
		uint64_t iova = (uint64_t)fz_u16(&G.f) << 12, pa = (uint64_t)fz_u16(&G.f) << 12;
		uint64_t size = (uint64_t)(fz_u8(&G.f) % 4u + 1u) << 12;
		uint8_t p = fz_u8(&G.f);
		if (p & 0x80)
			iova = fz_u64(&G.f);
		if (p & 0x40)
			size = fz_u64(&G.f);
		snap_take(&s, dom, NULL);
		rc = iomm_map(dom, iova, pa, size, p & 0x3fu);
		RC_CHECK(rc, "iomm_map", REMOTE_RC, IOMM_EEXIST);
		if (rc)
			snap_same(&s, dom, NULL, "iomm_map", rc);
		break;
	}
	case 6: { /* unmap */
		uint64_t iova = (uint64_t)fz_u16(&G.f) << 12;
		uint64_t size = (uint64_t)(fz_u8(&G.f) % 4u + 1u) << 12;
		uint64_t unmapped = 0x5a5a;
		snap_take(&s, dom, NULL);
		rc = iomm_unmap(dom, iova, size, &unmapped);
		RC_CHECK(rc, "iomm_unmap", REMOTE_RC);
		if (rc)
			snap_same(&s, dom, NULL, "iomm_unmap", rc);
		FZ_CHECK(rc || unmapped == size, "op %lu: unmap OK but unmapped %llu of %llu", G.op,
			 FZ_ULL(unmapped), FZ_ULL(size));
		break;
	}
	case 7: /* fault poll */
		rc = iomm_fault_poll(&G.pv.unit, on_fault, NULL);
		FZ_CHECK(rc >= 0 || rc == IOMM_EIO || rc == IOMM_EINVAL || rc == IOMM_ENOTSUP,
			 "op %lu: iomm_fault_poll returned %d", G.op, rc);
		break;
	case 8: { /* probe, then what it recorded */
		uint32_t ep = a & 0x80 ? fz_u32(&G.f) : a & 7u;
		snap_take(&s, NULL, NULL);
		rc = iomm_paravirt_probe(&G.pv, ep);
		RC_CHECK(rc, "iomm_paravirt_probe", REMOTE_RC, IOMM_ENOSPC);
		if (rc)
			snap_same(&s, NULL, NULL, "iomm_paravirt_probe", rc);
		struct iomm_paravirt_resv r;
		for (unsigned i = 0; i <= IOMM_PARAVIRT_MAX_RESV; i++) {
			int r2 = iomm_paravirt_resv_get(&G.pv, ep, i, &r);
			RC_CHECK(r2, "iomm_paravirt_resv_get", IOMM_OK, IOMM_ENOENT);
			FZ_CHECK(r2 || (r.start <= r.end && i < IOMM_PARAVIRT_MAX_RESV),
				 "op %lu: reserved region %u: %#llx..%#llx", G.op, i,
				 FZ_ULL(r.start), FZ_ULL(r.end));
		}
		uint64_t st, en;
		rc = iomm_paravirt_msi_region(&G.pv, ep, &st, &en);
		RC_CHECK(rc, "iomm_paravirt_msi_region", IOMM_OK, IOMM_ENOENT);
		break;
	}
	case 9: /* the device returns event buffers */
		events();
		break;
	case 10: { /* the device scribbles on the (shared) queue memory */
		uint16_t off = (uint16_t)(fz_u16(&G.f) % G.mem_size);
		uint8_t n = fz_u8(&G.f) % 16u;
		for (unsigned i = 0; i < n && off + i < G.mem_size; i++)
			MEM[off + i] = fz_u8(&G.f);
		break;
	}
	default: { /* the device changes a configuration word */
		uint8_t w = fz_u8(&G.f) % (IOMM_VIOMMU_CFG_SIZE / 4);
		uint32_t v = fz_u32(&G.f);
		for (unsigned i = 0; i < 4; i++)
			G.d.cfg[4u * w + i] = (uint8_t)(v >> (8 * i));
		break;
	}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	memset(&G, 0, sizeof(G));
	G.f = (struct fz){data, size};
	G.now = 1;
	memset(G.arena, 0xa5, sizeof(G.arena));
	G.port = (struct iomm_port){
	    .read32 = p_read32,
	    .write32 = p_write32,
	    .now_ns = p_now,
	    .relax = p_relax,
	};

	uint64_t want;
	bool short_mem;
	uint16_t slots = read_device(&want, &short_mem);
	size_t need = iomm_viommu_mmio_mem_size(slots && !(slots & (slots - 1)) ? slots : 1);
	if (need > MEM_MAX)
		need = MEM_MAX;
	G.mem_size = short_mem ? need - 1 : need;
	memset(MEM, 0x5c, G.mem_size); /* not zeroed: the transport must not rely on it */

	struct iomm_viommu_mmio_cfg mc = {
	    .base = BASE,
	    .mem = MEM,
	    .mem_pa = MEM_PA,
	    .mem_size = G.mem_size,
	    .event_slots = slots,
	    .timeout_ns = 1000000, /* 1 ms */
	};
	const struct iomm_viommu_transport *t = (const void *)&G; /* sentinel */
	G.hooks = 0;
	int rc = iomm_viommu_mmio_init(&G.m, &G.port, &mc, &t);
	RC_CHECK(rc, "iomm_viommu_mmio_init", IOMM_OK, IOMM_EINVAL, IOMM_ENOMEM, IOMM_ENODEV,
		 IOMM_ENOTSUP, IOMM_ETIMEDOUT);
	guards_check();
	if (rc) {
		FZ_CHECK(t == (const void *)&G,
			 "refused iomm_viommu_mmio_init (%d) gave a transport", rc);
		FZ_CHECK(!(G.d.status & S_DRIVER_OK) && !G.d.drv_ready,
			 "refused iomm_viommu_mmio_init (%d) left the device set up (status %#x)",
			 rc, G.d.status);
		return 0;
	}
	FZ_CHECK(t && t->request && t->config_read && t->features_get && t->features_set,
		 "iomm_viommu_mmio_init: OK without a complete transport");

	struct iomm_paravirt_cfg pc = {.features = want};
	G.hooks = 0;
	rc = iomm_paravirt_init(&G.pv, &G.port, t, &pc);
	RC_CHECK(rc, "iomm_paravirt_init", IOMM_OK, IOMM_EINVAL, IOMM_ENODEV, IOMM_ENOTSUP,
		 IOMM_ENOMEM, IOMM_ETIMEDOUT, IOMM_EIO);
	guards_check();
	if (rc) {
		FZ_CHECK(!device_live(),
			 "refused iomm_paravirt_init (%d) left the device live (status %#x) with "
			 "the queue memory",
			 rc, G.d.status);
		FZ_CHECK(!G.pv.t && !G.pv.unit.ops,
			 "refused iomm_paravirt_init (%d) left the backend half set up", rc);
		struct iomm_domain_cfg c = {.type = IOMM_DOMAIN_S1};
		int r2 = iomm_domain_init(&G.dom[0], &G.pv.unit, &c);
		FZ_CHECK(r2 != IOMM_OK, "refused iomm_paravirt_init (%d): a domain on its unit",
			 rc);
		return 0;
	}
	FZ_CHECK(G.pv.unit.caps & IOMM_CAP_REMOTE, "a paravirtual unit without IOMM_CAP_REMOTE");
	FZ_CHECK(G.pv.input_start <= G.pv.input_end && G.pv.domain_start <= G.pv.domain_end &&
		     G.pv.page_size_mask && G.pv.probe_size <= IOMM_PARAVIRT_PROBE_MAX,
		 "iomm_paravirt_init: OK with a malformed configuration");

	for (G.op = 1; G.op <= MAX_OPS && fz_more(&G.f); G.op++) {
		G.hooks = 0;
		run_op();
		guards_check();
	}
	return 0;
}
