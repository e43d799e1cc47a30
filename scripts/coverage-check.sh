#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# scripts/coverage-check.sh: enforce the coverage thresholds of the library.
#
#   scripts/coverage-check.sh [TRACEFILE]
#
# Reads an lcov tracefile (default: build/coverage/coverage.info, the one
# scripts/test.sh writes with branch coverage on) and prints line and branch
# coverage per directory of library code (src/, each of its subdirectories,
# and each backends/NAME/ with everything below it), then for src/ and
# backends/ together. Fails (exit status 1) with a message
# naming the culprits when
#   - src/ and backends/ together are below the thresholds, or
#   - any one of those directories is below them (every backend is held to
#     the same figures as the core, so the directory that slipped is named).
# Files below the thresholds are listed under their directory as a hint.
#
# Environment: IOMM_COV_LINE_MIN / IOMM_COV_BRANCH_MIN override the thresholds.
set -euo pipefail

# ---- thresholds (percent) ----
LINE_MIN=${IOMM_COV_LINE_MIN:-95}
BRANCH_MIN=${IOMM_COV_BRANCH_MIN:-85}

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$(pwd)
info=${1:-build/coverage/coverage.info}
[ -r "$info" ] || {
	echo "coverage-check: no tracefile $info (run the coverage tests and lcov first)" >&2
	exit 2
}

# One line per file of src/ or backends/NAME/: dir lines_found lines_hit branches_found branches_hit file
# (DA and BRDA records are counted directly: the LF/LH/BRF/BRH summaries are
# optional in the format.)
per_file=$(awk -v root="$root/" '
	function flush() {
		if (dir != "")
			printf "%s %d %d %d %d %s\n", dir, lf, lh, bf, bh, rel
		dir = ""
	}
	/^SF:/ {
		flush()
		path = substr($0, 4)
		rel = path
		if (index(rel, root) == 1)
			rel = substr(rel, length(root) + 1)
		lf = lh = bf = bh = 0
		n = split(rel, parts, "/")
		if (parts[1] == "src" && n >= 2) {
			dir = "src"
			for (k = 2; k < n; k++)
				dir = dir "/" parts[k]
		} else if (parts[1] == "backends" && n >= 3)
			dir = "backends/" parts[2]
		next
	}
	dir == "" { next }
	/^DA:/ {
		split(substr($0, 4), f, ",")
		lf++
		if (f[2] + 0 > 0)
			lh++
		next
	}
	/^BRDA:/ {
		split(substr($0, 6), f, ",")
		bf++
		if (f[4] != "-" && f[4] + 0 > 0)
			bh++
		next
	}
	/^end_of_record/ { flush() }
	END { flush() }
' "$info")

[ -n "$per_file" ] || {
	echo "coverage-check: $info holds no file of src/ or backends/" >&2
	exit 2
}

# Aggregate per directory and in total, print, and judge.
echo "$per_file" | awk -v lmin="$LINE_MIN" -v bmin="$BRANCH_MIN" '
	function pct(hit, found) { return found ? 100.0 * hit / found : 100.0 }
	function below(hit, found, min) { return found && hit * 100 < min * found }
	{
		d = $1
		if (!(d in LF))
			dirs[++nd] = d
		LF[d] += $2; LH[d] += $3; BF[d] += $4; BH[d] += $5
		tlf += $2; tlh += $3; tbf += $4; tbh += $5
		if (below($3, $2, lmin) || below($5, $4, bmin))
			weak[d] = weak[d] sprintf("      %-44s %6.1f%% lines %6.1f%% branches\n", $6,
						  pct($3, $2), pct($5, $4))
	}
	END {
		printf "coverage of library code (thresholds: %d%% lines, %d%% branches)\n", lmin, bmin
		printf "  %-24s %18s %22s\n", "directory", "lines", "branches"
		bad = ""
		for (i = 1; i <= nd; i++) {
			d = dirs[i]
			mark = ""
			if (below(LH[d], LF[d], lmin) || below(BH[d], BF[d], bmin)) {
				mark = "  <-- BELOW"
				bad = bad " " d
			}
			printf "  %-24s %6.1f%% (%4d/%4d) %6.1f%% (%4d/%4d)%s\n", d, pct(LH[d], LF[d]),
			       LH[d], LF[d], pct(BH[d], BF[d]), BH[d], BF[d], mark
			if (mark != "" && weak[d] != "")
				printf "%s", weak[d]
		}
		tmark = ""
		if (below(tlh, tlf, lmin) || below(tbh, tbf, bmin)) {
			tmark = "  <-- BELOW"
			bad = bad " src+backends"
		}
		printf "  %-24s %6.1f%% (%4d/%4d) %6.1f%% (%4d/%4d)%s\n", "src+backends (total)",
		       pct(tlh, tlf), tlh, tlf, pct(tbh, tbf), tbh, tbf, tmark
		if (bad != "") {
			printf "coverage-check: FAILED: below %d%% lines or %d%% branches:%s\n", lmin, bmin, bad
			printf "coverage-check: see build/coverage/html for the uncovered lines and branches\n"
			exit 1
		}
		printf "coverage-check: OK\n"
	}
'
