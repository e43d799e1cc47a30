/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Byte builders for ACPI tables in tests, written from the layouts of the
 * ACPI specification (header), Arm DEN 0049 (IORT) and the Intel VT-d
 * specification chapter 8 (DMAR). Little-endian, any alignment.
 */
#ifndef ACPI_BUILD_H
#define ACPI_BUILD_H

#include <stdint.h>
#include <string.h>

struct tb {
	uint8_t b[8192];
	uint32_t len;
};

static inline void tb_set(struct tb *t, uint32_t off, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		t->b[off + i] = (uint8_t)(i < 8 ? v >> (8 * i) : 0);
}
static inline uint32_t tb_put(struct tb *t, uint64_t v, unsigned n)
{
	uint32_t at = t->len;
	tb_set(t, at, v, n);
	t->len += n;
	return at;
}
static inline void tb_bytes(struct tb *t, const void *p, uint32_t n)
{
	memcpy(t->b + t->len, p, n);
	t->len += n;
}
/* Standard header; length and checksum are set by tb_finish(). */
static inline void tb_header(struct tb *t, const char *sig, uint8_t rev)
{
	memset(t, 0, sizeof(*t));
	memcpy(t->b, sig, 4);
	t->b[8] = rev;
	memcpy(t->b + 10, "IOMMTS", 6);
	memcpy(t->b + 16, "TESTTBL ", 8);
	t->len = 36;
}
static inline void tb_sum(struct tb *t)
{
	uint8_t s = 0;
	t->b[9] = 0;
	for (uint32_t i = 0; i < t->len; i++)
		s = (uint8_t)(s + t->b[i]);
	t->b[9] = (uint8_t)(0x100 - s);
}
static inline void tb_finish(struct tb *t)
{
	tb_set(t, 4, t->len, 4);
	tb_sum(t);
}

/* ---- IORT ---- */
/* Header fields: node count at 36, node array offset at 40, reserved. */
static inline void iort_begin(struct tb *t, uint32_t nnodes)
{
	tb_header(t, "IORT", 3);
	tb_put(t, nnodes, 4);
	tb_put(t, 48, 4);
	tb_put(t, 0, 4);
}
/* Generic node header; returns the node's offset. Fix the length with iort_end_node(). */
static inline uint32_t iort_node(struct tb *t, uint8_t type, uint32_t nmaps, uint32_t map_ref)
{
	uint32_t at = tb_put(t, type, 1);
	tb_put(t, 0, 2); /* length */
	tb_put(t, 0, 1); /* revision */
	tb_put(t, 0, 4); /* identifier */
	tb_put(t, nmaps, 4);
	tb_put(t, nmaps ? map_ref : 0, 4);
	return at;
}
static inline void iort_end_node(struct tb *t, uint32_t node)
{
	tb_set(t, node + 1, t->len - node, 2);
}
static inline void iort_map(struct tb *t, uint32_t in, uint32_t n_minus1, uint32_t out,
			    uint32_t ref, uint32_t flags)
{
	tb_put(t, in, 4);
	tb_put(t, n_minus1, 4);
	tb_put(t, out, 4);
	tb_put(t, ref, 4);
	tb_put(t, flags, 4);
}
/* SMMUv3 node (68 bytes, no ID mappings). */
static inline uint32_t iort_smmuv3(struct tb *t, uint64_t base, uint32_t flags, uint32_t gsiv0)
{
	uint32_t n = iort_node(t, 4, 0, 0);
	tb_put(t, base, 8);
	tb_put(t, flags, 4);
	tb_put(t, 0, 4);
	tb_put(t, 0, 8); /* VATOS */
	tb_put(t, 0, 4); /* model */
	for (uint32_t i = 0; i < 4; i++)
		tb_put(t, gsiv0 + i, 4);
	tb_put(t, 0, 4); /* proximity domain */
	tb_put(t, 0, 4); /* DeviceID mapping index */
	iort_end_node(t, n);
	return n;
}
/* SMMUv1/v2 node with a global interrupt array and no context interrupts. */
static inline uint32_t iort_smmuv2(struct tb *t, uint64_t base, uint64_t span, uint32_t flags)
{
	uint32_t n = iort_node(t, 3, 0, 0);
	tb_put(t, base, 8);
	tb_put(t, span, 8);
	tb_put(t, 3, 4); /* model: MMU-500 */
	tb_put(t, flags, 4);
	tb_put(t, 60, 4); /* global interrupt array */
	tb_put(t, 0, 4);
	tb_put(t, 76, 4);
	tb_put(t, 0, 4);
	tb_put(t, 76, 4);
	tb_put(t, 65, 4); /* NSgIrpt */
	tb_put(t, 0, 4);
	tb_put(t, 66, 4); /* NSgCfgIrpt */
	tb_put(t, 0, 4);
	iort_end_node(t, n);
	return n;
}
/* Root complex node with @nmaps mappings that follow (call iort_map, then iort_end_node). */
static inline uint32_t iort_rc(struct tb *t, uint32_t seg, uint32_t nmaps)
{
	uint32_t n = iort_node(t, 2, nmaps, 36);
	tb_put(t, 1, 4); /* cache coherent */
	tb_put(t, 0, 4); /* hints, reserved, flags */
	tb_put(t, 1, 4); /* ATS */
	tb_put(t, seg, 4);
	tb_put(t, 48, 1); /* memory address size limit */
	tb_put(t, 0, 3);
	return n;
}
/* Named component with @nmaps mappings that follow. */
static inline uint32_t iort_named(struct tb *t, const char *name, uint32_t nmaps)
{
	uint32_t nl = (uint32_t)strlen(name) + 1;
	uint32_t pad = (4 - ((29 + nl) & 3)) & 3;
	uint32_t n = iort_node(t, 1, nmaps, 29 + nl + pad);
	tb_put(t, 0, 4);
	tb_put(t, 0, 8);
	tb_put(t, 48, 1);
	tb_bytes(t, name, nl);
	for (uint32_t i = 0; i < pad; i++)
		tb_put(t, 0, 1);
	return n;
}
/* ITS group with one ITS. */
static inline uint32_t iort_its(struct tb *t)
{
	uint32_t n = iort_node(t, 0, 0, 0);
	tb_put(t, 1, 4);
	tb_put(t, 0, 4);
	iort_end_node(t, n);
	return n;
}

/* ---- DMAR ---- */
static inline void dmar_begin(struct tb *t)
{
	tb_header(t, "DMAR", 1);
	tb_put(t, 47, 1); /* host address width - 1 */
	tb_put(t, 1, 1);  /* flags: INTR_REMAP */
	tb_put(t, 0, 10);
}
/* Remapping structure header; fix the length with dmar_end(). */
static inline uint32_t dmar_struct(struct tb *t, uint16_t type)
{
	uint32_t at = tb_put(t, type, 2);
	tb_put(t, 0, 2);
	return at;
}
static inline void dmar_end(struct tb *t, uint32_t s)
{
	tb_set(t, s + 2, t->len - s, 2);
}
static inline uint32_t dmar_drhd(struct tb *t, uint8_t flags, uint16_t seg, uint64_t base)
{
	uint32_t s = dmar_struct(t, 0);
	tb_put(t, flags, 1);
	tb_put(t, 0, 1);
	tb_put(t, seg, 2);
	tb_put(t, base, 8);
	return s;
}
static inline uint32_t dmar_rmrr(struct tb *t, uint16_t seg, uint64_t base, uint64_t limit)
{
	uint32_t s = dmar_struct(t, 1);
	tb_put(t, 0, 2);
	tb_put(t, seg, 2);
	tb_put(t, base, 8);
	tb_put(t, limit, 8);
	return s;
}
static inline uint32_t dmar_atsr(struct tb *t, uint8_t flags, uint16_t seg)
{
	uint32_t s = dmar_struct(t, 2);
	tb_put(t, flags, 1);
	tb_put(t, 0, 1);
	tb_put(t, seg, 2);
	return s;
}
/* Device scope: type, enumeration ID, start bus, then @steps (dev, fn) pairs. */
static inline void dmar_scope_id(struct tb *t, uint8_t type, uint8_t enum_id, uint8_t bus,
				 unsigned steps, const uint8_t *path)
{
	tb_put(t, type, 1);
	tb_put(t, 6 + 2 * steps, 1);
	tb_put(t, 0, 2);
	tb_put(t, enum_id, 1);
	tb_put(t, bus, 1);
	for (unsigned i = 0; i < 2 * steps; i++)
		tb_put(t, path[i], 1);
}
/* Device scope with enumeration ID 0. */
static inline void dmar_scope(struct tb *t, uint8_t type, uint8_t bus, unsigned steps,
			      const uint8_t *path)
{
	dmar_scope_id(t, type, 0, bus, steps, path);
}

#endif /* ACPI_BUILD_H */
