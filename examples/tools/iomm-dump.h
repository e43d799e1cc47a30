/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * iomm-dump.h: what the pieces of iomm-dump share (iomm-dump.c: options,
 * image, page-table walks, main; iomm-dump-decode.c: STE/CD and VT-d
 * structure decoding). See the comment in iomm-dump.c.
 */
#ifndef IOMM_DUMP_H
#define IOMM_DUMP_H

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arm_walker.h"
#include "x86_walker.h"

struct image {
	uint8_t *data;
	size_t size;
	uint64_t base;
};

enum structure { S_STE, S_CD, S_VTD_CTX, S_VTD_SMCTX, S_VTD_PASID };

/* ---- shared between the pieces ---- */

extern const char *prog;

void die_usage(const char *fmt, const char *arg);
uint64_t need_u64(const char *opt, const char *s);
uint64_t hex_word(const char *s);
void image_load(struct image *im, const char *path);
int image_read64(void *ctx, uint64_t pa, uint64_t *val);
int cmd_struct(enum structure kind, int argc, char **argv);

#endif
