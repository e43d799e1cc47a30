/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The EL2 host's VM machinery (see hv.h): the CPU's stage 2, the guest
 * loader, the run loop and the trap handler. Register values are the ones
 * measured on QEMU 10's virt machine with -cpu cortex-a57; fields are cited
 * from the Arm Architecture Reference Manual (Arm ARM, DDI 0487).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <iommuman/vmmio.h>

#include "hv.h"
#include "hv_abi.h"
#include "qemu_board.h"

void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memset(void *dst, int c, size_t n);
void hv_host_exception(uint64_t idx, uint64_t esr, uint64_t elr, uint64_t far);

#define SZ_4K 0x1000ull
#define SZ_2M 0x200000ull

/* ---- stage 2 (Arm ARM D8.3: VMSAv8-64 descriptors, 4 KiB granule) ------------------ */

/*
 * VTCR_EL2 (D23.2 VTCR_EL2): T0SZ = 24 (40-bit IPA), SL0 = 1 (start at level
 * 1), IRGN0 = ORGN0 = 1 (write-back walks), SH0 = 3 (inner shareable), TG0 =
 * 0 (4 KiB), PS = 2 (40-bit PA), bit 31 RES1. A 40-bit IPA starting at level 1
 * needs 1024 level-1 entries: two concatenated 4 KiB tables, 8 KiB aligned.
 */
#define VTCR_VALUE 0x80023558ull
#define VTTBR_VMID_SHIFT 48
#define GUEST_VMID	 1ull
/* HCR_EL2 (D23.2 HCR_EL2): VM (0), SWIO (1), FMO (3), IMO (4), AMO (5), TSC (19), RW (31). */
#define HCR_VALUE 0x8008003bull
#define HCR_VI	  (1ull << 7) /* virtual IRQ pending (with IMO) */
/* SCTLR_EL1 for the guest: MMU and caches off, RES1 bits set. */
#define SCTLR_EL1_VALUE 0x30d00800ull
/* SPSR_EL2 for the first ERET: EL1h (M = 0b0101), D, A, I, F masked. */
#define SPSR_EL1H_MASKED 0x3c5ull

#define S2_VALID     (1ull << 0)
#define S2_TABLE     (1ull << 1) /* table (levels 1-2) or page (level 3) */
#define S2_MEMATTR(x) ((uint64_t)(x) << 2) /* D8.5.5 stage 2 MemAttr[3:0] */
#define S2_MEM_NORMAL_WB 0xfu
#define S2_MEM_DEVICE_nGnRE 0x1u
#define S2_AP_RW     (3ull << 6) /* S2AP: read and write */
#define S2_SH_INNER  (3ull << 8)
#define S2_AF	     (1ull << 10)
#define S2_OA_MASK   0x000000fffffff000ull

#define S2_TABLES 8u
static uint64_t s2_root[1024] __attribute__((aligned(8192)));
static uint64_t s2_tables[S2_TABLES][512] __attribute__((aligned(4096)));
static unsigned s2_used;

void hv_stage2_reset(void)
{
	memset(s2_root, 0, sizeof(s2_root));
	memset(s2_tables, 0, sizeof(s2_tables));
	s2_used = 0;
}

/* The next-level table of entry @e, created when it is invalid; NULL when out of tables. */
static uint64_t *s2_next(uint64_t *e)
{
	uint64_t *t;

	if (*e & S2_VALID)
		return (uint64_t *)(uintptr_t)(*e & S2_OA_MASK);
	if (s2_used == S2_TABLES)
		return NULL;
	t = s2_tables[s2_used++];
	*e = qemu_virt_to_phys(t) | S2_TABLE | S2_VALID;
	return t;
}

bool hv_stage2_map(uint64_t ipa, uint64_t pa, uint64_t size, enum hv_s2_mem mem)
{
	uint64_t attr = S2_AF | S2_AP_RW |
			(mem == HV_S2_NORMAL ? S2_MEMATTR(S2_MEM_NORMAL_WB) | S2_SH_INNER
					     : S2_MEMATTR(S2_MEM_DEVICE_nGnRE));

	if ((ipa | pa | size) & (SZ_4K - 1) || !size || ipa >> 40 || pa >> 40)
		return false;
	while (size) {
		uint64_t *l2 = s2_next(&s2_root[(ipa >> 30) & 0x3ff]), *l3;

		if (!l2)
			return false;
		if (!((ipa | pa) & (SZ_2M - 1)) && size >= SZ_2M) {
			l2[(ipa >> 21) & 0x1ff] = pa | attr | S2_VALID; /* level-2 block */
			ipa += SZ_2M, pa += SZ_2M, size -= SZ_2M;
			continue;
		}
		l3 = s2_next(&l2[(ipa >> 21) & 0x1ff]);
		if (!l3)
			return false;
		l3[(ipa >> 12) & 0x1ff] = pa | attr | S2_TABLE | S2_VALID; /* level-3 page */
		ipa += SZ_4K, pa += SZ_4K, size -= SZ_4K;
	}
	return true;
}

void hv_stage2_enable(void)
{
	uint64_t vttbr = qemu_virt_to_phys(s2_root) | GUEST_VMID << VTTBR_VMID_SHIFT;

	__asm__ __volatile__("dsb ishst\n\t"
			     "msr vtcr_el2, %0\n\t"
			     "msr vttbr_el2, %1\n\t"
			     "msr sctlr_el1, %2\n\t"
			     "msr hcr_el2, %3\n\t"
			     "isb\n\t"
			     "tlbi vmalls12e1is\n\t"
			     "dsb ish\n\t"
			     "isb" ::"r"(VTCR_VALUE),
			     "r"(vttbr), "r"(SCTLR_EL1_VALUE), "r"(HCR_VALUE)
			     : "memory");
}

/* ---- the guest's ELF image ---------------------------------------------------------- */

/* The image is read byte by byte: with the MMU off every access is Device memory. */
static uint64_t rd(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 8 | p[n];
	return v;
}

static bool in_ram(const struct hv_ram *ram, uint64_t ipa, uint64_t len)
{
	return ipa >= ram->ipa && len <= ram->size && ipa - ram->ipa <= ram->size - len;
}

bool hv_load_elf(const struct hv_ram *ram, const uint8_t *elf, size_t len, uint64_t *entry)
{
	uint64_t phoff, phnum, phentsize;

	/* ELF64, little-endian, executable, EM_AARCH64 (183). */
	if (len < 64 || rd(elf, 4) != 0x464c457full || elf[4] != 2 || elf[5] != 1 ||
	    rd(elf + 16, 2) != 2 || rd(elf + 18, 2) != 183) {
		qemu_puts("hv: the guest image is not an AArch64 ELF64 executable\n");
		return false;
	}
	phoff = rd(elf + 32, 8);
	phentsize = rd(elf + 54, 2);
	phnum = rd(elf + 56, 2);
	if (phentsize < 56 || phoff > len || phnum > (len - phoff) / phentsize) {
		qemu_puts("hv: the guest image's program headers lie outside it\n");
		return false;
	}
	memset(ram->host, 0, (size_t)ram->size);
	for (uint64_t i = 0; i < phnum; i++) {
		const uint8_t *ph = elf + phoff + i * phentsize;
		uint64_t off = rd(ph + 8, 8), ipa = rd(ph + 16, 8);
		uint64_t filesz = rd(ph + 32, 8), memsz = rd(ph + 40, 8);

		if (rd(ph, 4) != 1 /* PT_LOAD */ || !memsz)
			continue;
		if (filesz > memsz || off > len || filesz > len - off || !in_ram(ram, ipa, memsz)) {
			qemu_puts("hv: a guest segment does not fit region A: ");
			qemu_puthex(ipa);
			qemu_puts("\n");
			return false;
		}
		memcpy(ram->host + (ipa - ram->ipa), elf + off, (size_t)filesz);
	}
	*entry = rd(elf + 24, 8);
	if (!in_ram(ram, *entry, 4)) {
		qemu_puts("hv: the guest entry point is outside region A\n");
		return false;
	}
	qemu_mb();
	return true;
}

uint8_t *hv_ram_host(const struct hv_ram *ram, uint64_t ipa, uint64_t len)
{
	return len && in_ram(ram, ipa, len) ? ram->host + (ipa - ram->ipa) : NULL;
}

/* ---- the emulated window ---------------------------------------------------------- */

static struct iomm_vmmio_front *front;
static struct hv_run_log *cur_log;

void hv_vmmio_set_front(struct iomm_vmmio_front *f)
{
	front = f;
}

int hv_vmmio_access(uint64_t offset, unsigned width, bool is_write, uint64_t *val)
{
	uint32_t v = (uint32_t)*val;
	int rc;

	/* virtio-mmio registers are at most 32 bits wide: a 64-bit access is refused. */
	if (!front || width > 4 || offset >= HV_GUEST_VMMIO_SIZE) {
		rc = -1;
	} else {
		rc = iomm_vmmio_front_access(front, (uint32_t)offset, width, is_write, &v);
		if (!is_write)
			*val = v;
	}
	if (cur_log && cur_log->nmmio < HV_MAX_RECS) {
		struct hv_mmio_rec *r = &cur_log->mmio[cur_log->nmmio++];
		r->offset = offset;
		r->width = (uint8_t)width;
		r->is_write = is_write;
		r->rc = rc;
		r->value = is_write ? *val : rc ? ~0ull : *val;
	}
	return rc;
}

/* ---- traps ------------------------------------------------------------------------- */

/* ESR_EL2 (D23.2 ESR_EL2; ISS of a data abort: D24.2.40). */
#define ESR_EC(esr)	((uint32_t)((esr) >> 26) & 0x3fu)
#define EC_HVC64	0x16u
#define EC_SMC64	0x17u
#define EC_DABT_LOWER	0x24u
#define ISS_ISV		(1ull << 24)
#define ISS_SAS(esr)	((unsigned)((esr) >> 22) & 3u)
#define ISS_SSE		(1ull << 21)
#define ISS_SRT(esr)	((unsigned)((esr) >> 16) & 0x1fu)
#define ISS_SF		(1ull << 15)
#define ISS_WNR		(1ull << 6)
#define HV_MAX_EXITS	100000u

static uint64_t sysreg_esr(void)
{
	uint64_t v;
	__asm__ __volatile__("mrs %0, esr_el2" : "=r"(v));
	return v;
}

/* IPA of a stage-2 abort: HPFAR_EL2.FIPA (bits [39:4] = IPA[51:12]) and FAR_EL2[11:0]. */
static uint64_t fault_ipa(void)
{
	uint64_t hpfar, far;

	__asm__ __volatile__("mrs %0, hpfar_el2\n\tmrs %1, far_el2" : "=r"(hpfar), "=r"(far));
	return ((hpfar >> 4) & 0xffffffffffull) << 12 | (far & 0xfffu);
}

void hv_set_virq(bool on)
{
	uint64_t hcr;

	__asm__ __volatile__("mrs %0, hcr_el2" : "=r"(hcr));
	hcr = on ? hcr | HCR_VI : hcr & ~HCR_VI;
	__asm__ __volatile__("msr hcr_el2, %0\n\tisb" ::"r"(hcr) : "memory");
}

/* Value a load of @width bytes leaves in its register, per ISS.SSE and ISS.SF. */
static uint64_t load_result(uint64_t esr, unsigned width, uint64_t val)
{
	unsigned bits = 8u * width;

	if (bits < 64) {
		val &= (1ull << bits) - 1;
		if ((esr & ISS_SSE) && (val >> (bits - 1)) & 1u)
			val |= ~((1ull << bits) - 1);
	}
	if (!(esr & ISS_SF))
		val &= 0xffffffffull;
	return val;
}

static void guest_puts(const struct hv_ram *ram, uint64_t ipa)
{
	qemu_puts("   [guest] ");
	for (unsigned n = 0; n < 200u && in_ram(ram, ipa, 1); n++, ipa++) {
		char c = (char)ram->host[ipa - ram->ipa];
		if (!c)
			break;
		qemu_putc(c >= ' ' && c < 127 ? c : '?');
	}
	qemu_putc('\n');
}

/* A data abort from the guest. False: the host stops the guest. */
static bool data_abort(struct hv_vcpu *v, uint64_t esr, struct hv_run_log *log)
{
	uint64_t ipa = fault_ipa(), val = 0;
	unsigned width = 1u << ISS_SAS(esr), srt = ISS_SRT(esr);
	bool wr = (esr & ISS_WNR) != 0;

	if (!(esr & ISS_ISV)) {
		qemu_puts("hv: guest access at IPA ");
		qemu_puthex(ipa);
		qemu_puts(" cannot be decoded (ISV = 0: pair, writeback or exclusive): guest stopped\n");
		return false;
	}
	if (ipa >= HV_GUEST_VMMIO_IPA && ipa - HV_GUEST_VMMIO_IPA < HV_GUEST_VMMIO_SIZE) {
		uint64_t off = ipa - HV_GUEST_VMMIO_IPA;

		if (wr) {
			val = srt == 31 ? 0 : v->x[srt];
			if (width < 8)
				val &= (1ull << (8u * width)) - 1;
			(void)hv_vmmio_access(off, width, true, &val);
		} else {
			if (hv_vmmio_access(off, width, false, &val))
				val = ~0ull;
			if (srt != 31)
				v->x[srt] = load_result(esr, width, val);
		}
	} else {
		/* Not guest memory and not emulated: reported, never served. */
		if (log->naborts < HV_MAX_RECS) {
			log->aborts[log->naborts].ipa = ipa;
			log->aborts[log->naborts].is_write = wr;
		}
		log->naborts++;
		qemu_puts("   [host] stage-2 abort: guest ");
		qemu_puts(wr ? "store to" : "load from");
		qemu_puts(" IPA ");
		qemu_puthex(ipa);
		qemu_puts(" (not its memory): not served\n");
		if (!wr && srt != 31)
			v->x[srt] = load_result(esr, width, HV_UNBACKED_READ);
	}
	v->elr += 4; /* a data abort's ELR points at the faulting instruction */
	return true;
}

/* A hypercall. False: the guest is done or stopped. */
static bool hypercall(struct hv_vcpu *v, const struct hv_ram *ram, const struct hv_observer *obs,
		      struct hv_run_log *log)
{
	log->hvcs++;
	switch (v->x[0]) {
	case HV_CALL_PUTS:
		guest_puts(ram, v->x[1]);
		v->x[0] = HV_OK;
		return true;
	case HV_CALL_REPORT:
		if (obs && obs->report)
			obs->report(v->x[1], v->x[2], v->x[3]);
		v->x[0] = HV_OK;
		return true;
	case HV_CALL_IRQ:
		log->irqs_injected++;
		hv_set_virq(true);
		v->x[0] = HV_OK;
		return true;
	case HV_CALL_EOI:
		log->eois++;
		hv_set_virq(false);
		v->x[0] = HV_OK;
		return true;
	case HV_CALL_DONE:
		log->done = true;
		log->verdict = v->x[1];
		return false;
	case HV_CALL_PANIC:
		qemu_puts("hv: guest exception: ESR_EL1 ");
		qemu_puthex(v->x[1]);
		qemu_puts(" ELR_EL1 ");
		qemu_puthex(v->x[2]);
		qemu_puts(" FAR_EL1 ");
		qemu_puthex(v->x[3]);
		qemu_puts(": guest stopped\n");
		log->failed = true;
		return false;
	default:
		v->x[0] = HV_EINVAL; /* HVC already points past the instruction */
		return true;
	}
}

void hv_run(const struct hv_ram *ram, uint64_t entry, uint64_t a0, uint64_t a1,
	    const struct hv_observer *obs, struct hv_run_log *log)
{
	static struct hv_vcpu v;

	memset(&v, 0, sizeof(v));
	memset(log, 0, sizeof(*log));
	v.x[0] = a0;
	v.x[1] = a1;
	v.elr = entry;
	v.spsr = SPSR_EL1H_MASKED;
	cur_log = log;
	for (;;) {
		uint64_t kind, esr;

		/*
		 * Every exit is the host's turn for its pending work (a real host
		 * also takes the SMMU's event interrupt): IOMMU faults reach the
		 * guest's event queue without the guest asking for them.
		 */
		if (log->exits && obs && obs->pending)
			obs->pending();
		if (++log->exits > HV_MAX_EXITS) {
			qemu_puts("hv: the guest exited more than 100000 times: stopped\n");
			log->failed = true;
			break;
		}
		kind = hv_enter(&v);
		if (kind != HV_EXIT_SYNC) {
			qemu_puts("hv: unexpected exit from the guest, kind ");
			qemu_putdec(kind);
			qemu_puts(": guest stopped\n");
			log->failed = true;
			break;
		}
		esr = sysreg_esr();
		if (ESR_EC(esr) == EC_HVC64) {
			if (!hypercall(&v, ram, obs, log))
				break;
		} else if (ESR_EC(esr) == EC_DABT_LOWER) {
			if (!data_abort(&v, esr, log)) {
				log->failed = true;
				break;
			}
		} else if (ESR_EC(esr) == EC_SMC64) {
			v.x[0] = ~0ull; /* PSCI NOT_SUPPORTED: the guest gets no firmware */
			v.elr += 4;
		} else {
			qemu_puts("hv: unhandled guest trap, ESR_EL2 ");
			qemu_puthex(esr);
			qemu_puts(" at ");
			qemu_puthex(v.elr);
			qemu_puts(": guest stopped\n");
			log->failed = true;
			break;
		}
	}
	hv_set_virq(false);
	cur_log = NULL;
}

void hv_host_exception(uint64_t idx, uint64_t esr, uint64_t elr, uint64_t far)
{
	qemu_puts("\n*** host exception at EL2: vector ");
	qemu_putdec(idx);
	qemu_puts(" ESR_EL2=");
	qemu_puthex(esr);
	qemu_puts(" ELR_EL2=");
	qemu_puthex(elr);
	qemu_puts(" FAR_EL2=");
	qemu_puthex(far);
	qemu_puts("\n");
	qemu_exit(3);
}
