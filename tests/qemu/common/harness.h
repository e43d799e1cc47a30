/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Scenario harness of the QEMU acceptance suite.
 *
 * A scenario defines scenario_main() and checks with the CHECK* macros. The
 * harness (harness.c) provides qemu_main(): it runs scenario_main(), then
 * prints the verdict line that tests/qemu/run-scenario.sh looks for
 * ("QEMU-SCENARIO-VERDICT: PASS" or "... FAIL") and returns 0 only when every
 * check passed, so the port's qemu_exit() turns it into QEMU's exit status.
 * Failed checks print their expression, file, line and values.
 */
#ifndef IOMM_QEMU_HARNESS_H
#define IOMM_QEMU_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <iommuman/iommuman.h>

#include "qemu_board.h"

/** Name of the scenario (-DIOMM_QEMU_SCENARIO="..." from tests/qemu/CMakeLists.txt). */
#ifndef IOMM_QEMU_SCENARIO
#define IOMM_QEMU_SCENARIO "unnamed"
#endif

/** The scenario body, defined by each scenario source. */
void scenario_main(void);

/** Print "-- @p name" to mark a step of the scenario in the log. */
void harness_step(const char *name);
/** Print one line of information ("   @p msg"). */
void harness_note(const char *msg);
/** Print one line "   @p msg 0x<v>". */
void harness_note_hex(const char *msg, uint64_t v);
/** Print one line "   @p msg <v>". */
void harness_note_dec(const char *msg, uint64_t v);

bool harness_check(bool ok, const char *expr, const char *file, int line);
bool harness_check_eq(uint64_t got, uint64_t want, const char *got_expr, const char *want_expr,
		      const char *file, int line);
bool harness_check_rc(int got, int want, const char *expr, const char *file, int line);
/** Stop the scenario now: print why, the verdict FAIL, and exit. */
_Noreturn void harness_fatal(const char *why, const char *file, int line);

/** Check that @p cond holds. Evaluates to the result. */
#define CHECK(cond) harness_check(!!(cond), #cond, __FILE__, __LINE__)
/** Check that two integers are equal (compared as uint64_t). */
#define CHECK_EQ(got, want)                                                                        \
	harness_check_eq((uint64_t)(got), (uint64_t)(want), #got, #want, __FILE__, __LINE__)
/** Check that an iommuman call returns the status @p want (e.g. IOMM_OK, IOMM_ENOENT). */
#define CHECK_RC(expr, want) harness_check_rc((int)(expr), (int)(want), #expr, __FILE__, __LINE__)
/** Check an iommuman call succeeds. */
#define CHECK_OK(expr) CHECK_RC(expr, IOMM_OK)
/** Like CHECK, but end the scenario at once when it fails. */
#define REQUIRE(cond)                                                                              \
	do {                                                                                       \
		if (!harness_check(!!(cond), #cond, __FILE__, __LINE__))                           \
			harness_fatal("a required check failed", __FILE__, __LINE__);              \
	} while (0)

/** Number of checks so far, and how many failed. */
unsigned harness_checks(void);
unsigned harness_failures(void);

/* ---- buffers the device reads and writes ---- */

/** Physical address of a buffer, as the device (before any IOMMU) sees it. */
static inline uint64_t pa_of(const void *p)
{
	return qemu_virt_to_phys(p);
}

/** Set @p n bytes at @p p to @p v. */
static inline void fill(uint8_t *p, uint8_t v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = v;
}

/** Whether all @p n bytes at @p p equal @p v. */
static inline bool all(const uint8_t *p, uint8_t v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != v)
			return false;
	return true;
}

/* ---- DMA and table memory ---- */
struct edu;
/*
 * edu writes @n bytes of its buffer (loaded with 0x5a by the scenario) at
 * bus address @iova. @target is filled with 0xee first; returns whether it
 * received the 0x5a bytes, and checks that a blocked write left it
 * untouched, not torn.
 */
bool harness_edu_write_lands(struct edu *e, uint64_t iova, uint8_t *target, size_t n);
/* A region pool of @size bytes of @granule-byte pages from the board's table
 * memory, for @port (at most HARNESS_MAX_POOLS per scenario). */
#define HARNESS_MAX_POOLS 8
struct iomm_pool *harness_pool(const struct iomm_port *port, size_t granule, size_t size);

/* ---- faults ---- */
#define HARNESS_MAX_FAULTS 64
/* The records of the last harness_poll_faults(): the first HARNESS_MAX_FAULTS. */
extern struct iomm_fault harness_faults[HARNESS_MAX_FAULTS];
/* iomm_fault_poll() on @unit into harness_faults (a failed poll fails the
 * scenario); notes the first @show records; returns how many arrived. */
unsigned harness_poll_faults(struct iomm_unit *unit, unsigned show);

#endif /* IOMM_QEMU_HARNESS_H */
