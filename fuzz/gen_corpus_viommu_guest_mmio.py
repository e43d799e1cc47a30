#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Write the seed corpus of fuzz_viommu_guest_mmio (fuzz/corpus/fuzz_viommu_guest_mmio/).

Each seed describes a virtio-mmio virtio-iommu and a guest session against
it, encoded the way fuzz/fuzz_viommu_guest_mmio.c decodes its input: the
device header (read_device()), then operations (run_op()), each request
followed by the device's answer (answer(), fill_reply()). Run it from
anywhere:

    fuzz/gen_corpus_viommu_guest_mmio.py
"""
import os
import struct

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "fuzz_viommu_guest_mmio")

# device flags (DF_* in the target)
DROP_FOK, READY_STICKY, READY_REFUSE, GEN_UNSTABLE, GEN_FLIPS, LATE = 1, 2, 4, 8, 0x10, 0x20
# operation codes (op byte % 12)
DOM_INIT, DOM_DESTROY, DEV_INIT, ATTACH, DETACH, MAP, UNMAP, POLL, PROBE, EVENTS, SCRIBBLE, CFG = range(12)
# answer modes (mode byte % 10)
GOOD, BAD_LEN, BAD_ID, JUMP, NEVER, LATE_ANSWER, SHORT = 0, 3, 4, 5, 6, 7, 8

FEATURES = 0x7F  # INPUT_RANGE .. BYPASS_CONFIG
VERSION_1 = 1    # bit 32


def config(psm=0, inp=0, dom=0, probe=2, bypass=1, dom_range=(5, 4)):
    """Selectors of read_config(): psm 0 = 4K|2M|1G (3: none), inp 0 = 48
    bits, dom 0 = 1..64 (3: dom_range follows), probe 2 = 512 bytes (4: 1025)."""
    c = bytes([psm, inp, dom])
    if dom == 3:
        c += struct.pack("<II", *dom_range)
    return c + bytes([probe, bypass])


def header(b0=0, extra=b"", slots_sel=4, short=False, flags=0, reset_delay=2,
           feat_lo=FEATURES, feat_hi=VERSION_1, qmax=(4, 8), cfg=None, late=None, want=None):
    h = bytes([b0]) + extra + bytes([slots_sel | (8 if short else 0), flags, reset_delay])
    h += struct.pack("<IIHH", feat_lo, feat_hi, qmax[0], qmax[1])
    h += cfg if cfg is not None else config()
    if flags & LATE:
        h += late if late is not None else config()
    h += b"\x00" if want is None else b"\x01" + struct.pack("<Q", want)
    return h


def good(status=0):
    """A well-formed answer with only the tail (status byte)."""
    return bytes([GOOD, 0x40 | status]) if status else bytes([GOOD, 0])


def probe_reply(subtype=1, start_page=0xFE, pages=0):
    """A PROBE answer with one RESV_MEM property."""
    return bytes([GOOD, 0x10, 0, subtype, start_page, pages])


def op(code, a=0, rest=b""):
    return bytes([code, a]) + rest


def map_(iova_page, pa_page, pages=1, prot=3):
    return op(MAP, 0, struct.pack("<HH", iova_page, pa_page) + bytes([pages - 1, prot]))


def unmap(iova_page, pages=1):
    return op(UNMAP, 0, struct.pack("<H", iova_page) + bytes([pages - 1]))


def events(n, ep=8, page=0x10, reason=2, flags=0x102):
    out = bytes([EVENTS, 0, n - 1])
    for _ in range(n):
        out += bytes([0, reason]) + struct.pack("<H", flags) + bytes([ep]) + struct.pack("<H", page)
    return out


UP = op(DEV_INIT) + op(DOM_INIT) + op(ATTACH) + probe_reply() + good()

SEEDS = {
    "session": header() + UP + map_(1, 0x100) + good() + map_(2, 0x200, 2) + good()
    + events(2) + op(POLL) + unmap(1) + good() + op(PROBE, 1) + probe_reply(0, 0x20)
    + op(DETACH) + good() + op(DOM_DESTROY),
    "bad_magic": header(b0=3, extra=struct.pack("<I", 0x12345678)),
    "legacy": header(b0=2 << 2),
    "no_device": header(b0=3 << 4, extra=struct.pack("<I", 0)),
    "reset_never": header(reset_delay=0xFF),
    "drop_features_ok": header(flags=DROP_FOK),
    "queue_ready_sticky": header(flags=READY_STICKY),
    "queue_ready_refused": header(flags=READY_REFUSE),
    "queue_too_small": header(qmax=(2, 8)),
    "gen_unstable": header(flags=GEN_UNSTABLE),
    "gen_flips": header(flags=GEN_FLIPS) + UP,
    "no_version_1": header(feat_hi=0),
    "short_memory": header(short=True),
    "slots_not_pow2": header(slots_sel=6),
    "probe_too_big": header(cfg=config(probe=4)),
    "late_malformed": header(flags=LATE, late=config(psm=3)),
    "late_probe_too_big": header(flags=LATE, late=config(probe=4)),
    "empty_domain_range": header(cfg=config(dom=3, dom_range=(5, 4))),
    "reply_bad_len": header() + op(DEV_INIT) + op(DOM_INIT) + op(ATTACH)
    + bytes([BAD_LEN, 0]) + struct.pack("<I", 0xFFFFFFFF) + op(ATTACH) + probe_reply() + good(),
    "reply_bad_id": header() + op(DEV_INIT) + op(DOM_INIT) + op(ATTACH)
    + bytes([BAD_ID, 0]) + struct.pack("<I", 7),
    "reply_jump": header() + op(DEV_INIT) + op(DOM_INIT) + op(ATTACH)
    + bytes([JUMP, 0]) + struct.pack("<H", 0x8000) + op(PROBE, 2) + probe_reply(),
    "reply_never": header() + op(DEV_INIT) + op(DOM_INIT) + op(ATTACH) + bytes([NEVER])
    + op(ATTACH) + probe_reply() + good(),
    "reply_late": header() + op(DEV_INIT) + op(DOM_INIT) + op(ATTACH) + bytes([LATE_ANSWER, 20])
    + probe_reply() + good(),
    "reply_short": header() + op(DEV_INIT) + op(DOM_INIT) + op(ATTACH) + bytes([SHORT, 0, 3]),
    "reply_status": header() + UP + map_(1, 0x100) + good(6) + map_(1, 0x100)
    + bytes([GOOD, 0x80, 0xEE]) + unmap(1) + bytes([GOOD, 0x08, 1, 2, 3]),
    "probe_props": header() + op(DEV_INIT) + op(DOM_INIT) + op(ATTACH)
    + bytes([GOOD, 0x30, 0xC0, 0x34, 0x12, 0xFF, 0, 1, 0, 0x21, 0x00, 0x10]) + good(),
    "events_garbage": header() + UP + bytes([EVENTS, 0, 5, 0x80]) + struct.pack("<I", 0x10000)
    + bytes([0x40]) + struct.pack("<I", 0xFFFFFF) + bytes([0x10]) + struct.pack("<H", 0x1234)
    + op(POLL) + op(POLL),
    "scribble": header() + UP + op(SCRIBBLE, 0, struct.pack("<H", 0x100) + bytes([8] + [0xFF] * 8))
    + map_(1, 0x100) + good() + op(CFG, 0, bytes([8]) + struct.pack("<I", 0x10000)),
}


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)
    print(f"{len(SEEDS)} seeds in {OUT}")


if __name__ == "__main__":
    main()
