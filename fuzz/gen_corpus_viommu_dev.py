#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Write the seed corpus of fuzz_viommu_dev (fuzz/corpus/fuzz_viommu_dev/).

Each seed is a valid, meaningful session for the device model, encoded the
way fuzz/fuzz_viommu_dev.c decodes its input: 8 configuration bytes, 4 bytes per
region of A, 2 per RESV_MEM region, then operations. Run it from anywhere:

    fuzz/gen_corpus_viommu_dev.py
"""
import os

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "fuzz_viommu_dev")

# operation codes (op byte % 16 in the target)
MAP, UNMAP, ATTACH, DETACH, PROBE, RAW, BYPASS, RESET, REASSIGN, DMA = 0, 3, 5, 7, 8, 9, 10, 11, 12, 13
STALL = b"\xff"  # the next operation runs with the SMMU's command queue stalled


def cfg(gran=0, confine=False, nregions=1, features=None, ndomains=4, nmappings=15,
        small_pool=None, input_var=0, domain_var=0, nresv=0, psmask=False, probe=None,
        neps=3, sid_off=0, ep_shift=False, start=0, doorbell=None):
    """The 8 configuration bytes."""
    c0 = gran | (4 if confine else 0) | ((nregions - 1) << 3) | (0x20 if features is not None else 0)
    # c1: ndomains = c1 % 5, nmappings = (c1 >> 3) & 15, bit 7: small pool
    c1 = None
    for low in range(8):
        v = (nmappings << 3) | low | (0x80 if small_pool is not None else 0)
        if v % 5 == ndomains:
            c1 = v
            break
    assert c1 is not None, (ndomains, nmappings)
    c2 = input_var | (domain_var << 2) | (nresv << 4) | (0x40 if psmask else 0) | (0x80 if probe is not None else 0)
    # c3 bit 5: a platform MSI doorbell; bit 6: its window right after A,
    # else at 0x8000000 + (c6 >> 4) granules (among the RESV_MEM regions)
    db = {None: 0, "after": 0x60, "resv": 0x20}[doorbell]
    c3 = (neps - 2) | (sid_off << 2) | db | (0x80 if ep_shift else 0)
    c4 = features if features is not None else 0
    c5 = small_pool if small_pool is not None else 0
    c6 = start
    c7 = probe if probe is not None else 0
    return bytes([c0, c1, c2, c3, c4, c5, c6, c7])


def region(gap=0, pages=8, block=False, hpa=0, access="rw", mem="wb", block_align=False):
    """4 bytes: gap (and block alignment), size, host slot, permissions."""
    g = gap | (8 if block_align else 0)
    sz = (0x80 | (pages - 1)) if block else (pages - 1)
    acc = {"r": 0, "rw": 1, "w": 2}[access]
    m = {"wb": 0, "nc": 1, "dev": 2}[mem]
    return bytes([g, sz, hpa, acc | (m << 2)])


def resv_msi(region_idx, page):
    return bytes([1 | (region_idx << 1), page])


def resv_reserved(page, npages=1):
    return bytes([((npages - 1) << 2), page])


def dom(i):
    return bytes([i & 7])


def ep(i, unknown=False):
    return bytes([i | (0x40 if unknown else 0)])


FULL = b"\x00"  # length byte: the layout's lengths


def iova_page(i):
    """gen_iova: input_start + i granules (i < 160)."""
    band, low = divmod(i, 32)
    return bytes([((band + 3) << 5) | low])


def size_pages(n):
    return bytes([n - 1])  # 1..16 granules


def gpa(region_idx, page):
    return bytes([region_idx, page & 0x3f])


def op_map(d, page, npages, reg, rpage, flags=3, length=FULL):
    return bytes([MAP]) + dom(d) + iova_page(page) + size_pages(npages) + gpa(reg, rpage) + bytes([flags]) + length


def op_unmap_at(d, page, npages, length=FULL):
    # k = 0 (generated range), then gen_iova, gen_size, reserved, length
    return bytes([UNMAP]) + dom(d) + b"\x00" + iova_page(page) + size_pages(npages) + b"\x00" + length


def op_unmap_all(d):
    # k = 1: virt_end = 2^64 - 1, from gen_iova
    return bytes([UNMAP]) + dom(d) + b"\x01" + iova_page(0) + b"\x00" + FULL


def op_attach(d, e, bypass=False, length=FULL):
    return bytes([ATTACH]) + dom(d) + ep(e) + bytes([1 if bypass else 0]) + b"\x00" + length


def op_detach(d, e, length=FULL):
    return bytes([DETACH]) + dom(d) + ep(e) + b"\x00" + length


def op_probe(e, z=0, length=FULL):
    return bytes([PROBE]) + ep(e) + b"\x00" + bytes([z]) + length


def op_raw(body, resp):
    return bytes([RAW, len(body)]) + body + bytes([resp])


def op_dma(e, reg, page, off=0):
    return bytes([DMA]) + ep(e) + gpa(reg, page) + bytes([off])


SEEDS = {
    # Two regions (read-write, read-only); attach, map into both, probe, unmap, detach.
    "4k_basic": cfg(nregions=2, neps=3)
    + region(pages=16) + region(gap=2, pages=4, hpa=1, access="r")
    + op_attach(1, 0) + op_map(1, 0, 4, 0, 2) + op_map(1, 8, 2, 1, 0, flags=1)
    + op_dma(0, 0, 2) + op_probe(1) + op_attach(1, 1) + op_unmap_at(1, 0, 4)
    + op_detach(1, 0) + op_detach(1, 1),
    # Confining policy, a bypass domain, config.bypass toggled, device reset.
    "4k_confine_bypass": cfg(confine=True, nregions=2, neps=4)
    + region(pages=8, mem="nc") + region(gap=0, pages=8, hpa=3)
    + op_dma(0, 0, 1) + op_attach(2, 0, bypass=True) + op_attach(3, 1) + op_map(3, 4, 8, 0, 4)
    + bytes([BYPASS, 0]) + op_dma(2, 1, 0) + bytes([BYPASS, 1]) + bytes([RESET])
    + op_attach(3, 2) + op_map(3, 0, 2, 1, 6),
    # 64K granule, an MSI doorbell in a device-memory region, a MAP across two adjacent regions.
    "64k_msi_span": cfg(gran=3, nregions=3, nresv=1, neps=2)
    + region(pages=4) + region(gap=0, pages=4, hpa=2) + region(gap=3, pages=1, hpa=5, mem="dev")
    + resv_msi(2, 0)
    + op_attach(4, 0) + op_map(4, 1, 6, 0, 1) + op_probe(0) + op_attach(4, 1)
    + bytes([REASSIGN, 0]) + bytes([REASSIGN, 0]) + op_attach(4, 0) + op_unmap_all(4),
    # Quotas: one guest domain, two mappings, a small table pool.
    "4k_quota": cfg(nregions=1, ndomains=1, nmappings=2, small_pool=12, neps=2)
    + region(pages=32)
    + op_attach(1, 0) + op_attach(2, 1) + op_map(1, 0, 1, 0, 0) + op_map(1, 4, 1, 0, 1)
    + op_map(1, 8, 1, 0, 2) + op_unmap_at(1, 0, 1) + op_map(1, 8, 1, 0, 2),
    # Hostile lengths and raw bytes: short requests, no room for the tail, unknown types.
    "4k_hostile": cfg(nregions=1, neps=2)
    + region(pages=8)
    + op_attach(1, 0, length=b"\x11") + op_attach(1, 0, length=b"\xf2")
    + op_map(1, 0, 1, 0, 0, length=b"\x71") + op_map(1, 0, 1, 0, 0, length=b"\x73")
    + op_probe(0, z=5) + op_raw(b"\x06\x00\x00\x00", 4) + op_raw(b"", 4) + op_raw(b"\x01\x00", 2)
    + op_raw(bytes([2]) + bytes(19), 4),
    # 16K granule, narrow input and domain ranges, coarse page_size_mask, custom probe_size.
    "16k_ranges": cfg(gran=2, nregions=2, input_var=2, domain_var=1, nresv=1, psmask=True,
                      probe=3, neps=3)
    + region(pages=16) + region(gap=1, pages=8, hpa=7, access="w")
    + resv_reserved(1, 2)
    + op_attach(0, 0) + op_attach(1, 0) + op_map(1, 4, 2, 0, 0) + op_map(1, 3, 2, 0, 0)
    + op_map(1, 8, 2, 1, 0, flags=2) + op_probe(2) + op_unmap_at(1, 4, 2),
    # A hostile guest: an input range asked up to 2^64 - 1 (narrowed to the
    # tables), moves of a domain's only endpoint at full domain quota, MAPs
    # across two regions with a small pool, a PROBE buffer longer than its
    # layout, and UNMAPs that give the tables back.
    "4k_hostile_guest": cfg(nregions=2, ndomains=2, nmappings=8, small_pool=15, input_var=3,
                            nresv=1, neps=3)
    + region(pages=16) + region(gap=0, pages=16, hpa=3)
    + resv_msi(1, 15)
    + op_attach(1, 0) + op_attach(2, 1) + op_attach(3, 0) + op_attach(4, 1)
    + op_map(3, 15, 2, 0, 15) + op_map(3, 150, 2, 0, 15) + op_map(4, 40, 4, 1, 0)
    + op_probe(0, z=(8 << 2) | 2) + op_probe(5, z=(8 << 2) | 2)
    + op_unmap_at(3, 15, 2) + op_unmap_all(4) + op_attach(1, 2) + op_attach(5, 2),
    # A platform MSI doorbell right after A (page 24): MAPs over and around
    # it, PROBE, a bypass domain, config.bypass, reset.
    "4k_doorbell": cfg(confine=True, nregions=2, neps=3, doorbell="after")
    + region(pages=16) + region(gap=0, pages=8, hpa=3)
    + op_attach(1, 0) + op_map(1, 24, 1, 0, 0) + op_map(1, 23, 2, 0, 0)
    + op_map(1, 22, 3, 0, 0) + op_map(1, 25, 1, 0, 1) + op_map(1, 23, 1, 1, 0)
    + op_probe(0) + op_attach(2, 1, bypass=True) + bytes([BYPASS, 0]) + bytes([RESET])
    + op_attach(3, 2) + op_map(3, 24, 4, 1, 0) + bytes([REASSIGN, 0]),
    # The doorbell among the RESV_MEM regions (0x8000000 + 3 granules), next
    # to a reserved region at 0x8000000 + 5 granules.
    "4k_doorbell_resv": cfg(nregions=1, nresv=1, neps=2, start=0x30, doorbell="resv")
    + region(pages=16) + resv_reserved(5, 2)
    + op_attach(1, 0) + op_probe(0) + op_map(1, 0, 4, 0, 0) + op_dma(0, 0, 1),
    # The SMMU stalls during an UNMAP, a DETACH, an ATTACH elsewhere, a
    # config.bypass write, an unassignment and a reset; everything is retried.
    "4k_stall": cfg(nregions=2, neps=3)
    + region(pages=16) + region(gap=2, pages=4, hpa=1, access="r")
    + op_attach(1, 0) + op_map(1, 0, 4, 0, 2) + STALL + op_unmap_at(1, 0, 4)
    + op_map(1, 8, 2, 0, 0) + STALL + op_detach(1, 0) + STALL + op_attach(2, 0)
    + STALL + bytes([BYPASS, 1]) + STALL + bytes([REASSIGN, 1]) + op_detach(1, 0)
    + op_attach(2, 0) + op_map(2, 0, 1, 1, 0, flags=1) + STALL + bytes([RESET])
    + op_attach(3, 2) + op_dma(2, 0, 1),
}


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)
    print(f"{len(SEEDS)} seeds in {OUT}")


if __name__ == "__main__":
    main()
