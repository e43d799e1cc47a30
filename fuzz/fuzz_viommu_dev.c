/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_viommu_dev: the host role's virtual IOMMU (the virtio-iommu device model
 * of include/iommuman/vm.h) fed sequences of raw requests, on a VM whose
 * memory map A is fuzzed, with several endpoints assigned on one SMMUv3
 * (the register model of tools/models behind the POSIX port, as in
 * fuzz_smmuv3_cmds).
 *
 * Input: 8 configuration bytes (granule, policy, number of regions, offered
 * features, quotas, table-pool size, input and domain ranges, RESV_MEM
 * regions, page_size_mask, probe_size, number of endpoints, the platform's
 * MSI doorbell and where its window lies), 4 bytes per
 * region of A (gap before it, size, host address, permissions and memory
 * type), 2 per RESV_MEM region, then operations: ATTACH, DETACH, MAP,
 * UNMAP, PROBE (fields drawn near the interesting values or raw, request
 * and response lengths sometimes hostile, reserved bytes sometimes set),
 * raw request bytes, config.bypass writes, device reset, unassign and
 * re-assign, DMA through the model.
 *
 * The oracle keeps its own model of the guest-visible state (which guest
 * domains exist, which endpoint is attached where, the accepted MAPs) and
 * after EVERY request checks:
 *  - the status is one of those the documented rules allow for the
 *    request against that state (S_OK exactly when no rule refuses it;
 *    S_NOMEM for a valid request only when a quota or the table pool is
 *    spent, where an ATTACH moving a domain's only endpoint frees that
 *    domain's slot); S_DEVERR never (nothing fails underneath);
 *  - the used length and the response bytes (the tail where the
 *    specification's layout puts it, every other byte zero but PROBE's
 *    properties; tail reserved bytes zero;
 *    nothing written when the request cannot be answered; PROBE
 *    properties exactly the RESV_MEM regions);
 *  - every endpoint's tables (iomm_vm_walk()): each leaf lies in what the
 *    oracle expects that endpoint to reach (its guest domain's MAPs, each
 *    translated through A region by region, plus the MSI doorbells; A
 *    itself for a bypass domain or the confining policy; nothing when
 *    blocked; with a platform doorbell configured, its one page at its
 *    fixed IOVA, write-only device memory, in every case but blocked), with exactly the expected output address, access
 *    permissions (never wider than A's there) and memory type, and the
 *    leaves cover all of it; so nothing outside A is reachable, and a
 *    refused request changed no translation;
 *  - a refused request left the table pool's use unchanged (a MAP that
 *    fails part-way too);
 *  - the advertised input range lies within what the tables translate
 *    (one variant asks for [16 pages, 2^64 - 1]);
 *  - iomm_vm_audit() agrees, config.bypass reads back as written;
 *  - the doorbell rule: no guest mapping, in the oracle's books or the
 *    VM's, ever overlaps the doorbell window, a MAP over it is S_FAULT,
 *    PROBE reports exactly that window first;
 *  - DMA through the model for every endpoint, at the first and last byte
 *    of every piece it should reach and of every mapping that existed
 *    before the request (which the previous checks put in the model's
 *    TLB): the model's own table walk gives the expected address or the
 *    expected fault, so a missing invalidation shows as a stale
 *    translation;
 *  - the driver never provoked a command error or an error log line.
 *
 * One operation makes the SMMU stop consuming commands during the next one
 * (it comes back afterwards). From then on the guest-visible state is no
 * longer predicted exactly (a failed request may leave a device blocked);
 * the checks become: statuses in range, every leaf of every endpoint and
 * every successful DMA inside A with no wider permissions, iomm_vm_audit(),
 * no error log line except for the stalled request, and a clean teardown.
 *
 * Files: this one (setup, teardown, entry point), viommu_dev_oracle.c
 * (memory, expectations, checks), viommu_dev_ops.c (operations) and
 * viommu_dev_fx.h (what they share).
 */
#include "viommu_dev_fx.h"

bool tracing;

/* ---- setup ---- */

static bool setup(struct st *s, struct fz *in)
{
	uint8_t c[8];
	for (unsigned i = 0; i < 8; i++)
		c[i] = fz_u8(in);

	smmu_world_up(s);

	/* c0: granule, policy, regions, features */
	static const uint32_t grans[4] = {4096, 4096, 16384, 65536};
	s->granule = grans[c[0] & 3];
	uint64_t G = s->granule;
	size_t nregions = 1u + ((c[0] >> 3) & 3u);
	s->features = 0; /* the defaults */
	if (c[0] & 0x20) {
		/* a fuzzed subset of the defaults (c4) */
		s->features = (uint64_t)(c[4] & 0x77u) | (1ull << IOMM_VIOMMU_F_VERSION_1);
	}
	/* c1: quotas and pool */
	size_t ndomains = c[1] % 5u;
	size_t nmappings = (c[1] >> 3) & 15u;
	s->pool_pages = (c[1] & 0x80) ? 4u + (c[5] & 15u) : 64u;
	/* c2: ranges, resv, page_size_mask, probe_size */
	size_t nresv = (c[2] >> 4) & 3u;
	if (nresv > MAX_RESV)
		nresv = MAX_RESV;
	/* c3: endpoints */
	s->nep = 2u + (c[3] & 3u) % 3u;

	uint8_t *pm = alloc(s, (s->pool_pages + 1) * G, G);
	if (!pm)
		return false;
	FZ_CHECK(iomm_pool_init(&s->pool, iomm_posix_port(&s->px), pm, (s->pool_pages + 1) * G,
				pa_of(s, pm), G) == IOMM_OK,
		 "pool init");

	/* regions of A: 4 bytes each */
	uint64_t cursor = (uint64_t)(c[6] & 15u) * G * 16;
	for (size_t i = 0; i < nregions; i++) {
		uint8_t gap = fz_u8(in), sz = fz_u8(in), h = fz_u8(in), pr = fz_u8(in);
		struct iomm_vm_region *r = &s->regions[i];
		uint64_t size = (sz & 0x80) ? (uint64_t)(1 + (sz & 1)) * (G * (G / 8))
					    : (uint64_t)(1 + (sz & 31)) * G;
		cursor += (uint64_t)(gap & 7) * G;
		if (gap & 8)
			cursor = (cursor + G * (G / 8) - 1) & ~(G * (G / 8) - 1); /* block aligned */
		r->gpa = cursor;
		r->size = size;
		r->hpa = UINT64_C(0x8000000000) + (uint64_t)h * (UINT64_C(1) << 30) +
			 (uint64_t)(gap >> 4) * G;
		static const uint32_t acc[4] = {IOMM_READ, IOMM_READ | IOMM_WRITE, IOMM_WRITE,
						IOMM_READ | IOMM_WRITE};
		static const uint32_t mem[4] = {IOMM_MEM_WB, IOMM_MEM_NC, IOMM_MEM_DEVICE,
						IOMM_MEM_WB};
		r->prot = acc[pr & 3] | mem[(pr >> 2) & 3];
		cursor += size;
	}
	for (size_t i = 0; i < nresv; i++) {
		uint8_t a = fz_u8(in), b = fz_u8(in);
		struct iomm_vm_resv *rv = &s->resv[i];
		if (a & 1) {
			/* an MSI doorbell in a region of A */
			const struct iomm_vm_region *r = &s->regions[(a >> 1) % nregions];
			rv->subtype = IOMM_VIOMMU_RESV_T_MSI;
			rv->start = r->gpa + (uint64_t)(b % (r->size / G)) * G;
			rv->end = rv->start + ((a & 0x80) ? G / 2 : G) - 1;
		} else {
			rv->subtype = (a & 2) ? IOMM_VIOMMU_RESV_T_MSI : IOMM_VIOMMU_RESV_T_RESERVED;
			rv->start = UINT64_C(0x8000000) + (uint64_t)b * G;
			rv->end = rv->start + (uint64_t)(1 + ((a >> 2) & 15)) * G - 1;
		}
	}

	/* c3 bit 5: the platform's MSI doorbell (an ITS GITS_TRANSLATER), its
	 * window right after A (bit 6) or among the RESV_MEM regions */
	s->db = (c[3] & 0x20) != 0;
	s->db_pa = UINT64_C(0x08090040) + (uint64_t)(c[7] >> 4) * UINT64_C(0x20000);
	s->db_iova = (c[3] & 0x40) ? cursor : UINT64_C(0x8000000) + (uint64_t)(c[6] >> 4) * G;
	if (s->db)
		TRACE("doorbell 0x%llx at IOVA 0x%llx\n", FZ_ULL(s->db_pa), FZ_ULL(s->db_iova));
	for (size_t i = 0; i < nregions; i++)
		TRACE("region %zu: gpa 0x%llx hpa 0x%llx size 0x%llx prot 0x%x\n", i,
		      FZ_ULL(s->regions[i].gpa), FZ_ULL(s->regions[i].hpa), FZ_ULL(s->regions[i].size),
		      s->regions[i].prot);
	for (size_t i = 0; i < nresv; i++)
		TRACE("resv %zu: 0x%llx..0x%llx subtype %u\n", i, FZ_ULL(s->resv[i].start),
		      FZ_ULL(s->resv[i].end), s->resv[i].subtype);
	memset(&s->cfg, 0, sizeof(s->cfg));
	s->cfg.regions = s->regions;
	s->cfg.nregions = nregions;
	s->cfg.pool = &s->pool;
	s->cfg.endpoints = s->eps;
	s->cfg.nendpoints = MAX_EPS;
	s->cfg.domains = s->doms;
	s->cfg.ndomains = ndomains;
	s->cfg.mappings = s->maps;
	s->cfg.nmappings = nmappings;
	s->cfg.events = s->evs;
	s->cfg.nevents = 2;
	s->cfg.resv = s->resv;
	s->cfg.nresv = nresv;
	s->cfg.features = s->features;
	switch (c[2] & 3) {
	case 1:
		s->cfg.input_start = 0x100000u;
		s->cfg.input_end = 0xffffffffu;
		break;
	case 2:
		s->cfg.input_start = G * 4;
		s->cfg.input_end = G * 64 - 1;
		break;
	case 3:
		/* wider than any table: narrowed at the first assignment */
		s->cfg.input_start = G * 16;
		s->cfg.input_end = UINT64_MAX;
		break;
	default:
		break;
	}
	switch ((c[2] >> 2) & 3) {
	case 1:
		s->cfg.domain_start = 1;
		s->cfg.domain_end = 5;
		break;
	case 2:
		s->cfg.domain_start = 3;
		s->cfg.domain_end = 3;
		break;
	default:
		break;
	}
	if (c[2] & 0x40)
		s->cfg.page_size_mask = (G << 1) | (G * (G / 8));
	if (c[2] & 0x80)
		s->cfg.probe_size = 48u + (c[7] & 0x0fu) * 8u;
	s->cfg.policy = (c[0] & 4) ? IOMM_VM_CONFINE : IOMM_VM_BLOCK;
	if (s->db) {
		s->cfg.doorbell.pa = s->db_pa;
		s->cfg.doorbell.iova = s->db_iova;
	}
	int rc = iomm_vm_init(&s->vm, &s->cfg);
	/* only a RESV_MEM list (with the doorbell's region) longer than
	 * probe_size, overlapping RESV_MEM regions, or a doorbell window
	 * outside the input range or over A or a RESV_MEM region is refused */
	size_t nprops = nresv + (s->db ? 1u : 0u);
	bool bad = nprops * IOMM_VIOMMU_RESV_SIZE > (s->cfg.probe_size ? s->cfg.probe_size : 512u);
	if (nresv == 2 && s->resv[0].start <= s->resv[1].end && s->resv[1].start <= s->resv[0].end)
		bad = true;
	if (s->db) {
		uint64_t in0 = s->cfg.input_start, in1 = s->cfg.input_end;
		if (!in0 && !in1)
			in1 = (UINT64_C(1) << 40) - 1;
		uint64_t db1 = s->db_iova + (G - 1);
		if (s->db_iova < in0 || db1 > in1)
			bad = true;
		for (size_t i = 0; i < nregions; i++)
			if (s->db_iova <= s->regions[i].gpa + (s->regions[i].size - 1) &&
			    s->regions[i].gpa <= db1)
				bad = true;
		for (size_t i = 0; i < nresv; i++)
			if (s->db_iova <= s->resv[i].end && s->resv[i].start <= db1)
				bad = true;
	}
	if (rc) {
		FZ_CHECK(rc == IOMM_EINVAL && bad, "vm init: %d", rc);
		return false;
	}
	FZ_CHECK(!bad, "vm init accepted a configuration it must refuse");
	s->vm_up = true;

	/* endpoints: IDs 1, 3, 5, 7 (or shifted), streams 0x10 apart */
	for (unsigned i = 0; i < s->nep; i++) {
		struct sh_ep *ep = &s->ep[i];
		ep->id = 1u + 2u * i + ((c[3] & 0x80) ? 0x100u : 0u);
		ep->sid = 0x10u * (i + 1u) + ((c[3] >> 2) & 7u);
		ep->dom = -1;
		struct iomm_devid id = IOMM_SID(ep->sid);
		size_t pool_before = iomm_pool_used(&s->pool);
		rc = iomm_vm_assign(&s->vm, &s->smmu.unit, &id, ep->id);
		if (rc == IOMM_ENOMEM && i == 0) {
			FZ_CHECK(iomm_pool_used(&s->pool) == pool_before, "assign failed, pool grew");
			return false; /* A does not fit the pool */
		}
		FZ_CHECK(rc == IOMM_OK, "assign %u: %d", ep->id, rc);
		ep->assigned = true;
	}

	/* what the device advertises (after the first assignment, which
	 * narrows the input range to what the unit translates) */
	s->features = iomm_viommu_dev_features(&s->vm);
	uint8_t cb[IOMM_VIOMMU_CFG_SIZE];
	FZ_CHECK(iomm_viommu_dev_config(&s->vm, cb, sizeof(cb)) == IOMM_OK, "config");
	s->psmask = iomm_get_le64(cb + IOMM_VIOMMU_CFG_PAGE_SIZE_MASK);
	s->in_start = iomm_get_le64(cb + IOMM_VIOMMU_CFG_INPUT_START);
	s->in_end = iomm_get_le64(cb + IOMM_VIOMMU_CFG_INPUT_END);
	s->dom_start = iomm_get_le32(cb + IOMM_VIOMMU_CFG_DOMAIN_START);
	s->dom_end = iomm_get_le32(cb + IOMM_VIOMMU_CFG_DOMAIN_END);
	s->probe_size = iomm_get_le32(cb + IOMM_VIOMMU_CFG_PROBE_SIZE);
	s->bypass = cb[IOMM_VIOMMU_CFG_BYPASS];
	FZ_CHECK(s->bypass == ((c[0] & 4) ? 1u : 0u), "initial config.bypass");
	FZ_CHECK((s->psmask & (~s->psmask + 1)) >= G, "page_size_mask 0x%llx finer than the granule",
		 FZ_ULL(s->psmask));
	/* the advertised range is one the tables translate */
	uint64_t last = (UINT64_C(1) << s->vm.units[0].a_dom.pgt.cfg.ias) - 1;
	FZ_CHECK(s->in_start <= s->in_end && s->in_end <= last,
		 "input range 0x%llx..0x%llx beyond the tables (0x%llx)", FZ_ULL(s->in_start),
		 FZ_ULL(s->in_end), FZ_ULL(last));
	s->op = 0;
	check_all(s);
	return true;
}

static void teardown(struct st *s)
{
	if (s->model_up && s->stalled) {
		s->model.cfg.stall_cmdq = false; /* the input ended on a stall */
		smmuv3_model_process(&s->model);
	}
	if (s->vm_up) {
		int rc = iomm_vm_destroy(&s->vm);
		FZ_CHECK(rc == IOMM_OK, "vm destroy: %d", rc);
		/* after a stall, tables whose teardown was never confirmed stay held */
		FZ_CHECK(s->degraded || iomm_pool_used(&s->pool) == 0, "the VM left %zu table pages",
			 iomm_pool_used(&s->pool));
		hygiene(s);
	}
	if (s->smmu_up)
		FZ_CHECK(iomm_smmuv3_disable(&s->smmu) == IOMM_OK, "disable");
	if (s->model_up)
		smmuv3_model_fini(&s->model);
	if (s->px_up)
		iomm_posix_fini(&s->px);
	free(s->arena);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct st s;
	memset(&s, 0, sizeof(s));
	tracing = getenv("FUZZ_TRACE") != NULL;
	struct fz in = {data, size};
	if (size < 8)
		return 0;
	if (!setup(&s, &in)) {
		teardown(&s);
		return 0;
	}
	for (s.op = 1; fz_more(&in) && s.op <= MAX_OPS; s.op++) {
		uint8_t op = fz_u8(&in);
		note_old(&s);
		if (op == 0xff) {
			/* the next operation runs with the SMMU stalled */
			s.stalled = true;
			s.degraded = true;
			s.model.cfg.stall_cmdq = true;
			continue;
		}
		switch (op % 16) {
		case 0:
		case 1:
		case 2:
		case 14:
			op_map(&s, &in);
			break;
		case 3:
		case 4:
			op_unmap(&s, &in);
			break;
		case 5:
		case 6:
			op_attach(&s, &in);
			break;
		case 7:
			op_detach(&s, &in);
			break;
		case 8:
			op_probe(&s, &in);
			break;
		case 9:
			op_raw(&s, &in);
			break;
		case 10:
			op_set_bypass(&s, &in);
			break;
		case 11:
			op_reset(&s);
			break;
		case 12:
			op_reassign(&s, &in);
			break;
		default:
			op_dma(&s, &in);
			break;
		}
		if (s.stalled) {
			s.model.cfg.stall_cmdq = false;
			smmuv3_model_process(&s.model);
			s.stalled = false;
		}
		check_all(&s);
	}
	teardown(&s);
	return 0;
}
