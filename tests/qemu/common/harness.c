/* SPDX-License-Identifier: BSD-3-Clause */
/* Scenario harness of the QEMU acceptance suite: see harness.h. */
#include "harness.h"

#include "edu.h"

static unsigned n_checks, n_failures;

unsigned harness_checks(void)
{
	return n_checks;
}

unsigned harness_failures(void)
{
	return n_failures;
}

static const char *base_name(const char *path)
{
	const char *b = path;

	for (const char *p = path; *p; p++) {
		if (*p == '/')
			b = p + 1;
	}
	return b;
}

static void where(const char *file, int line)
{
	qemu_puts(base_name(file));
	qemu_putc(':');
	qemu_putdec((uint64_t)(line > 0 ? line : 0));
}

void harness_step(const char *name)
{
	qemu_puts("-- ");
	qemu_puts(name);
	qemu_putc('\n');
}

void harness_note(const char *msg)
{
	qemu_puts("   ");
	qemu_puts(msg);
	qemu_putc('\n');
}

void harness_note_hex(const char *msg, uint64_t v)
{
	qemu_puts("   ");
	qemu_puts(msg);
	qemu_putc(' ');
	qemu_puthex(v);
	qemu_putc('\n');
}

void harness_note_dec(const char *msg, uint64_t v)
{
	qemu_puts("   ");
	qemu_puts(msg);
	qemu_putc(' ');
	qemu_putdec(v);
	qemu_putc('\n');
}

bool harness_check(bool ok, const char *expr, const char *file, int line)
{
	n_checks++;
	if (!ok) {
		n_failures++;
		qemu_puts("CHECK FAILED at ");
		where(file, line);
		qemu_puts(": ");
		qemu_puts(expr);
		qemu_putc('\n');
	}
	return ok;
}

bool harness_check_eq(uint64_t got, uint64_t want, const char *got_expr, const char *want_expr,
		      const char *file, int line)
{
	n_checks++;
	if (got != want) {
		n_failures++;
		qemu_puts("CHECK FAILED at ");
		where(file, line);
		qemu_puts(": ");
		qemu_puts(got_expr);
		qemu_puts(" == ");
		qemu_puts(want_expr);
		qemu_puts(": got ");
		qemu_puthex(got);
		qemu_puts(", want ");
		qemu_puthex(want);
		qemu_putc('\n');
		return false;
	}
	return true;
}

static void put_status(int rc)
{
	qemu_puts(iomm_strerror(rc));
	qemu_puts(" (");
	if (rc < 0) {
		qemu_putc('-');
		qemu_putdec((uint64_t)(-(int64_t)rc));
	} else {
		qemu_putdec((uint64_t)rc);
	}
	qemu_putc(')');
}

bool harness_check_rc(int got, int want, const char *expr, const char *file, int line)
{
	n_checks++;
	if (got != want) {
		n_failures++;
		qemu_puts("CHECK FAILED at ");
		where(file, line);
		qemu_puts(": ");
		qemu_puts(expr);
		qemu_puts(" returned ");
		put_status(got);
		qemu_puts(", want ");
		put_status(want);
		qemu_putc('\n');
		return false;
	}
	return true;
}

static void verdict(void)
{
	qemu_puts(n_failures ? "QEMU-SCENARIO-VERDICT: FAIL (" : "QEMU-SCENARIO-VERDICT: PASS (");
	if (n_failures) {
		qemu_putdec(n_failures);
		qemu_puts(" of ");
	}
	qemu_putdec(n_checks);
	qemu_puts(n_failures ? " checks failed) " : " checks) ");
	qemu_puts(IOMM_QEMU_SCENARIO);
	qemu_putc('\n');
}

_Noreturn void harness_fatal(const char *why, const char *file, int line)
{
	n_failures++;
	qemu_puts("FATAL at ");
	where(file, line);
	qemu_puts(": ");
	qemu_puts(why);
	qemu_putc('\n');
	verdict();
	qemu_exit(1);
}

int qemu_main(void)
{
	uint64_t t0 = qemu_now_ns();

	qemu_puts("scenario " IOMM_QEMU_SCENARIO " on " QEMU_BOARD_NAME ", iommuman ");
	qemu_putdec(IOMM_VERSION_MAJOR);
	qemu_putc('.');
	qemu_putdec(IOMM_VERSION_MINOR);
	qemu_putc('.');
	qemu_putdec(IOMM_VERSION_PATCH);
	qemu_putc('\n');
	scenario_main();
	qemu_puts("scenario time ");
	qemu_putdec((qemu_now_ns() - t0) / 1000000u);
	qemu_puts(" ms\n");
	if (n_checks == 0) {
		/* A scenario that checked nothing proves nothing. */
		qemu_puts("no checks were made\n");
		n_failures++;
	}
	verdict();
	return n_failures ? 1 : 0;
}

/* ---- faults ---- */
struct iomm_fault harness_faults[HARNESS_MAX_FAULTS];
static unsigned harness_nfaults;

static void harness_on_fault(void *arg, const struct iomm_fault *f)
{
	(void)arg;
	if (harness_nfaults < HARNESS_MAX_FAULTS)
		harness_faults[harness_nfaults] = *f;
	harness_nfaults++;
}

unsigned harness_poll_faults(struct iomm_unit *unit, unsigned show)
{
	harness_nfaults = 0;
	CHECK(iomm_fault_poll(unit, harness_on_fault, NULL) >= 0);
	for (unsigned i = 0; i < harness_nfaults && i < show && i < HARNESS_MAX_FAULTS; i++) {
		harness_note_hex("fault: raw (reason/event)", harness_faults[i].raw);
		harness_note_hex("       stream/source ID", harness_faults[i].sid);
		harness_note_hex("       address/index", harness_faults[i].addr);
		harness_note_hex("       flags", harness_faults[i].flags);
	}
	return harness_nfaults;
}

bool harness_edu_write_lands(struct edu *e, uint64_t iova, uint8_t *target, size_t n)
{
	fill(target, 0xee, n);
	qemu_mb();
	CHECK_EQ(edu_dma_from_device(e, iova, 0, (uint32_t)n), EDU_OK);
	qemu_mb();
	if (all(target, 0x5a, n))
		return true;
	CHECK(all(target, 0xee, n)); /* blocked means untouched, not torn */
	return false;
}

struct iomm_pool *harness_pool(const struct iomm_port *port, size_t granule, size_t size)
{
	static struct iomm_pool pools[HARNESS_MAX_POOLS];
	static unsigned n;
	uint64_t pa;
	void *mem = qemu_table_mem(size, granule, &pa);
	REQUIRE(mem != NULL && n < HARNESS_MAX_POOLS);
	struct iomm_pool *p = &pools[n++];
	REQUIRE(iomm_pool_init(p, port, mem, size, pa, granule) == IOMM_OK);
	return p;
}
