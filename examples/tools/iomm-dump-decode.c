/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * iomm-dump, continued: decoding of SMMUv3 STEs and CDs and of VT-d context
 * and PASID entries. See iomm-dump.c.
 */
#include "iomm-dump.h"

/* ---- ste / cd --------------------------------------------------------------------- */

static uint64_t field(uint64_t w, unsigned hi, unsigned lo)
{
	uint64_t v = w >> lo;
	return hi - lo >= 63 ? v : v & ((UINT64_C(1) << (hi - lo + 1)) - 1);
}

static void pf(const char *name, uint64_t v, const char *meaning)
{
	if (meaning && *meaning)
		printf("  %-14s 0x%" PRIx64 " (%s)\n", name, v, meaning);
	else
		printf("  %-14s 0x%" PRIx64 "\n", name, v);
}

static const char *cache_name(uint64_t v)
{
	static const char *const n[4] = {"non-cacheable", "write-back allocate", "write-through",
					 "write-back no-allocate"};
	return n[v & 3];
}

static const char *sh_name(uint64_t v)
{
	static const char *const n[4] = {"non-shareable", "reserved", "outer shareable",
					 "inner shareable"};
	return n[v & 3];
}

static unsigned ps_bits(uint64_t ps)
{
	static const unsigned b[8] = {32, 36, 40, 42, 44, 48, 52, 56};
	return b[ps & 7];
}

static unsigned tg_granule(uint64_t tg, bool *ok)
{
	*ok = tg != 3;
	return tg == 0 ? 4096 : tg == 1 ? 65536 : tg == 2 ? 16384 : 0;
}

static void decode_ste(const uint64_t w[8])
{
	static const char *const cfgs[8] = {"abort",
					    "reserved",
					    "reserved",
					    "reserved",
					    "bypass",
					    "stage 1 translate, stage 2 bypass",
					    "stage 1 bypass, stage 2 translate",
					    "stage 1 and stage 2 translate"};
	static const char *const fmts[4] = {"linear", "2-level, 4K L2 tables",
					    "2-level, 64K L2 tables", "reserved"};
	static const char *const dss[4] = {"terminate", "bypass", "substream 0", "reserved"};
	static const char *const strw[4] = {"NS-EL1", "reserved", "EL2", "EL3"};
	static const char *const eats[4] = {"ATS abort", "ATS full", "ATS split", "reserved"};
	static const char *const shcfg[4] = {"non-shareable", "use incoming", "outer shareable",
					     "inner shareable"};
	static const char *const privcfg[4] = {"use incoming", "reserved", "unprivileged",
					       "privileged"};
	static const char *const instcfg[4] = {"use incoming", "reserved", "data", "instruction"};
	char buf[64];

	uint64_t v = field(w[0], 0, 0), config = field(w[0], 3, 1);
	printf("STE (stream table entry):\n");
	pf("V", v, v ? "valid" : "invalid: the stream is not configured (C_BAD_STE)");
	pf("Config", config, cfgs[config]);
	pf("S1Fmt", field(w[0], 5, 4), fmts[field(w[0], 5, 4)]);
	pf("S1ContextPtr", w[0] & UINT64_C(0x00ffffffffffffc0), "address of the CD or CD table");
	snprintf(buf, sizeof(buf), "%u context descriptors", 1u << (unsigned)field(w[0], 63, 59));
	pf("S1CDMax", field(w[0], 63, 59), field(w[0], 63, 59) ? buf : "one CD, no substreams");
	pf("S1DSS", field(w[1], 1, 0), dss[field(w[1], 1, 0)]);
	pf("S1CIR", field(w[1], 3, 2), cache_name(field(w[1], 3, 2)));
	pf("S1COR", field(w[1], 5, 4), cache_name(field(w[1], 5, 4)));
	pf("S1CSH", field(w[1], 7, 6), sh_name(field(w[1], 7, 6)));
	pf("DRE", field(w[1], 12, 12), "");
	pf("CONT", field(w[1], 16, 13), "");
	pf("DCP", field(w[1], 17, 17), "");
	pf("PPAR", field(w[1], 18, 18), "");
	pf("MEV", field(w[1], 19, 19), "merge events");
	pf("S1STALLD", field(w[1], 27, 27), "");
	pf("EATS", field(w[1], 29, 28), eats[field(w[1], 29, 28)]);
	pf("STRW", field(w[1], 31, 30), strw[field(w[1], 31, 30)]);
	pf("MemAttr", field(w[1], 35, 32), "");
	pf("MTCFG", field(w[1], 36, 36), "");
	pf("ALLOCCFG", field(w[1], 40, 37), "");
	pf("SHCFG", field(w[1], 45, 44), shcfg[field(w[1], 45, 44)]);
	pf("NSCFG", field(w[1], 47, 46), "");
	pf("PRIVCFG", field(w[1], 49, 48), privcfg[field(w[1], 49, 48)]);
	pf("INSTCFG", field(w[1], 51, 50), instcfg[field(w[1], 51, 50)]);
	pf("S2VMID", field(w[2], 15, 0), "");
	uint64_t t0sz = field(w[2], 37, 32);
	snprintf(buf, sizeof(buf), "IPA size %u bits", 64u - (unsigned)t0sz);
	pf("S2T0SZ", t0sz, buf);
	pf("S2SL0", field(w[2], 39, 38), "");
	pf("S2IR0", field(w[2], 41, 40), cache_name(field(w[2], 41, 40)));
	pf("S2OR0", field(w[2], 43, 42), cache_name(field(w[2], 43, 42)));
	pf("S2SH0", field(w[2], 45, 44), sh_name(field(w[2], 45, 44)));
	bool gok;
	unsigned gran = tg_granule(field(w[2], 47, 46), &gok);
	snprintf(buf, sizeof(buf), "%uK granule", gran >> 10);
	pf("S2TG", field(w[2], 47, 46), gok ? buf : "reserved");
	snprintf(buf, sizeof(buf), "%u-bit output", ps_bits(field(w[2], 50, 48)));
	pf("S2PS", field(w[2], 50, 48), buf);
	pf("S2AA64", field(w[2], 51, 51),
	   field(w[2], 51, 51) ? "VMSAv8-64 tables" : "VMSAv8-32 tables");
	pf("S2ENDI", field(w[2], 52, 52), field(w[2], 52, 52) ? "big-endian" : "little-endian");
	pf("S2AFFD", field(w[2], 53, 53), "");
	pf("S2PTW", field(w[2], 54, 54), "");
	pf("S2HD", field(w[2], 55, 55), "");
	pf("S2HA", field(w[2], 56, 56), "");
	pf("S2S", field(w[2], 57, 57), "stall");
	pf("S2R", field(w[2], 58, 58), "record faults");
	pf("S2TTB", w[3] & UINT64_C(0x00fffffffffffff0), "stage 2 root table");
	for (unsigned i = 4; i < 8; i++) {
		snprintf(buf, sizeof(buf), "word%u", i);
		pf(buf, w[i], "");
	}
	if (v && (config == 6 || config == 7) && gok) {
		unsigned g = aw_granule_shift(gran);
		uint64_t sl0 = field(w[2], 39, 38);
		int level = aw_s2_sl0_level(gran, (unsigned)sl0);
		printf(
		    "stage 2 tables: %s pgt --format s2 --granule %uk --ias %u --oas %u --sl0 %u "
		    "--root 0x%" PRIx64 " --image FILE --base PA\n",
		    prog, gran >> 10, 64u - (unsigned)t0sz, ps_bits(field(w[2], 50, 48)),
		    (unsigned)sl0, w[3] & UINT64_C(0x00fffffffffffff0));
		if (level < 0)
			printf("  (S2SL0 %u is reserved for the %uK granule)\n", (unsigned)sl0,
			       1u << (g - 10));
	}
	if (v && (config == 5 || config == 7))
		printf("context descriptor: %s cd --image FILE --base PA --at 0x%" PRIx64 "\n",
		       prog, w[0] & UINT64_C(0x00ffffffffffffc0));
}

static void decode_mair(uint64_t mair)
{
	for (unsigned i = 0; i < 8; i++) {
		unsigned a = (unsigned)(mair >> (8 * i)) & 0xffu;
		enum aw_mem mem;
		enum aw_devtype dev;
		static const char *const devn[4] = {"Device-nGnRnE", "Device-nGnRE", "Device-nGRE",
						    "Device-GRE"};
		const char *name = "reserved";
		if (aw_decode_mair_attr(a, &mem, &dev) == 0)
			name = mem == AW_MEM_WB	      ? "Normal write-back"
			       : mem == AW_MEM_NC     ? "Normal non-cacheable"
			       : mem == AW_MEM_DEVICE ? devn[dev & 3]
						      : "Normal (other cacheability)";
		printf("    Attr%u 0x%02x %s\n", i, a, name);
	}
}

static void decode_cd(const uint64_t w[8])
{
	static const char *const tg1[4] = {"reserved", "16K granule", "4K granule", "64K granule"};
	char buf[64];
	bool gok;
	uint64_t v = field(w[0], 31, 31);
	printf("CD (context descriptor):\n");
	snprintf(buf, sizeof(buf), "VA size %u bits", 64u - (unsigned)field(w[0], 5, 0));
	pf("T0SZ", field(w[0], 5, 0), buf);
	unsigned gran = tg_granule(field(w[0], 7, 6), &gok);
	snprintf(buf, sizeof(buf), "%uK granule", gran >> 10);
	pf("TG0", field(w[0], 7, 6), gok ? buf : "reserved");
	pf("IR0", field(w[0], 9, 8), cache_name(field(w[0], 9, 8)));
	pf("OR0", field(w[0], 11, 10), cache_name(field(w[0], 11, 10)));
	pf("SH0", field(w[0], 13, 12), sh_name(field(w[0], 13, 12)));
	pf("EPD0", field(w[0], 14, 14), field(w[0], 14, 14) ? "TTB0 walks disabled" : "");
	pf("ENDI", field(w[0], 15, 15), field(w[0], 15, 15) ? "big-endian" : "little-endian");
	pf("T1SZ", field(w[0], 21, 16), "");
	pf("TG1", field(w[0], 23, 22), tg1[field(w[0], 23, 22)]);
	pf("IR1", field(w[0], 25, 24), cache_name(field(w[0], 25, 24)));
	pf("OR1", field(w[0], 27, 26), cache_name(field(w[0], 27, 26)));
	pf("SH1", field(w[0], 29, 28), sh_name(field(w[0], 29, 28)));
	pf("EPD1", field(w[0], 30, 30), field(w[0], 30, 30) ? "TTB1 walks disabled" : "");
	pf("V", v, v ? "valid" : "invalid (C_BAD_CD)");
	snprintf(buf, sizeof(buf), "%u-bit intermediate/output size", ps_bits(field(w[0], 34, 32)));
	pf("IPS", field(w[0], 34, 32), buf);
	pf("AFFD", field(w[0], 35, 35), "");
	pf("WXN", field(w[0], 36, 36), "");
	pf("UWXN", field(w[0], 37, 37), "");
	pf("TBI0", field(w[0], 38, 38), "");
	pf("TBI1", field(w[0], 39, 39), "");
	pf("PAN", field(w[0], 40, 40), "");
	pf("AA64", field(w[0], 41, 41),
	   field(w[0], 41, 41) ? "VMSAv8-64 tables" : "VMSAv8-32 tables");
	pf("HD", field(w[0], 42, 42), "");
	pf("HA", field(w[0], 43, 43), "");
	pf("S", field(w[0], 44, 44), "stall");
	pf("R", field(w[0], 45, 45), "record faults");
	pf("A", field(w[0], 46, 46), field(w[0], 46, 46) ? "abort on fault" : "RAZ/WI on fault");
	pf("ASET", field(w[0], 47, 47), "");
	pf("ASID", field(w[0], 63, 48), "");
	pf("NSCFG0", field(w[1], 0, 0), "");
	pf("HAD0", field(w[1], 1, 1), "");
	pf("TTB0", w[1] & UINT64_C(0x00fffffffffffff0), "stage 1 root table");
	pf("NSCFG1", field(w[2], 0, 0), "");
	pf("HAD1", field(w[2], 1, 1), "");
	pf("TTB1", w[2] & UINT64_C(0x00fffffffffffff0), "");
	pf("MAIR", w[3], "");
	decode_mair(w[3]);
	pf("AMAIR", w[4], "");
	for (unsigned i = 5; i < 8; i++) {
		snprintf(buf, sizeof(buf), "word%u", i);
		pf(buf, w[i], "");
	}
	if (v && field(w[0], 41, 41) && gok)
		printf("stage 1 tables: %s pgt --format s1 --granule %uk --ias %u --oas %u --mair "
		       "0x%" PRIx64 " --root 0x%" PRIx64 " --image FILE --base PA\n",
		       prog, gran >> 10, 64u - (unsigned)field(w[0], 5, 0),
		       ps_bits(field(w[0], 34, 32)), w[3], w[1] & UINT64_C(0x00fffffffffffff0));
}

/* ---- VT-d context and PASID entries (VT-d 9.3, 9.4, 9.6) -------------------------- */

static unsigned vtd_aw_levels(uint64_t aw)
{
	return aw == 1 ? 3u : aw == 2 ? 4u : aw == 3 ? 5u : 0u;
}

static const char *vtd_aw_name(uint64_t aw)
{
	return aw == 1	 ? "39-bit AGAW, 3 levels"
	       : aw == 2 ? "48-bit AGAW, 4 levels"
	       : aw == 3 ? "57-bit AGAW, 5 levels"
			 : "reserved";
}

static void decode_vtd_ctx(const uint64_t w[8])
{
	static const char *const tt[4] = {"second stage, untranslated requests only",
					  "second stage, device-TLB allowed", "pass-through",
					  "reserved"};
	uint64_t aw = field(w[1], 2, 0);
	printf("VT-d legacy context entry:\n");
	pf("P", field(w[0], 0, 0), field(w[0], 0, 0) ? "present" : "not present");
	pf("FPD", field(w[0], 1, 1), field(w[0], 1, 1) ? "fault processing disabled" : "");
	pf("TT", field(w[0], 3, 2), tt[field(w[0], 3, 2)]);
	pf("SLPTPTR", w[0] & ~UINT64_C(0xfff), "second-stage page table");
	pf("AW", aw, vtd_aw_name(aw));
	pf("DID", field(w[1], 23, 8), "domain id");
	uint64_t rsv0 = field(w[0], 11, 4),
		 rsv1 = w[1] & ~(UINT64_C(0xffff) << 8) & ~UINT64_C(0x7f);
	if (rsv0 || rsv1)
		printf("  reserved bits set: word0 0x%" PRIx64 " word1 0x%" PRIx64 "\n", rsv0 << 4,
		       rsv1);
	if (field(w[0], 0, 0) && field(w[0], 3, 2) < 2 && vtd_aw_levels(aw))
		printf("second-stage tables: %s pgt --format vtd --levels %u --ias %u --root "
		       "0x%" PRIx64 " --image FILE --base PA\n",
		       prog, vtd_aw_levels(aw), 12u + 9u * vtd_aw_levels(aw),
		       w[0] & ~UINT64_C(0xfff));
}

static void decode_vtd_smctx(const uint64_t w[8])
{
	uint64_t pdts = field(w[0], 11, 9);
	char buf[64];
	printf("VT-d scalable-mode context entry:\n");
	pf("P", field(w[0], 0, 0), field(w[0], 0, 0) ? "present" : "not present");
	pf("FPD", field(w[0], 1, 1), field(w[0], 1, 1) ? "fault processing disabled" : "");
	pf("DTE", field(w[0], 2, 2), field(w[0], 2, 2) ? "device-TLB enabled" : "");
	pf("PASIDE", field(w[0], 3, 3), field(w[0], 3, 3) ? "requests with PASID allowed" : "");
	pf("PRE", field(w[0], 4, 4), field(w[0], 4, 4) ? "page requests enabled" : "");
	snprintf(buf, sizeof(buf), "%" PRIu64 " directory entries", UINT64_C(1) << (pdts + 7));
	pf("PDTS", pdts, buf);
	pf("PASIDDIRPTR", w[0] & ~UINT64_C(0xfff), "PASID directory");
	pf("RID_PASID", field(w[1], 19, 0), "PASID of requests without PASID");
	pf("RID_PRIV", field(w[1], 20, 20), "");
	if (field(w[0], 8, 5) || (w[1] >> 21) || w[2] || w[3])
		printf("  reserved bits set: word0 0x%" PRIx64 " word1 0x%" PRIx64
		       " word2 0x%" PRIx64 " word3 0x%" PRIx64 "\n",
		       field(w[0], 8, 5) << 5, w[1] & ~UINT64_C(0x1fffff), w[2], w[3]);
}

static void decode_vtd_pasid(const uint64_t w[8])
{
	static const char *const pgtt[8] = {"reserved", "first stage only", "second stage only",
					    "nested",	"pass-through",	    "reserved",
					    "reserved", "reserved"};
	uint64_t aw = field(w[0], 4, 2), t = field(w[0], 8, 6), flpm = field(w[2], 3, 2);
	printf("VT-d scalable-mode PASID-table entry:\n");
	pf("P", field(w[0], 0, 0), field(w[0], 0, 0) ? "present" : "not present");
	pf("FPD", field(w[0], 1, 1), field(w[0], 1, 1) ? "fault processing disabled" : "");
	pf("AW", aw, vtd_aw_name(aw));
	pf("PGTT", t, pgtt[t]);
	pf("SSADE", field(w[0], 9, 9), field(w[0], 9, 9) ? "second-stage A/D enabled" : "");
	pf("SSPTPTR", w[0] & ~UINT64_C(0xfff), "second-stage page table");
	pf("DID", field(w[1], 15, 0), "domain id");
	pf("PWSNP", field(w[1], 23, 23), field(w[1], 23, 23) ? "page walks snoop" : "");
	pf("PGSNP", field(w[1], 24, 24), field(w[1], 24, 24) ? "page accesses snoop" : "");
	pf("CD", field(w[1], 25, 25), "");
	pf("EMTE", field(w[1], 26, 26), "");
	pf("EMT", field(w[1], 29, 27), "");
	pf("PWT", field(w[1], 30, 30), "");
	pf("PCD", field(w[1], 31, 31), "");
	pf("PAT", field(w[1], 63, 32), "");
	pf("SRE", field(w[2], 0, 0), field(w[2], 0, 0) ? "supervisor requests enabled" : "");
	pf("FSPM", flpm, flpm == 0 ? "4-level paging" : flpm == 1 ? "5-level paging" : "reserved");
	pf("WPE", field(w[2], 4, 4), field(w[2], 4, 4) ? "write protect enforced" : "");
	pf("EAFE", field(w[2], 7, 7), field(w[2], 7, 7) ? "extended accessed flag" : "");
	pf("FSPTPTR", w[2] & ~UINT64_C(0xfff), "first-stage page table");
	if (!field(w[0], 0, 0))
		return;
	if ((t == 2 || t == 3) && vtd_aw_levels(aw))
		printf("second-stage tables: %s pgt --format vtd --levels %u --ias %u --root "
		       "0x%" PRIx64 " --image FILE --base PA\n",
		       prog, vtd_aw_levels(aw), 12u + 9u * vtd_aw_levels(aw),
		       w[0] & ~UINT64_C(0xfff));
	if ((t == 1 || t == 3) && flpm < 2)
		printf(
		    "first-stage tables: %s pgt --format x86 --levels %u --ias %u --root 0x%" PRIx64
		    " --image FILE --base PA\n",
		    prog, flpm ? 5u : 4u, flpm ? 56u : 47u, w[2] & ~UINT64_C(0xfff));
}

int cmd_struct(enum structure kind, int argc, char **argv)
{
	static const unsigned nwords[] = {8, 8, 2, 4, 8};
	static const char *const names[] = {"STE", "CD", "VT-d context entry",
					    "VT-d scalable-mode context entry",
					    "VT-d PASID-table entry"};
	const unsigned maxw = nwords[kind];
	uint64_t w[8] = {0, 0, 0, 0, 0, 0, 0, 0};
	unsigned nw = 0;
	const char *image_path = NULL;
	struct image im = {NULL, 0, 0};
	uint64_t at = 0;
	bool have_at = false;
	for (int i = 0; i < argc; i++) {
		const char *o = argv[i];
		if (strcmp(o, "--image") == 0 || strcmp(o, "--base") == 0 ||
		    strcmp(o, "--at") == 0) {
			if (i + 1 >= argc)
				die_usage("%s needs a value", o);
			const char *v = argv[++i];
			if (strcmp(o, "--image") == 0)
				image_path = v;
			else if (strcmp(o, "--base") == 0)
				im.base = need_u64(o, v);
			else
				at = need_u64(o, v), have_at = true;
			continue;
		}
		if (strncmp(o, "--", 2) == 0)
			die_usage("unknown option: %s", o);
		/* words, possibly several per argument separated by commas */
		for (const char *p = o; *p;) {
			char tok[40];
			size_t n = strcspn(p, ", ");
			if (n >= sizeof(tok))
				die_usage("not a 64-bit hex word: %s", o);
			if (n) {
				memcpy(tok, p, n);
				tok[n] = '\0';
				if (nw == maxw)
					die_usage("%s", "too many words for this structure");
				w[nw++] = hex_word(tok);
			}
			p += n;
			p += strspn(p, ", ");
		}
	}
	if (image_path) {
		if (nw || !have_at)
			die_usage("%s", "with --image give --at (and no words)");
		image_load(&im, image_path);
		for (unsigned i = 0; i < maxw; i++) {
			if (image_read64(&im, at + 8u * i, &w[i]) != 0) {
				fprintf(stderr, "%s: 0x%" PRIx64 " is outside the image\n", prog,
					at + 8u * i);
				free(im.data);
				return 1;
			}
		}
		free(im.data);
		printf("# %s at 0x%" PRIx64 "\n", names[kind], at);
	} else if (!nw) {
		die_usage("%s", "give the words, or --image and --at");
	}
	printf("# words:");
	for (unsigned i = 0; i < maxw; i++)
		printf(" %016" PRIx64, w[i]);
	putchar('\n');
	switch (kind) {
	case S_STE:
		decode_ste(w);
		break;
	case S_CD:
		decode_cd(w);
		break;
	case S_VTD_CTX:
		decode_vtd_ctx(w);
		break;
	case S_VTD_SMCTX:
		decode_vtd_smctx(w);
		break;
	default:
		decode_vtd_pasid(w);
		break;
	}
	return 0;
}
