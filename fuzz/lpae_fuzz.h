/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lpae_fuzz.h: what the pieces of the fuzz_lpae target share (fuzz_lpae.c,
 * lpae_fuzz_ops.c): leaf lists, the fuzzer state, walker leaves and the
 * functions one piece calls in the other.
 */
#ifndef LPAE_FUZZ_H
#define LPAE_FUZZ_H

#include <string.h>

#include <iommuman/iommuman.h>

#include "arm_walker.h"
#include "fuzz_common.h"
#include "shadow.h"
#include "x86_walker.h"
#include "rv_walker.h"

#define MAX_OPS	    256
#define CHECK_EVERY 32

/* ---- leaf lists ------------------------------------------------------------ */

struct leaf {
	uint64_t iova, pa, size;
	uint32_t prot; /* canonical */
	uint8_t level;
	bool contig;
};

struct leaves {
	struct leaf *v;
	size_t n, cap;
};

#define ST_VTD 3u /* "stage" of a VT-d second-stage table */
#define ST_X86 4u /* "stage" of an x86-64 first-stage table */
#define ST_RV1 5u /* "stage" of a RISC-V first-stage table (Sv39/48/57) */
#define ST_RVG 6u /* "stage" of a RISC-V G-stage table (Sv39x4/48x4/57x4) */

/* ---- state ------------------------------------------------------------------- */

struct st {
	struct iomm_port port;
	struct iomm_pool pool;
	struct iomm_pgt pgt;
	struct iomm_pgt_cfg cfg;
	struct iomm_lpae_regs regs;
	struct aw_walker w;
	struct xw_walker xw;
	struct rw_walker rw;
	bool x86;	     /* VT-d, x86-64 or RISC-V: levels end at 4, no Arm registers */
	bool rv;	     /* RISC-V: rw applies (x86 is set too); else xw */
	unsigned last;	     /* level of page entries: 3 (Arm) or 4 */
	unsigned start;	     /* level of the root */
	unsigned min_tables; /* table pages left after unmapping everything */
	struct shadow sh;
	struct iomm_gather g;
	bool pgt_live;
	unsigned stage, gshift, pa_range;
	uint64_t P;
	uint64_t allowed; /* leaf sizes the table may use */
	uint64_t in_top, out_top;
	uint8_t *mem;	/* the pool's memory, as the CPU sees it */
	uint8_t *image; /* non-coherent tables: the memory as the walker sees it */
	size_t mem_size;
	uint64_t mem_pa;
	size_t capacity;
	bool coherent;
	int depth;
	uint64_t budget; /* counting stops beyond this many pages */
	uint64_t replaced; /* map_need: table pages a block replaces (freed by the map) */
	uint64_t win_base, win_size, big;
	struct leaves a, b;
	unsigned long op;
};

/* A leaf from either walker. */
struct wleaf {
	uint64_t iova, oa, size;
	unsigned level;
	bool contig;
	uint32_t prot;
};

typedef int (*wleaf_fn)(void *arg, const struct wleaf *l);

/* ---- shared between the pieces ---- */

void leaves_push(struct leaves *l, const struct leaf *x);
void leaves_merge(struct leaves *l);
uint32_t canon_prot(uint32_t prot, unsigned stage);
uint64_t lsize(const struct st *s, unsigned level);
const char *w_err(const struct st *s);
int w_translate(struct st *s, uint64_t va, struct wleaf *out);
int w_walk(struct st *s, wleaf_fn fn, aw_table_fn table_fn, void *arg);
uint64_t free_pages(const struct st *s);
uint64_t map_need(struct st *s, unsigned level, bool exists, uint64_t iova, uint64_t pa,
		  uint64_t len);
uint64_t unmap_need(struct st *s, uint64_t iova, uint64_t end);
void full_check(struct st *s);
void do_unmap(struct st *s, uint64_t iova, uint64_t size, bool release);
void op_update(struct st *s, struct fz *in);
uint64_t blk(const struct st *s);
uint64_t group(const struct st *s, unsigned up);
void op_map(struct st *s, struct fz *in);
void op_unmap(struct st *s, struct fz *in);
void op_lookup(struct st *s, struct fz *in);
void op_edge(struct st *s, struct fz *in);

#endif
