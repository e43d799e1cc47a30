/* SPDX-License-Identifier: BSD-3-Clause */
/* Static configuration: a board's policy validated completely, then applied
 * through the backend-neutral API, undone on any failure. */
#include "iomm_internal.h"

#include <iommuman/config.h>

#define CFG_PAGE UINT64_C(4096)

static int fail(struct iomm_config_error *err, int status, enum iomm_config_kind kind,
		uint32_t index, uint32_t sub, const char *msg)
{
	if (err) {
		err->kind = kind;
		err->index = index;
		err->sub = sub;
		err->status = status;
		err->msg = msg;
	}
	return status;
}

static bool board_arrays_ok(const struct iomm_board *b)
{
	return (b->units || !b->nunits) && (b->devices || !b->ndevices) && (b->resv || !b->nresv);
}

/* A page-aligned, non-empty range that does not wrap. */
static bool range_ok(uint64_t base, uint64_t size)
{
	return size && !(base & (CFG_PAGE - 1)) && !(size & (CFG_PAGE - 1)) && base + size - 1 >= base;
}

static bool ranges_overlap(uint64_t a, uint64_t as, uint64_t b, uint64_t bs)
{
	return a <= b + (bs - 1) && b <= a + (as - 1);
}

static bool prot_ok(uint32_t prot)
{
	return (prot & (IOMM_READ | IOMM_WRITE)) && !(prot & ~IOMM_PROT_ALL);
}

/* Whether reserved region r covers device d (same unit, identities overlap).
 * Both identities must already be known to resolve. */
static bool resv_matches(const struct iomm_cfg_resv *r, const struct iomm_cfg_device *d)
{
	uint32_t rs, rm, ds, dm;
	if (r->unit != d->unit || iomm_devid_resolve(&r->id, &rs, &rm) ||
	    iomm_devid_resolve(&d->id, &ds, &dm))
		return false;
	return iomm_sids_overlap(rs, rm, ds, dm);
}

static bool has_resv(const struct iomm_board *b, const struct iomm_cfg_device *d)
{
	for (uint32_t r = 0; r < b->nresv; r++)
		if (resv_matches(&b->resv[r], d))
			return true;
	return false;
}

/* A device gets a domain of its own when confined, or when blocked but
 * firmware says it needs identity mappings. */
static bool own_domain(const struct iomm_board *b, const struct iomm_cfg_device *d)
{
	return d->policy == IOMM_POLICY_CONFINED ||
	       (d->policy == IOMM_POLICY_BLOCKED && has_resv(b, d));
}

static bool unit_has_bypass(const struct iomm_board *b, uint32_t unit)
{
	for (uint32_t i = 0; i < b->ndevices; i++)
		if (b->devices[i].unit == unit && b->devices[i].policy == IOMM_POLICY_BYPASS)
			return true;
	return false;
}

int iomm_config_needs(const struct iomm_board *board, struct iomm_config_needs *needs)
{
	if (!board || !needs || !board_arrays_ok(board))
		return IOMM_REFUSE(NULL, IOMM_EINVAL, "board, needs: NULL, or counts without arrays");
	struct iomm_config_needs n = {0};
	for (uint32_t u = 0; u < board->nunits; u++)
		if (unit_has_bypass(board, u))
			n.domains++;
	for (uint32_t i = 0; i < board->ndevices; i++) {
		if (own_domain(board, &board->devices[i])) {
			n.domains++;
			n.tables++;
		}
	}
	n.devices = board->ndevices;
	*needs = n;
	return IOMM_OK;
}

/* ---- validation ---------------------------------------------------------- */

static int check_units(const struct iomm_board *b, struct iomm_config_error *err)
{
	for (uint32_t i = 0; i < b->nunits; i++) {
		const struct iomm_cfg_unit *u = &b->units[i];
		if (u->type < IOMM_UNIT_SMMUV3 || u->type > IOMM_UNIT_RISCV)
			return fail(err, IOMM_EINVAL, IOMM_CFG_UNIT, i, 0, "unknown unit type");
		if (!u->base && u->type != IOMM_UNIT_PARAVIRT && u->type != IOMM_UNIT_RISCV)
			return fail(err, IOMM_EINVAL, IOMM_CFG_UNIT, i, 0,
				    "unit without a register base");
		if (u->size && u->base + u->size - 1 < u->base)
			return fail(err, IOMM_EINVAL, IOMM_CFG_UNIT, i, 0,
				    "unit register frame wraps");
		if (u->nirqs > IOMM_CFG_UNIT_IRQS)
			return fail(err, IOMM_EINVAL, IOMM_CFG_UNIT, i, 0, "too many interrupts");
		if (!u->base)
			continue;
		for (uint32_t j = 0; j < i; j++) {
			const struct iomm_cfg_unit *o = &b->units[j];
			if (o->base && ranges_overlap(u->base, u->size ? u->size : 1, o->base,
						      o->size ? o->size : 1))
				return fail(err, IOMM_EBUSY, IOMM_CFG_UNIT, i, 0,
					    "unit register frame overlaps another unit");
		}
	}
	return IOMM_OK;
}

static int check_regions(const struct iomm_cfg_device *d, uint32_t i,
			 struct iomm_config_error *err)
{
	for (uint32_t r = 0; r < d->nregions; r++) {
		const struct iomm_cfg_region *g = &d->regions[r];
		if (!range_ok(g->iova, g->size) || !range_ok(g->pa, g->size))
			return fail(err, IOMM_EINVAL, IOMM_CFG_REGION, i, r,
				    "region empty, unaligned or wrapping");
		if (!prot_ok(g->prot))
			return fail(err, IOMM_EINVAL, IOMM_CFG_REGION, i, r,
				    "region permissions lack read and write or have unknown bits");
		for (uint32_t q = 0; q < r; q++)
			if (ranges_overlap(g->iova, g->size, d->regions[q].iova, d->regions[q].size))
				return fail(err, IOMM_EBUSY, IOMM_CFG_REGION, i, r,
					    "region overlaps another region of the device");
	}
	return IOMM_OK;
}

static int check_device_caps(const struct iomm_cfg_device *d, uint32_t i,
			     const struct iomm_unit *unit, uint32_t sid, uint32_t mask,
			     bool translated, struct iomm_config_error *err)
{
	if (!unit)
		return IOMM_OK;
	if (unit->sid_bits < 32 && ((sid | mask) >> unit->sid_bits))
		return fail(err, IOMM_ERANGE, IOMM_CFG_DEVICE, i, 0,
			    "identity wider than the unit's stream IDs");
	if (d->policy == IOMM_POLICY_BYPASS && !(unit->caps & IOMM_CAP_BYPASS))
		return fail(err, IOMM_ENOTSUP, IOMM_CFG_DEVICE, i, 0,
			    "bypass on a unit without bypass support");
	if (translated && !(unit->caps & (IOMM_CAP_S1 | IOMM_CAP_S2)))
		return fail(err, IOMM_ENOTSUP, IOMM_CFG_DEVICE, i, 0,
			    "unit cannot translate (no stage 1 or stage 2)");
	return IOMM_OK;
}

static int check_devices(const struct iomm_board *b, const struct iomm_config_storage *st,
			 struct iomm_config_error *err)
{
	for (uint32_t i = 0; i < b->ndevices; i++) {
		const struct iomm_cfg_device *d = &b->devices[i];
		uint32_t sid, mask;
		if (d->unit >= b->nunits)
			return fail(err, IOMM_EINVAL, IOMM_CFG_DEVICE, i, 0,
				    "device names an unknown unit");
		if (iomm_devid_resolve(&d->id, &sid, &mask))
			return fail(err, IOMM_EINVAL, IOMM_CFG_DEVICE, i, 0, "malformed identity");
		if (d->policy != IOMM_POLICY_BLOCKED && d->policy != IOMM_POLICY_CONFINED &&
		    d->policy != IOMM_POLICY_BYPASS)
			return fail(err, IOMM_EINVAL, IOMM_CFG_DEVICE, i, 0, "unknown policy");
		if (d->policy == IOMM_POLICY_CONFINED && (!d->nregions || !d->regions))
			return fail(err, IOMM_EINVAL, IOMM_CFG_DEVICE, i, 0,
				    "confined device without regions");
		if (d->policy != IOMM_POLICY_CONFINED && d->nregions)
			return fail(err, IOMM_EINVAL, IOMM_CFG_DEVICE, i, 0,
				    "regions on a device that is not confined");
		if (d->mmio_size && d->mmio_base + d->mmio_size - 1 < d->mmio_base)
			return fail(err, IOMM_EINVAL, IOMM_CFG_DEVICE, i, 0, "MMIO window wraps");
		int rc = check_regions(d, i, err);
		if (rc)
			return rc;
		for (uint32_t j = 0; j < i; j++) {
			const struct iomm_cfg_device *o = &b->devices[j];
			uint32_t os, om;
			(void)iomm_devid_resolve(&o->id, &os, &om); /* checked at j */
			if (o->unit == d->unit && iomm_sids_overlap(sid, mask, os, om))
				return fail(err, IOMM_EBUSY, IOMM_CFG_DEVICE, i, 0,
					    "identity overlaps another device on the same unit");
			if (d->mmio_size && o->mmio_size &&
			    ranges_overlap(d->mmio_base, d->mmio_size, o->mmio_base, o->mmio_size))
				return fail(err, IOMM_EBUSY, IOMM_CFG_DEVICE, i, 0,
					    "MMIO window overlaps another device");
		}
		rc = check_device_caps(d, i, st ? st->units[d->unit] : NULL, sid, mask,
				       own_domain(b, d), err);
		if (rc)
			return rc;
	}
	return IOMM_OK;
}

static int check_resv_against(const struct iomm_board *b, const struct iomm_cfg_resv *r,
			      uint32_t i, const struct iomm_cfg_device *d)
{
	(void)i;
	for (uint32_t g = 0; g < d->nregions; g++)
		if (ranges_overlap(r->base, r->size, d->regions[g].iova, d->regions[g].size))
			return 1;
	for (uint32_t o = 0; o < i; o++)
		if (resv_matches(&b->resv[o], d) &&
		    ranges_overlap(r->base, r->size, b->resv[o].base, b->resv[o].size))
			return 2;
	return 0;
}

static int check_resv(const struct iomm_board *b, struct iomm_config_error *err)
{
	for (uint32_t i = 0; i < b->nresv; i++) {
		const struct iomm_cfg_resv *r = &b->resv[i];
		uint32_t sid, mask;
		if (r->unit >= b->nunits)
			return fail(err, IOMM_EINVAL, IOMM_CFG_RESV, i, 0,
				    "reserved region names an unknown unit");
		if (iomm_devid_resolve(&r->id, &sid, &mask))
			return fail(err, IOMM_EINVAL, IOMM_CFG_RESV, i, 0,
				    "reserved region has a malformed identity");
		if (!range_ok(r->base, r->size))
			return fail(err, IOMM_EINVAL, IOMM_CFG_RESV, i, 0,
				    "reserved region empty, unaligned or wrapping");
		if (r->prot && !prot_ok(r->prot))
			return fail(err, IOMM_EINVAL, IOMM_CFG_RESV, i, 0,
				    "reserved region permissions lack read and write or have unknown bits");
		bool matched = false;
		for (uint32_t d = 0; d < b->ndevices; d++) {
			if (!resv_matches(r, &b->devices[d]))
				continue;
			matched = true;
			int why = check_resv_against(b, r, i, &b->devices[d]);
			if (why == 1)
				return fail(err, IOMM_EBUSY, IOMM_CFG_RESV, i, 0,
					    "reserved region overlaps a region of its device");
			if (why == 2)
				return fail(err, IOMM_EBUSY, IOMM_CFG_RESV, i, 0,
					    "reserved region overlaps another reserved region of its device");
		}
		if (!matched)
			return fail(err, IOMM_EINVAL, IOMM_CFG_RESV, i, 0,
				    "reserved region matches no device");
	}
	return IOMM_OK;
}

/* Whether firmware lets @u walk coherently. It describes that for the Arm
 * SMMUs (IORT, DT dma-coherent) and RISC-V IOMMUs that are platform devices
 * (DT); a VT-d unit reports it in ECAP.C, a PCI-function unit follows its
 * host bridge and a paravirtual one has no walks, so for those the flag is
 * not read. */
static bool fw_coherent(const struct iomm_cfg_unit *u)
{
	bool described = u->type == IOMM_UNIT_SMMUV3 || u->type == IOMM_UNIT_SMMUV2 ||
			 (u->type == IOMM_UNIT_RISCV && u->base);
	return !described || (u->flags & IOMM_CFG_UNIT_COHERENT);
}

static int check_binding(const struct iomm_board *b, const struct iomm_config_storage *st,
			 struct iomm_config_error *err)
{
	if (st->nunits != b->nunits || (b->nunits && !st->units))
		return fail(err, IOMM_EINVAL, IOMM_CFG_STORAGE, 0, 0,
			    "bound units do not match the board's units");
	for (uint32_t u = 0; u < st->nunits; u++) {
		if (!st->units[u] || !st->units[u]->ops)
			return fail(err, IOMM_EINVAL, IOMM_CFG_UNIT, u, 0,
				    "board unit is not bound to an initialised unit");
		if (!fw_coherent(&b->units[u]) && (st->units[u]->caps & IOMM_CAP_COHERENT))
			return fail(err, IOMM_EINVAL, IOMM_CFG_UNIT, u, 0,
				    "not coherent (no IOMM_CFG_UNIT_COHERENT) but its port has "
				    "IOMM_PORT_DMA_COHERENT: give the unit a port without it");
	}
	return IOMM_OK;
}

/* After the devices were checked: their unit indices are valid. */
static int check_space(const struct iomm_board *b, const struct iomm_config_storage *st,
		       struct iomm_config_error *err)
{
	struct iomm_config_needs n;
	(void)iomm_config_needs(b, &n); /* arrays checked by the caller */
	if (st->ndomains < n.domains || (n.domains && !st->domains))
		return fail(err, IOMM_ENOSPC, IOMM_CFG_STORAGE, 0, 0, "too few domain objects");
	if (st->ndevs < n.devices || (n.devices && !st->devs))
		return fail(err, IOMM_ENOSPC, IOMM_CFG_STORAGE, 0, 0, "too few device objects");
	for (uint32_t i = 0; i < b->ndevices && !st->pool; i++)
		if (own_domain(b, &b->devices[i]) &&
		    !(st->units[b->devices[i].unit]->caps & IOMM_CAP_REMOTE))
			return fail(err, IOMM_EINVAL, IOMM_CFG_STORAGE, 0, 0,
				    "no table pool for the domains that need tables");
	return IOMM_OK;
}

/* The port of the first bound unit: where a refusal is logged. */
static const struct iomm_port *storage_port(const struct iomm_config_storage *st)
{
	return st && st->nunits && st->units && st->units[0] ? st->units[0]->port : NULL;
}

/* A refused board: the first wrong entry is logged as the error record names it. */
static int refuse_board(const struct iomm_config_storage *st, const char *func,
			const struct iomm_config_error *err, int rc)
{
	(void)err; /* unused when the texts are left out */
	return IOMM_REFUSE_AS(storage_port(st), rc, func, err->msg ? err->msg : "");
}

static int validate(const struct iomm_board *board, const struct iomm_config_storage *st,
		    struct iomm_config_error *err);

int iomm_config_validate(const struct iomm_board *board, const struct iomm_config_storage *st,
			 struct iomm_config_error *err)
{
	struct iomm_config_error local = {0};
	if (!err)
		err = &local;
	int rc = validate(board, st, err);
	return rc ? refuse_board(st, __func__, err, rc) : IOMM_OK;
}

static int validate(const struct iomm_board *board, const struct iomm_config_storage *st,
		    struct iomm_config_error *err)
{
	if (!board || !board_arrays_ok(board))
		return fail(err, IOMM_EINVAL, IOMM_CFG_BOARD, 0, 0,
			    "no board, or counts without arrays");
	int rc = st ? check_binding(board, st, err) : IOMM_OK;
	if (!rc)
		rc = check_units(board, err);
	if (!rc)
		rc = check_devices(board, st, err);
	if (!rc)
		rc = check_resv(board, err);
	if (!rc && st)
		rc = check_space(board, st, err);
	return rc;
}

/* ---- applying ------------------------------------------------------------- */

static uint32_t bypass_index(const struct iomm_board *b, uint32_t unit)
{
	uint32_t n = 0;
	for (uint32_t u = 0; u < unit; u++)
		if (unit_has_bypass(b, u))
			n++;
	return n;
}

static uint32_t own_index(const struct iomm_board *b, uint32_t dev)
{
	uint32_t n = bypass_index(b, b->nunits);
	for (uint32_t i = 0; i < dev; i++)
		if (own_domain(b, &b->devices[i]))
			n++;
	return n;
}

struct iomm_domain *iomm_config_domain(const struct iomm_board *board,
				       const struct iomm_config_storage *st, uint32_t index)
{
	if (!board || !st || !st->domains || !board_arrays_ok(board) || index >= board->ndevices)
		return NULL;
	const struct iomm_cfg_device *d = &board->devices[index];
	uint32_t k;
	if (d->policy == IOMM_POLICY_BYPASS)
		k = bypass_index(board, d->unit);
	else if (own_domain(board, d))
		k = own_index(board, index);
	else
		return NULL;
	return k < st->ndomains ? &st->domains[k] : NULL;
}

/* Fill one confined domain: the device's regions, then its reserved ones. */
static int fill_domain(const struct iomm_board *b, const struct iomm_cfg_device *d, uint32_t i,
		       struct iomm_domain *dom, struct iomm_config_error *err)
{
	for (uint32_t r = 0; r < d->nregions; r++) {
		const struct iomm_cfg_region *g = &d->regions[r];
		int rc = iomm_map(dom, g->iova, g->pa, g->size, g->prot);
		if (rc)
			return fail(err, rc, IOMM_CFG_REGION, i, r, "mapping a region failed");
	}
	for (uint32_t r = 0; r < b->nresv; r++) {
		const struct iomm_cfg_resv *v = &b->resv[r];
		if (!resv_matches(v, d))
			continue;
		uint32_t prot = v->prot ? v->prot : (IOMM_READ | IOMM_WRITE);
		int rc = iomm_map(dom, v->base, v->base, v->size, prot);
		if (rc)
			return fail(err, rc, IOMM_CFG_RESV, r, 0, "mapping a reserved region failed");
	}
	return IOMM_OK;
}

static int apply_all(const struct iomm_board *b, const struct iomm_config_storage *st,
		     struct iomm_config_error *err)
{
	for (uint32_t i = 0; i < b->ndevices; i++) {
		const struct iomm_cfg_device *d = &b->devices[i];
		int rc = iomm_dev_init(&st->devs[i], st->units[d->unit], &d->id);
		if (rc)
			return fail(err, rc, IOMM_CFG_DEVICE, i, 0, "device init failed");
	}
	for (uint32_t u = 0; u < b->nunits; u++) {
		if (!unit_has_bypass(b, u))
			continue;
		struct iomm_domain_cfg dc = {.type = IOMM_DOMAIN_BYPASS};
		int rc = iomm_domain_init(&st->domains[bypass_index(b, u)], st->units[u], &dc);
		if (rc)
			return fail(err, rc, IOMM_CFG_UNIT, u, 0, "creating the bypass domain failed");
	}
	for (uint32_t i = 0; i < b->ndevices; i++) {
		const struct iomm_cfg_device *d = &b->devices[i];
		struct iomm_unit *unit = st->units[d->unit];
		struct iomm_domain *dom = iomm_config_domain(b, st, i);
		if (!dom)
			continue;
		if (d->policy != IOMM_POLICY_BYPASS) {
			struct iomm_domain_cfg dc = {
			    .type = (unit->caps & IOMM_CAP_S1) ? IOMM_DOMAIN_S1 : IOMM_DOMAIN_S2,
			    .pool = st->pool,
			};
			int rc = iomm_domain_init(dom, unit, &dc);
			if (rc)
				return fail(err, rc, IOMM_CFG_DEVICE, i, 0, "creating a domain failed");
		}
		/* attach first: a paravirtual domain exists only once an endpoint is in
		 * it, and an empty domain still blocks everything */
		int rc = iomm_attach(dom, &st->devs[i]);
		if (rc)
			return fail(err, rc, IOMM_CFG_DEVICE, i, 0, "attaching the device failed");
		if (d->policy != IOMM_POLICY_BYPASS) {
			rc = fill_domain(b, d, i, dom, err);
			if (rc)
				return rc;
		}
	}
	return IOMM_OK;
}

int iomm_config_apply(const struct iomm_board *board, const struct iomm_config_storage *st,
		      struct iomm_config_error *err)
{
	struct iomm_config_error local = {0};
	if (!err)
		err = &local;
	if (!st)
		return fail(err, IOMM_EINVAL, IOMM_CFG_STORAGE, 0, 0, "no storage");
	int rc = validate(board, st, err);
	if (rc)
		return refuse_board(st, __func__, err, rc);
	struct iomm_config_needs n;
	(void)iomm_config_needs(board, &n);
	for (uint32_t k = 0; k < n.domains; k++)
		st->domains[k].unit = NULL; /* marks "not created" for the unwinding */
	for (uint32_t i = 0; i < board->ndevices; i++)
		st->devs[i].unit = NULL;
	err->msg = NULL; /* set again by whatever fails below */
	rc = apply_all(board, st, err);
	if (rc) {
		(void)iomm_config_remove(board, st);
		if (err->msg)
			iomm_log_str(storage_port(st), IOMM_LOG_DEBUG, err->msg);
	}
	return rc;
}

int iomm_config_remove(const struct iomm_board *board, const struct iomm_config_storage *st)
{
	if (!board || !st || !board_arrays_ok(board) || (board->ndevices && !st->devs) ||
	    st->ndevs < board->ndevices)
		return IOMM_REFUSE(storage_port(st), IOMM_EINVAL,
				   "board, st: NULL, or storage smaller than the board");
	int first = IOMM_OK;
	for (uint32_t i = board->ndevices; i-- > 0;) {
		struct iomm_dev *dev = &st->devs[i];
		if (dev->unit && dev->domain) {
			int rc = iomm_detach(dev);
			if (rc && !first)
				first = rc;
		}
	}
	struct iomm_config_needs n;
	(void)iomm_config_needs(board, &n);
	for (uint32_t k = n.domains; k-- > 0 && k < st->ndomains && st->domains;) {
		if (st->domains[k].unit) {
			int rc = iomm_domain_destroy(&st->domains[k]);
			if (rc && !first)
				first = rc;
		}
	}
	return first;
}
