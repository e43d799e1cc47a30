/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * iomm_bench: page-table map/unmap/lookup cost, per call.
 *
 *   iomm_bench [--iters N] [--reps R] [--variant coherent|noncoherent|both]
 *              [--no-contig] [--format lpae|vtd|x86] [--json FILE]
 *       Time every operation (R repetitions of N calls each, after one
 *       warm-up repetition), print a table and optionally write JSON.
 *
 *   iomm_bench --op NAME [--iters N] [--variant coherent|noncoherent] [--no-contig]
 *       Run exactly N measured calls of one operation, once, with no
 *       warm-up: for `valgrind --tool=callgrind --toggle-collect=bench_loop_NAME`.
 *
 *   iomm_bench --list
 *       One line per operation: name, reference instructions, reference ns
 *       (low, high), default iterations. Used by scripts/bench.sh.
 *
 * Configuration: Arm LPAE stage 1 (or, with --format, VT-d second stage or
 * x86-64 paging; the Linux reference figures are for LPAE only), 4 KiB
 * granule, 48-bit input (47 for x86-64) and output addresses, tables from a 64 MiB region pool, no lock hooks. "coherent"
 * sets IOMM_PORT_DMA_COHERENT; "noncoherent" does not, so the library calls the
 * port's clean_tables hook, here an out-of-line function that does nothing.
 * Unmap figures include iomm_gather_init() and iomm_pgt_gather_release().
 */
#define _POSIX_C_SOURCE 200809L

#include "bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_REPS 101

enum { V_COHERENT = 1, V_NONCOHERENT = 2 };

struct result {
	bool done;
	double median;
	double min;
};

static void usage(FILE *out)
{
	fputs("usage: iomm_bench [--iters N] [--reps R] [--variant coherent|noncoherent|both]\n"
	      "                  [--no-contig] [--format lpae|vtd|x86] [--json FILE]\n"
	      "       iomm_bench --op NAME [--iters N] [--variant coherent|noncoherent] [--no-contig]\n"
	      "       iomm_bench --list\n"
	      "operations:",
	      out);
	for (size_t i = 0; i < bench_nops; i++)
		fprintf(out, " %s", bench_ops[i].name);
	fputc('\n', out);
}

static const struct bench_op *find_op(const char *name)
{
	for (size_t i = 0; i < bench_nops; i++)
		if (strcmp(bench_ops[i].name, name) == 0)
			return &bench_ops[i];
	return NULL;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static void cpu_model(char *buf, size_t len)
{
	FILE *fp = fopen("/proc/cpuinfo", "r");
	char line[512];

	snprintf(buf, len, "unknown");
	if (fp == NULL)
		return;
	while (fgets(line, sizeof(line), fp) != NULL) {
		if (strncmp(line, "model name", 10) == 0) {
			char *p = strchr(line, ':');
			if (p != NULL) {
				p++;
				while (*p == ' ' || *p == '\t')
					p++;
				p[strcspn(p, "\n")] = '\0';
				snprintf(buf, len, "%s", p);
			}
			break;
		}
	}
	fclose(fp);
}

/* One open-run-close cycle; returns ns per call or a negative value. */
static double run_once(const struct bench_op *op, struct bench_fixture *f, uint64_t iters)
{
	if (bench_fixture_open(f) != IOMM_OK)
		return -1;
	double ns = op->run(f, iters);
	bench_fixture_close(f);
	if (ns < 0)
		return -1;
	return ns / (double)iters;
}

static int measure(const struct bench_op *op, struct bench_fixture *f, uint64_t iters,
		   unsigned reps, struct result *r)
{
	double v[MAX_REPS];

	if (run_once(op, f, iters) < 0) /* warm-up */
		return -1;
	for (unsigned i = 0; i < reps; i++) {
		v[i] = run_once(op, f, iters);
		if (v[i] < 0)
			return -1;
	}
	qsort(v, reps, sizeof(v[0]), cmp_double);
	r->done = true;
	r->min = v[0];
	r->median = (reps & 1u) ? v[reps / 2] : (v[reps / 2 - 1] + v[reps / 2]) / 2;
	return 0;
}

static void print_json_str(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', out);
		if ((unsigned char)*s >= 0x20)
			fputc(*s, out);
	}
	fputc('"', out);
}

static int write_json(const char *path, const char *model, long ncpu, unsigned reps,
		      uint64_t iters_override, bool no_contig, struct result (*res)[2])
{
	FILE *out = strcmp(path, "-") == 0 ? stdout : fopen(path, "w");

	if (out == NULL) {
		perror(path);
		return -1;
	}
	fputs("{\n  \"machine\": {\"cpu\": ", out);
	print_json_str(out, model);
	fprintf(out, ", \"cpus\": %ld},\n", ncpu);
	fprintf(out,
		"  \"config\": {\"format\": \"arm-lpae-s1\", \"granule\": 4096, \"ias\": 48, "
		"\"oas\": 48, \"pool_bytes\": %llu, \"contig_hint\": %s, \"reps\": %u, "
		"\"unmap_includes_gather_release\": true},\n",
		(unsigned long long)BENCH_POOL_BYTES, no_contig ? "false" : "true", reps);
	fputs("  \"results\": [", out);
	bool first = true;
	for (size_t i = 0; i < bench_nops; i++) {
		const struct bench_op *op = &bench_ops[i];
		uint64_t iters = iters_override ? iters_override : op->default_iters;
		for (int v = 0; v < 2; v++) {
			const struct result *r = &res[i][v];
			if (!r->done)
				continue;
			fprintf(out, "%s\n    {\"op\": \"%s\", \"variant\": \"%s\", \"iters\": %llu, "
				     "\"ns_per_call_median\": %.2f, \"ns_per_call_min\": %.2f",
				first ? "" : ",", op->name, v == 0 ? "coherent" : "noncoherent",
				(unsigned long long)iters, r->median, r->min);
			if (op->ref_instr != 0)
				fprintf(out,
					", \"ref_instr\": %u, \"ref_ns_lo\": %.1f, \"ref_ns_hi\": %.1f",
					op->ref_instr, op->ref_ns_lo, op->ref_ns_hi);
			fputc('}', out);
			first = false;
		}
	}
	fputs("\n  ]\n}\n", out);
	if (out != stdout)
		fclose(out);
	return 0;
}

static void print_cell(const struct result *r)
{
	if (r->done)
		printf(" %9.1f %9.1f", r->median, r->min);
	else
		printf(" %9s %9s", "-", "-");
}

int main(int argc, char **argv)
{
	uint64_t iters = 0;
	unsigned reps = 7;
	int variants = V_COHERENT | V_NONCOHERENT;
	bool variant_given = false, no_contig = false;
	const char *json = NULL;
	const struct bench_op *only = NULL;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--iters") == 0 && val != NULL) {
			iters = strtoull(val, NULL, 0);
			i++;
		} else if (strcmp(a, "--reps") == 0 && val != NULL) {
			reps = (unsigned)strtoul(val, NULL, 0);
			i++;
		} else if (strcmp(a, "--variant") == 0 && val != NULL) {
			variant_given = true;
			if (strcmp(val, "coherent") == 0)
				variants = V_COHERENT;
			else if (strcmp(val, "noncoherent") == 0)
				variants = V_NONCOHERENT;
			else if (strcmp(val, "both") == 0)
				variants = V_COHERENT | V_NONCOHERENT;
			else {
				usage(stderr);
				return 2;
			}
			i++;
		} else if (strcmp(a, "--no-contig") == 0) {
			no_contig = true;
		} else if (strcmp(a, "--format") == 0 && val != NULL) {
			if (strcmp(val, "lpae") == 0)
				bench_format = IOMM_FMT_ARM_LPAE_S1;
			else if (strcmp(val, "vtd") == 0)
				bench_format = IOMM_FMT_VTD_SL;
			else if (strcmp(val, "x86") == 0)
				bench_format = IOMM_FMT_X86_FL;
			else {
				usage(stderr);
				return 2;
			}
			i++;
		} else if (strcmp(a, "--json") == 0 && val != NULL) {
			json = val;
			i++;
		} else if (strcmp(a, "--op") == 0 && val != NULL) {
			only = find_op(val);
			if (only == NULL) {
				fprintf(stderr, "iomm_bench: unknown operation '%s'\n", val);
				usage(stderr);
				return 2;
			}
			i++;
		} else if (strcmp(a, "--list") == 0) {
			for (size_t k = 0; k < bench_nops; k++)
				printf("%s\t%u\t%.1f\t%.1f\t%llu\n", bench_ops[k].name,
				       bench_ops[k].ref_instr, bench_ops[k].ref_ns_lo,
				       bench_ops[k].ref_ns_hi,
				       (unsigned long long)bench_ops[k].default_iters);
			return 0;
		} else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			usage(stdout);
			return 0;
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (reps == 0 || reps > MAX_REPS) {
		fprintf(stderr, "iomm_bench: --reps must be 1..%d\n", MAX_REPS);
		return 2;
	}

	if (only != NULL) {
		/* Instruction-count mode: one variant, one run, no warm-up. */
		static struct bench_fixture f;
		bool coherent = !variant_given || (variants & V_COHERENT) != 0;
		uint64_t n = iters ? iters : only->default_iters;
		if (variant_given && variants == (V_COHERENT | V_NONCOHERENT)) {
			fprintf(stderr, "iomm_bench: --op takes one variant\n");
			return 2;
		}
		if (bench_fixture_init(&f, coherent, no_contig) != IOMM_OK) {
			fprintf(stderr, "iomm_bench: out of memory\n");
			return 1;
		}
		double ns = run_once(only, &f, n);
		uint64_t cleans = bench_clean_calls();
		bench_fixture_fini(&f);
		if (ns < 0)
			return 1;
		printf("%s %s iters=%llu ns_per_call=%.2f clean_calls=%llu\n", only->name,
		       coherent ? "coherent" : "noncoherent", (unsigned long long)n, ns,
		       (unsigned long long)cleans);
		return 0;
	}

	char model[256];
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	cpu_model(model, sizeof(model));

	static struct result res[64][2];
	if (bench_nops > 64)
		return 1;

	printf("iommuman page-table benchmark: %s, 4 KiB granule, ias %u, oas 48%s\n",
	       bench_format == IOMM_FMT_VTD_SL	 ? "VT-d second stage"
	       : bench_format == IOMM_FMT_X86_FL ? "x86-64 paging"
						 : "Arm LPAE stage 1",
	       bench_format == IOMM_FMT_X86_FL ? 47u : 48u, no_contig ? ", no contiguous hint" : "");
	printf("machine: %s, %ld CPU%s; %u repetitions after one warm-up; ns per call\n", model,
	       ncpu, ncpu == 1 ? "" : "s", reps);
	printf("unmap figures include iomm_gather_init() + iomm_pgt_gather_release()\n\n");
	printf("%-16s %19s %19s %15s\n", "", "coherent", "non-coherent", "Linux ref");
	printf("%-16s %9s %9s %9s %9s %15s\n", "operation", "median", "min", "median", "min",
	       "ns/call");

	for (size_t i = 0; i < bench_nops; i++) {
		const struct bench_op *op = &bench_ops[i];
		uint64_t n = iters ? iters : op->default_iters;
		for (int v = 0; v < 2; v++) {
			static struct bench_fixture f;
			if ((variants & (v == 0 ? V_COHERENT : V_NONCOHERENT)) == 0)
				continue;
			if (bench_fixture_init(&f, v == 0, no_contig) != IOMM_OK) {
				fprintf(stderr, "iomm_bench: out of memory\n");
				return 1;
			}
			int rc = measure(op, &f, n, reps, &res[i][v]);
			bench_fixture_fini(&f);
			if (rc != 0) {
				fprintf(stderr, "iomm_bench: %s failed\n", op->name);
				return 1;
			}
		}
		printf("%-16s", op->label);
		print_cell(&res[i][0]);
		print_cell(&res[i][1]);
		if (op->ref_instr == 0)
			printf(" %15s\n", "-");
		else if (op->ref_ns_lo == op->ref_ns_hi)
			printf(" %15.1f\n", op->ref_ns_lo);
		else {
			char range[32];
			snprintf(range, sizeof(range), "%.0f-%.0f", op->ref_ns_lo, op->ref_ns_hi);
			printf(" %15s\n", range);
		}
		fflush(stdout);
	}

	if (json != NULL && write_json(json, model, ncpu, reps, iters, no_contig, res) != 0)
		return 1;
	return 0;
}
