/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A guest driver on a paravirtual IOMMU: the same iomm_ calls a driver
 * makes on bare hardware, carried to a virtio-iommu device as requests.
 *
 * The device here is a deliberately tiny in-process model reached through
 * the loopback transport (it accepts every request and prints it); a real
 * guest passes the transport of iomm_viommu_pci_init() instead, and a
 * hypervisor can plug its own device model into the same loopback hooks.
 * The program checks its own results and exits non-zero on any surprise.
 */
#include <stdio.h>
#include <string.h>

#include <iommuman/iommuman.h>
#include <iommuman/paravirt.h>

/* ---- the tiny device ---- */
struct tiny_dev {
	uint8_t cfg[IOMM_VIOMMU_CFG_SIZE];
	unsigned requests;
};

static size_t tiny_handle(void *dev, const void *req, size_t len, void *resp, size_t cap)
{
	struct tiny_dev *d = dev;
	const uint8_t *r = req;
	static const char *const names[] = {"?", "ATTACH", "DETACH", "MAP", "UNMAP", "PROBE"};
	d->requests++;
	printf("  device: %-6s (%zu bytes)", names[r[0] <= 5 ? r[0] : 0], len);
	if (r[0] == IOMM_VIOMMU_T_MAP)
		printf(" domain %u iova 0x%llx-0x%llx -> 0x%llx flags %u",
		       (unsigned)iomm_get_le32(r + IOMM_VIOMMU_MAP_DOMAIN),
		       (unsigned long long)iomm_get_le64(r + IOMM_VIOMMU_MAP_VIRT_START),
		       (unsigned long long)iomm_get_le64(r + IOMM_VIOMMU_MAP_VIRT_END),
		       (unsigned long long)iomm_get_le64(r + IOMM_VIOMMU_MAP_PHYS_START),
		       (unsigned)iomm_get_le32(r + IOMM_VIOMMU_MAP_FLAGS));
	printf("\n");
	memset(resp, 0, cap); /* no probe properties; status S_OK in the tail */
	return cap;
}

static size_t tiny_config(void *dev, void *buf, size_t cap)
{
	struct tiny_dev *d = dev;
	memcpy(buf, d->cfg, cap < sizeof(d->cfg) ? cap : sizeof(d->cfg));
	return sizeof(d->cfg);
}

static void logline(void *ctx, enum iomm_log_level level, const char *msg)
{
	(void)ctx;
	(void)level;
	printf("  log: %s\n", msg);
}

#define EXPECT(c)                                                                                  \
	do {                                                                                       \
		if (!(c)) {                                                                        \
			fprintf(stderr, "guest_driver: %s failed (line %d)\n", #c, __LINE__);      \
			return 1;                                                                  \
		}                                                                                  \
	} while (0)

int main(void)
{
	struct tiny_dev dev = {0};
	iomm_put_le64(dev.cfg + IOMM_VIOMMU_CFG_PAGE_SIZE_MASK, 0xfffffffffffff000ull);
	iomm_put_le64(dev.cfg + IOMM_VIOMMU_CFG_INPUT_END, (1ull << 48) - 1);
	iomm_put_le32(dev.cfg + IOMM_VIOMMU_CFG_DOMAIN_END, 0xffff);
	iomm_put_le32(dev.cfg + IOMM_VIOMMU_CFG_PROBE_SIZE, 64);

	static const struct iomm_port port = {.log = logline, .log_level = IOMM_LOG_INFO};
	struct iomm_viommu_loopback lb;
	const struct iomm_viommu_loopback_dev hooks = {
	    .dev = &dev, .handle = tiny_handle, .config = tiny_config};
	const struct iomm_viommu_transport *t = iomm_viommu_loopback_init(&lb, &hooks);
	EXPECT(t != NULL);

	static struct iomm_paravirt pv;
	EXPECT(iomm_paravirt_init(&pv, &port, t, NULL) == IOMM_OK);
	printf("unit %s: caps 0x%x, page sizes 0x%llx, %u-bit IOVAs\n", pv.unit.name,
	       (unsigned)pv.unit.caps, (unsigned long long)pv.unit.page_sizes, pv.unit.ias);

	/* From here on: exactly the calls a driver makes on an SMMU or VT-d. */
	struct iomm_domain dom = {0};
	struct iomm_domain_cfg dc = {.type = IOMM_DOMAIN_S1};
	struct iomm_dev nic;
	EXPECT(iomm_domain_init(&dom, &pv.unit, &dc) == IOMM_OK);
	EXPECT(iomm_dev_init(&nic, &pv.unit, &IOMM_PCI(0, 2, 0)) == IOMM_OK);
	EXPECT(iomm_attach(&dom, &nic) == IOMM_OK);
	EXPECT(iomm_map(&dom, 0x100000, 0x80000000, 0x4000, IOMM_READ | IOMM_WRITE) == IOMM_OK);
	EXPECT(iomm_map(&dom, 0x200000, 0x90000000, 0x1000, IOMM_READ) == IOMM_OK);
	EXPECT(iomm_map(&dom, 0x100800, 0x80000000, 0x1000, IOMM_READ) == IOMM_EINVAL);
	uint64_t unmapped = 0;
	EXPECT(iomm_unmap(&dom, 0x100000, 0x4000, &unmapped) == IOMM_OK && unmapped == 0x4000);
	EXPECT(iomm_detach(&nic) == IOMM_OK);
	EXPECT(iomm_domain_destroy(&dom) == IOMM_OK);
	EXPECT(dev.requests == 6); /* PROBE, ATTACH, MAP, MAP, UNMAP, DETACH */
	printf("guest_driver: OK (%u requests)\n", dev.requests);
	return 0;
}
