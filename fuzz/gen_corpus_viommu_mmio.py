#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Write the seed corpus of fuzz_viommu_mmio (fuzz/corpus/fuzz_viommu_mmio/).

Each seed is a session of a guest driving the virtio-mmio front, encoded the
way fuzz/fuzz_viommu_mmio.c decodes its input: 2 configuration bytes, then
operations. Run it from anywhere:

    fuzz/gen_corpus_viommu_mmio.py
"""
import os
import struct

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "fuzz_viommu_mmio")

# operation codes (op byte % 10 in the target)
RAW, BRING_UP, POKE, DESC, OFFER, REQUEST, FAULT, EVENTS = 0, 1, 2, 3, 5, 6, 8, 9
# request types (index into the target's table)
T_ATTACH, T_DETACH, T_MAP, T_UNMAP, T_PROBE = 0, 1, 2, 4, 5


def cfg(confine=False, irq=True, qmax_sel=0, ro_page=0):
    c0 = (1 if confine else 0) | (2 if irq else 0) | (qmax_sel << 2)
    return bytes([c0, ro_page])


def bring_up(log2_num=3, indirect=False, misaligned=False, no_driver_ok=False):
    k = log2_num | (8 if indirect else 0) | (0x10 if misaligned else 0) | (0x20 if no_driver_ok else 0)
    return bytes([BRING_UP, k])


def request(t, slot=0, head=0, dom=1, ep=0, page=0, pages=0, gpa=0, flags=3, notify=True):
    k = slot | (t << 3) | (0 if notify else 0x80)
    return bytes([REQUEST, k, head, dom, ep, page, pages, gpa, flags])


def raw(off, width_sel, write, val):
    return bytes([RAW]) + struct.pack("<H", off) + bytes([width_sel, 1 if write else 0]) + struct.pack("<I", val)


def desc(q, i, addr_sel, addr_off, len_sel, flags, nxt):
    return bytes([DESC, q, i, addr_sel]) + struct.pack("<H", addr_off) + bytes([len_sel, flags, nxt])


def offer(q, head):
    return bytes([OFFER, q, head])


def events(n):
    out = bytes([EVENTS, n - 1])
    for d in range(n):
        out += bytes([d, 1])
    return out


def fault(sid_hi=0, page=0, write=0):
    return bytes([FAULT, sid_hi, page, write])


SEEDS = {
    "map_unmap": cfg() + bring_up() + request(T_ATTACH, head=0, flags=0) + request(T_MAP, slot=1, head=2, page=1, pages=1)
    + request(T_PROBE, slot=2, head=4) + request(T_UNMAP, slot=3, head=6, page=1, pages=1),
    "fault_event": cfg() + bring_up() + events(2) + request(T_ATTACH, head=0, flags=0)
    + request(T_MAP, slot=1, head=2, page=0) + fault(page=5),
    "bad_maps": cfg(confine=True) + bring_up() + request(T_ATTACH, head=0, flags=0)
    + request(T_MAP, slot=1, head=2, gpa=1, flags=3) + request(T_MAP, slot=2, head=4, gpa=4)
    + request(T_MAP, slot=3, head=6, gpa=3, flags=7),
    "loop": cfg() + bring_up() + desc(0, 0, 0, 0, 1, 1, 1) + desc(0, 1, 0, 0x100, 0, 3, 2)
    + desc(0, 2, 0, 0x104, 0, 3, 1) + offer(0, 0) + raw(0x50, 0, True, 0),
    "indirect": cfg() + bring_up(indirect=True) + bring_up() + desc(0, 0, 0, 0, 2, 5, 0) + offer(0, 0)
    + raw(0x50, 0, True, 0) + raw(0x70, 0, True, 0),
    "registers": cfg(qmax_sel=2) + raw(0x0, 0, False, 0) + raw(0x70, 0, True, 3) + raw(0x38, 0, True, 6)
    + raw(0x72, 3, False, 0) + raw(0x124, 2, True, 1) + bring_up(log2_num=4) + raw(0x50, 0, True, 0),
    "early_notify": cfg() + bring_up(no_driver_ok=True) + request(T_ATTACH, head=0, flags=0),
}


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
