/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Shared by the fuzz targets: a reader that turns the fuzzer's bytes into
 * values (zeros once the input is used up) and a check macro that prints
 * what went wrong and abort()s, which libFuzzer reports as a crash.
 */
#ifndef IOMM_FUZZ_COMMON_H
#define IOMM_FUZZ_COMMON_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

struct fz {
	const uint8_t *p;
	size_t n;
};

static inline bool fz_more(const struct fz *f)
{
	return f->n > 0;
}

static inline uint8_t fz_u8(struct fz *f)
{
	if (!f->n)
		return 0;
	f->n--;
	return *f->p++;
}

static inline uint16_t fz_u16(struct fz *f)
{
	uint16_t v = fz_u8(f);
	return (uint16_t)(v | (uint16_t)(fz_u8(f) << 8));
}

static inline uint32_t fz_u32(struct fz *f)
{
	uint32_t v = fz_u16(f);
	return v | ((uint32_t)fz_u16(f) << 16);
}

static inline uint64_t fz_u64(struct fz *f)
{
	uint64_t v = fz_u32(f);
	return v | ((uint64_t)fz_u32(f) << 32);
}

#if defined(__GNUC__)
#define FZ_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define FZ_PRINTF(a, b)
#endif

/* Print "file:line: message" and abort. */
static inline void fz_fail(const char *file, int line, const char *fmt, ...) FZ_PRINTF(3, 4);
static inline void fz_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s:%d: check failed: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

#define FZ_CHECK(cond, ...)                                                                        \
	do {                                                                                       \
		if (!(cond))                                                                       \
			fz_fail(__FILE__, __LINE__, __VA_ARGS__);                                 \
	} while (0)

#define FZ_ULL(x) ((unsigned long long)(x))

#endif /* IOMM_FUZZ_COMMON_H */
