#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# scripts/check-error-paths.sh [ROOT]
#
# Checks that the misuse suite (ctest label "misuse") provokes every error
# code the public headers document, from every public function that
# documents it.
#
# Documented pairs: every "@retval IOMM_E..." line of the Doxygen comment
# right before a function declaration in include/iommuman/*.h gives one pair
# (function, code). IOMM_OK is not an error; "@return Errors of X" lines pass
# another function's codes through and add no pair of their own.
#
# Covered pairs come from the case tables of the misuse suite, the files
# tests/smmuv3/test_misuse.c and tests/misuse/*.c. A case is two pieces the
# test program itself runs, not a marker:
#
#   C(name) { ...set-up...; return iomm_fn(args); }
#   K(name, IOMM_ECODE, "debug-fn", "debug-arg"),
#
# The runner calls each case of the K() table and fails unless the call
# returned exactly IOMM_ECODE and left the objects unchanged. So the pair
# (iomm_fn, IOMM_ECODE) is covered only by a case whose body has exactly
# one return statement, whose value is what iomm_fn returned, and whose
# table entry expects that code. A C() without its K() entry, a K() entry
# without its C(), a body without exactly one "return iomm_...(" or a call
# of a function the headers do not declare fails the check.
#
# Pairs the suite does not provoke are listed in tests/misuse/error_paths.txt,
# one a line: "except FN CODE why" for a code this build cannot reach (an
# option compiled out, a hook every in-tree backend has), "todo FN CODE what
# a case needs" for a known gap. Both are counted and reported. A line whose
# pair is no longer documented, or is also covered by a case, fails the
# check: the table may not go stale.
#
# Prints one summary line (documented, covered, excepted, todo, missing).
# Exit status 0 when every documented pair is covered or listed; else 1 with
# one line per problem, e.g. "missing pair: iomm_fn IOMM_ECODE (documented
# in HEADER)": a public function added with a new @retval needs a case or a
# line in the table.
#
# Runs in scripts/test.sh's static checks and as the CTest entry
# misuse.error_paths. Needs python3 (standard library only).
set -euo pipefail

root=${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
cd "$root"

exec python3 - "$@" <<'PY'
import glob
import re
import sys

def die(msg):
    print("check-error-paths: " + msg, file=sys.stderr)
    sys.exit(1)

# ---- documented pairs --------------------------------------------------------
documented = {}   # (fn, code) -> header
functions = set()
for h in sorted(glob.glob("include/iommuman/*.h")):
    src = open(h, encoding="utf-8").read()
    for m in re.finditer(r"/\*\*(.*?)\*/", src, re.S):
        decl = re.match(r"\s*([^;{(/#]*)\(", src[m.end():m.end() + 400])
        if not decl:
            continue
        name = re.search(r"\b(iomm_\w+)\s*$", decl.group(1))
        if not name:
            continue
        fn = name.group(1)
        functions.add(fn)
        for code in re.findall(r"@retval\s+(IOMM_E[A-Z0-9]+)\b", m.group(1)):
            documented.setdefault((fn, code), h)
if not documented:
    die("no '@retval IOMM_E...' found in include/iommuman/*.h")

# ---- covered pairs -----------------------------------------------------------
files = sorted(set(glob.glob("tests/smmuv3/test_misuse.c") + glob.glob("tests/misuse/*.c")))
if not files:
    die("no misuse suite found (tests/smmuv3/test_misuse.c, tests/misuse/*.c)")
covered = {}      # (fn, code) -> [file:case]
errors = []
ncases = 0
for path in files:
    src = open(path, encoding="utf-8").read()
    src = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), src, flags=re.S)
    src = re.sub(r"//[^\n]*", "", src)
    bodies = {}
    for m in re.finditer(r"^C\((\w+)\)\s*\{", src, re.M):
        depth, i = 1, m.end()
        while depth and i < len(src):
            depth += {"{": 1, "}": -1}.get(src[i], 0)
            i += 1
        if m.group(1) in bodies:
            errors.append("%s: case %s defined twice" % (path, m.group(1)))
        bodies[m.group(1)] = src[m.end():i - 1]
    entries = re.findall(r"^\s*K\((\w+),\s*(IOMM_[A-Z0-9_]+)\s*,", src, re.M)
    seen = set()
    for case, code in entries:
        where = "%s: case %s" % (path, case)
        if case in seen:
            errors.append(where + ": listed twice in the K() table")
        seen.add(case)
        body = bodies.get(case)
        if body is None:
            errors.append(where + ": K() entry without a C(" + case + ") body")
            continue
        rets = re.findall(r"\breturn\b\s*([^;]*);", body)
        if len(rets) != 1:
            errors.append(where + ": body needs exactly one return statement, has %d" % len(rets))
            continue
        call = re.match(r"(iomm_\w+)\s*\(", rets[0].strip())
        if not call:
            errors.append(where + ": the return value is not a call of a public function")
            continue
        fn = call.group(1)
        if fn not in functions:
            errors.append(where + ": returns %s, which no public header documents" % fn)
            continue
        ncases += 1
        if code != "IOMM_OK":
            covered.setdefault((fn, code), []).append(where)
    for case in bodies:
        if case not in seen:
            errors.append("%s: case %s has no K() entry, so it never runs" % (path, case))

# ---- exceptions and the known gaps -------------------------------------------
table = "tests/misuse/error_paths.txt"
listed = {}       # (fn, code) -> kind ("except" or "todo")
try:
    lines = open(table, encoding="utf-8").read().splitlines()
except FileNotFoundError:
    lines = []
for n, line in enumerate(lines, 1):
    if not line.strip() or line.lstrip().startswith("#"):
        continue
    f = line.split(None, 3)
    if len(f) < 4 or f[0] not in ("except", "todo") or not f[2].startswith("IOMM_E"):
        errors.append("%s:%d: want 'except|todo iomm_fn IOMM_ECODE reason'" % (table, n))
        continue
    pair = (f[1], f[2])
    if pair in listed:
        errors.append("%s:%d: %s %s listed twice" % (table, n, *pair))
    listed[pair] = f[0]
    if pair not in documented:
        errors.append("%s:%d: %s %s is not documented (any more): drop the line" % (table, n, *pair))
    elif pair in covered:
        errors.append("%s:%d: %s %s is covered by %s: drop the line"
                      % (table, n, pair[0], pair[1], covered[pair][0]))

for (fn, code), h in sorted(documented.items(), key=lambda x: (x[1], x[0])):
    if (fn, code) not in covered and (fn, code) not in listed:
        errors.append("missing pair: %s %s (documented in %s): no misuse case returns it. "
                      "Add a case 'C(name) { ...; return %s(...); }' with 'K(name, %s, ...)' "
                      "to the misuse suite, or a line 'except %s %s <why it cannot happen>' "
                      "to %s" % (fn, code, h, fn, code, fn, code, table))

ndoc = len(documented)
ncov = sum(1 for p in documented if p in covered)
nexc = sum(1 for p in documented if listed.get(p) == "except" and p not in covered)
ntodo = sum(1 for p in documented if listed.get(p) == "todo" and p not in covered)
print("check-error-paths: %d documented (function, error) pairs in %d functions: "
      "%d covered by %d misuse cases, %d excepted, %d known gaps (todo), %d missing"
      % (ndoc, len({p[0] for p in documented}), ncov, ncases, nexc, ntodo,
         ndoc - ncov - nexc - ntodo))
if errors:
    for e in errors:
        print("check-error-paths: " + e, file=sys.stderr)
    sys.exit(1)
PY
