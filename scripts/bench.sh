#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Build iomm_bench (Release, gcc, -O2), time every page-table operation and,
# if valgrind is installed, count instructions per call with callgrind. Both
# are printed beside the Linux io-pgtable-arm reference figures, with the
# difference in percent.
#
# usage: scripts/bench.sh [--no-build] [--no-time] [--no-instr] [--quick] [--markdown]
#
#   --markdown  finish with the figures as a Markdown table (docs/performance.md)
#
# environment:
#   BUILD_DIR   build directory      (default: build/bench in this checkout)
#   OUT_DIR     results directory    (default: $BUILD_DIR/results)
#   IOMM_BENCH  use this iomm_bench binary instead of building one
#   CC          compiler             (default: gcc)
#   REPS        timing repetitions   (default: 7)
#   GOAL        instruction target as a fraction of the reference (default: 0.80)
#   FORMAT      table format: lpae (default), vtd or x86 (the reference
#               figures are Linux's io-pgtable-arm, so they fit lpae only)
#
# Instruction counts: every operation runs `iomm_bench --op NAME --iters N`
# under `valgrind --tool=callgrind --toggle-collect=bench_loop_NAME`, so only
# the measured loop and what it calls is counted. Two figures per call:
#   library = (everything collected - the loop's own instructions, i.e. those
#             callgrind attributes to bench_ops.c; library code inlined from
#             the public headers counts as library) / N
#   loop    = everything collected / N  (adds the loop and argument set-up)
# Each count is taken at N and at N/2; the per-call figures must agree within
# 1% or the row is flagged "unstable".
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$ROOT/build/bench}
OUT_DIR=${OUT_DIR:-$BUILD_DIR/results}
CC=${CC:-gcc}
REPS=${REPS:-7}
GOAL=${GOAL:-0.80}

do_build=1 do_time=1 do_instr=1 quick=0 markdown=0
for arg in "$@"; do
	case $arg in
	--no-build) do_build=0 ;;
	--no-time) do_time=0 ;;
	--no-instr) do_instr=0 ;;
	--quick) quick=1 ;;
	--markdown) markdown=1 ;;
	-h | --help)
		sed -n '3,29p' "$0" | sed 's/^# \{0,1\}//'
		exit 0
		;;
	*)
		echo "bench.sh: unknown argument '$arg'" >&2
		exit 2
		;;
	esac
done

if [[ -n ${IOMM_BENCH:-} ]]; then
	BENCH=$IOMM_BENCH
	do_build=0
else
	BENCH=$BUILD_DIR/tests/bench/iomm_bench
fi

if ((do_build)); then
	cmake -S "$ROOT" -B "$BUILD_DIR" \
		-DCMAKE_BUILD_TYPE=Release \
		-DCMAKE_C_COMPILER="$CC" \
		-DCMAKE_C_FLAGS_RELEASE="-O2 -g -DNDEBUG" \
		-DIOMM_BUILD_BENCH=ON >"$BUILD_DIR.configure.log" 2>&1 || {
		cat "$BUILD_DIR.configure.log" >&2
		exit 1
	}
	cmake --build "$BUILD_DIR" --target iomm_bench -j "$(nproc 2>/dev/null || echo 2)" >/dev/null
	found=$(find "$BUILD_DIR" -type f -name iomm_bench -perm -u+x | head -n 1)
	[[ -n $found ]] || {
		echo "bench.sh: iomm_bench was not built" >&2
		exit 1
	}
	BENCH=$found
fi
[[ -x $BENCH ]] || {
	echo "bench.sh: no iomm_bench at $BENCH" >&2
	exit 1
}
mkdir -p "$OUT_DIR"

cpu=$(sed -n 's/^model name[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo 2>/dev/null | head -n 1)
echo "machine: ${cpu:-unknown CPU}, $(nproc 2>/dev/null || echo '?') CPUs; compiler: $($CC --version | head -n 1)"
echo "binary:  $BENCH"
echo

# ---- timing -----------------------------------------------------------------
if ((do_time)); then
	targs=(--reps "$REPS" --json "$OUT_DIR/bench.json")
	((quick)) && targs=(--reps 3 --iters 20000 --json "$OUT_DIR/bench.json")
	"$BENCH" "${targs[@]}" --format "${FORMAT:-lpae}"
	echo
	echo "JSON: $OUT_DIR/bench.json"
	echo
fi

# ---- instruction counts -----------------------------------------------------
if ((do_instr)); then
	if ! command -v valgrind >/dev/null || ! command -v callgrind_annotate >/dev/null; then
		echo "bench.sh: valgrind not found; skipping instruction counts" >&2
		do_instr=0
	fi
fi
if ((do_instr)); then

	# count OP VARIANT N -> prints "total self" (Ir collected, loop's own Ir)
	count() {
		local op=$1 variant=$2 n=$3 out="$OUT_DIR/callgrind.$1.$2.$3"
		valgrind --tool=callgrind --callgrind-out-file="$out" \
			--toggle-collect="bench_loop_$op" \
			"$BENCH" --op "$op" --variant "$variant" --iters "$n" \
				--format "${FORMAT:-lpae}" >/dev/null 2>"$out.log" || {
			echo "bench.sh: callgrind run of $op failed, see $out.log" >&2
			return 1
		}
		callgrind_annotate --threshold=100 --auto=no "$out" 2>/dev/null | awk -v fn="bench_loop_$op" '
			function num(s) { gsub(",", "", s); return s + 0 }
			/PROGRAM TOTALS/ { total = num($1) }
			# Only the loop as written in bench_ops.c: library code inlined into
			# it (static inline functions of the public headers) stays library.
			$0 ~ ("bench_ops[.]c:" fn "( |$)") { self += num($1) }
			END { printf "%d %d\n", total, self }'
	}

	tsv="$OUT_DIR/instructions.tsv"
	printf 'op\tvariant\titers\tlib_per_call\tloop_per_call\tlib_per_call_half\tref\n' >"$tsv"
	printf '%-14s %-12s %9s %9s %7s %8s %8s  %s\n' operation variant library loop Linux "lib/ref" "loop/ref" "goal <= ${GOAL} x ref (library, loop)"
	missed=0 missed_loop=0
	while IFS=$'\t' read -r op ref _lo _hi iters; do
		[[ $op == empty ]] && continue
		n=$((iters / 10))
		((quick)) && n=$((iters / 50))
		((n < 200)) && n=200
		# rows of huge calls (1 GiB each) run few of them
		((iters < 2000)) && n=$iters
		half=$((n / 2))
		for variant in coherent noncoherent; do
			read -r total self < <(count "$op" "$variant" "$n")
			read -r total_h self_h < <(count "$op" "$variant" "$half")
			lib=$(awk -v t="$total" -v s="$self" -v n="$n" 'BEGIN { printf "%.1f", (t - s) / n }')
			loop=$(awk -v t="$total" -v n="$n" 'BEGIN { printf "%.1f", t / n }')
			lib_h=$(awk -v t="$total_h" -v s="$self_h" -v n="$half" 'BEGIN { printf "%.1f", (t - s) / n }')
			# ref 0: no reference figure for this row
			pct=$(awk -v a="$lib" -v r="$ref" 'BEGIN { if (r == 0) print "-"; else printf "%+.1f%%", (a - r) * 100 / r }')
			pctl=$(awk -v a="$loop" -v r="$ref" 'BEGIN { if (r == 0) print "-"; else printf "%+.1f%%", (a - r) * 100 / r }')
			stable=$(awk -v a="$lib" -v b="$lib_h" 'BEGIN { d = a - b; if (d < 0) d = -d; print (d <= a * 0.01) ? "" : " unstable" }')
			verdict=$(awk -v a="$lib" -v r="$ref" -v g="$GOAL" 'BEGIN { print r == 0 ? "n/a" : (a <= r * g) ? "met" : "MISSED" }')
			verdictl=$(awk -v a="$loop" -v r="$ref" -v g="$GOAL" 'BEGIN { print r == 0 ? "n/a" : (a <= r * g) ? "met" : "MISSED" }')
			[[ $verdict == MISSED ]] && missed=$((missed + 1))
			[[ $verdictl == MISSED ]] && missed_loop=$((missed_loop + 1))
			printf '%-14s %-12s %9s %9s %7s %8s %8s  %s, %s%s\n' "$op" "$variant" "$lib" "$loop" "$ref" "$pct" "$pctl" "$verdict" "$verdictl" "$stable"
			printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$op" "$variant" "$n" "$lib" "$loop" "$lib_h" "$ref" >>"$tsv"
		done
	done < <("$BENCH" --list)
	# rows that allocate tables: the same figure without the allocator
	# (iomm_pool_alloc, iomm_pool_alloc_raw and what they call, inclusive),
	# from the files above
	for op in map_256x2m_fresh map_1g; do
		f=$(ls "$OUT_DIR"/callgrind."$op".coherent.* 2>/dev/null | grep -v '\.log$' | sort -t. -k4 -n | tail -n 1)
		[[ -n $f ]] || continue
		n=${f##*.}
		callgrind_annotate --inclusive=yes --threshold=100 --auto=no "$f" 2>/dev/null | awk -v n="$n" -v op="$op" '
			function num(s) { gsub(",", "", s); return s + 0 }
			/PROGRAM TOTALS/ { total = num($1) }
			/:iomm_pool_alloc( |$)/ { v = num($1); if (v > a1) a1 = v }
			/:iomm_pool_alloc_raw( |$)/ { v = num($1); if (v > a2) a2 = v }
			END { alloc = a1 + a2; printf "%-16s coherent: %.1f instructions per call of which %.1f in the pool allocator (%.1f without)\n", op, total / n, alloc / n, (total - alloc) / n }'
	done
	read -r etotal _ < <(count empty coherent 100000)
	echo
	echo "loop overhead alone (bench_loop_empty): $(awk -v t="$etotal" 'BEGIN { printf "%.1f", t / 100000 }') instructions per iteration"
	echo "instructions per call; library = collected minus the loop's own instructions"
	echo "rows missing the goal: $missed on the library figure, $missed_loop on the loop figure"
	echo "TSV: $tsv; callgrind files: $OUT_DIR/callgrind.*"
fi

# ---- Markdown summary -------------------------------------------------------
if ((markdown)); then
	declare -A ns instr
	if [[ -f $OUT_DIR/bench.json ]] && ((do_time)); then
		while read -r op variant med min; do
			ns[$op:$variant]=$(LC_ALL=C printf '%.1f (%.1f)' "$med" "$min")
		done < <(sed -n 's/.*"op": "\([a-z0-9_]*\)", "variant": "\([a-z]*\)".*"ns_per_call_median": \([0-9.]*\), "ns_per_call_min": \([0-9.]*\).*/\1 \2 \3 \4/p' "$OUT_DIR/bench.json")
	fi
	if [[ -f $OUT_DIR/instructions.tsv ]] && ((do_instr)); then
		while IFS=$'\t' read -r op variant _n lib _loop _half _ref; do
			instr[$op:$variant]=$lib
		done < <(tail -n +2 "$OUT_DIR/instructions.tsv")
	fi
	echo
	echo "| operation | Linux instr | instr coherent | instr non-coherent | vs Linux | Linux ns | ns coherent, median (min) | ns non-coherent, median (min) |"
	echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
	while IFS=$'\t' read -r op ref lo hi _iters; do
		[[ $op == empty ]] && continue
		ic=${instr[$op:coherent]:--} inc=${instr[$op:noncoherent]:--}
		if [[ $ic != - && $ref != 0 ]]; then
			pct=$(awk -v a="$ic" -v r="$ref" 'BEGIN { printf "%+.0f%%", (a - r) * 100 / r }')
		else
			pct=-
		fi
		if [[ $lo == "$hi" ]]; then refns=$lo; else refns="${lo%.0}-${hi%.0}"; fi
		fmt() { if [[ $2 == - ]]; then echo -; else LC_ALL=C printf "%.${1}f" "$2"; fi; }
		printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$op" "$ref" "$(fmt 0 "$ic")" "$(fmt 0 "$inc")" \
			"$pct" "$refns" "${ns[$op:coherent]:--}" "${ns[$op:noncoherent]:--}"
	done < <("$BENCH" --list)
fi
