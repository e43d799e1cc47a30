#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# scripts/fuzz.sh: build the libFuzzer targets of fuzz/ and run them.
#
#   scripts/fuzz.sh TARGET SECONDS    run one target for SECONDS seconds
#   scripts/fuzz.sh all SECONDS       run every target, SECONDS each
#   scripts/fuzz.sh list              print the target names
#
# Targets: fuzz_lpae, fuzz_smmuv3_event, fuzz_smmuv3_cmds, fuzz_smmuv2_fault,
# fuzz_smmuv2_cmds, fuzz_vtd_fault, fuzz_vtd_cmds, fuzz_riscv_fault, fuzz_riscv_cmds, fuzz_iort,
# fuzz_dmar, fuzz_fdt, fuzz_viommu_dev, fuzz_viommu_mmio, fuzz_viommu_guest_mmio
# (fuzz/README.md).
#
# The targets are built with clang (-fsanitize=fuzzer,address,undefined) in
# their own build directory, build/fuzz unless IOMM_FUZZ_BUILD_DIR says
# otherwise. Each run starts from the seed corpus fuzz/corpus/TARGET (never
# written to) plus what earlier runs found (BUILD/corpus/TARGET), and writes
# crashing inputs to BUILD/artifacts/TARGET/. On a crash, timeout, leak or
# out-of-memory the script prints each reproducer's path and hexdump, the
# command that replays it, and exits with status 1.
#
# Environment:
#   IOMM_FUZZ_BUILD_DIR   build directory (default: build/fuzz)
#   IOMM_FUZZ_CC          compiler (default: clang)
#   IOMM_FUZZ_ARGS        extra libFuzzer arguments (e.g. "-jobs=4 -workers=4")
#   JOBS                  parallel build jobs (default 2)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$(pwd)

build=${IOMM_FUZZ_BUILD_DIR:-build/fuzz}
case $build in /*) ;; *) build=$root/$build ;; esac
cc=${IOMM_FUZZ_CC:-clang}
jobs=${JOBS:-2}

targets=()
for f in fuzz/fuzz_*.c; do
	t=$(basename "$f" .c)
	targets+=("$t")
done

usage() {
	echo "usage: $0 TARGET|all SECONDS" >&2
	echo "       $0 list" >&2
	echo "targets: ${targets[*]}" >&2
	exit 2
}

[ $# -ge 1 ] || usage
if [ "$1" = list ]; then
	printf '%s\n' "${targets[@]}"
	exit 0
fi
[ $# -eq 2 ] || usage
what=$1
seconds=$2
case $seconds in '' | *[!0-9]*) usage ;; esac
[ "$seconds" -gt 0 ] || usage

run=()
if [ "$what" = all ]; then
	run=("${targets[@]}")
else
	for t in "${targets[@]}"; do
		[ "$t" = "$what" ] && run=("$t")
	done
	[ ${#run[@]} -eq 1 ] || { echo "unknown target: $what" >&2; usage; }
fi

command -v "$cc" >/dev/null 2>&1 || { echo "$cc not found: the fuzz targets need clang" >&2; exit 1; }

# Largest input each target gets: operation sequences want room.
max_len() {
	case $1 in
	fuzz_smmuv3_event | fuzz_vtd_fault | fuzz_riscv_fault) echo 1024 ;;
	fuzz_smmuv2_fault) echo 1000 ;;
	fuzz_iort | fuzz_dmar) echo 4096 ;;
	fuzz_fdt) echo 16384 ;;
	*) echo 2048 ;;
	esac
}

hexdump_file() {
	if command -v xxd >/dev/null 2>&1; then
		xxd -l 1024 "$1"
	else
		od -A x -t x1z -v -N 1024 "$1"
	fi
	local n
	n=$(wc -c <"$1")
	[ "$n" -le 1024 ] || echo "... ($n bytes, first 1024 shown)"
}

echo "== configure + build ($cc) in $build"
mkdir -p "$(dirname "$build")"
cmake -S "$root" -B "$build" -G "${IOMM_FUZZ_GENERATOR:-Unix Makefiles}" \
	-DCMAKE_C_COMPILER="$cc" \
	-DCMAKE_BUILD_TYPE= \
	-DIOMM_BUILD_FUZZ=ON \
	-DIOMM_BACKEND_SMMUV3=ON \
	-DIOMM_BACKEND_VTD=ON \
	-DIOMM_BACKEND_SMMUV2=ON \
	-DIOMM_BACKEND_RISCV=ON \
	-DIOMM_BACKEND_PARAVIRT=ON \
	-DIOMM_DISCOVERY_FDT=ON \
	-DIOMM_WERROR=ON \
	-DIOMM_BUILD_TESTS=OFF \
	-DIOMM_BUILD_EXAMPLES=OFF \
	-DIOMM_BUILD_BENCH=OFF \
	-DIOMM_BUILD_DOCS=OFF \
	-DIOMM_BUILD_PORT_TEMPLATE=OFF \
	-DIOMM_INSTALL=OFF >"$build.configure.log" 2>&1 || {
	cat "$build.configure.log" >&2
	exit 1
}
cmake --build "$build" -j "$jobs" --target "${run[@]}"

failed=()
for t in "${run[@]}"; do
	bin=$build/fuzz/$t
	seeds=$root/fuzz/corpus/$t
	work=$build/corpus/$t
	arts=$build/artifacts/$t
	log=$build/logs/$t.log
	mkdir -p "$work" "$arts" "$(dirname "$log")" "$seeds"
	marker=$build/artifacts/.start-$t
	touch "$marker"
	echo
	echo "== $t: ${seconds}s (seeds: fuzz/corpus/$t, log: $log)"
	status=0
	# shellcheck disable=SC2086 # IOMM_FUZZ_ARGS is split on purpose
	"$bin" -max_total_time="$seconds" -timeout=30 -rss_limit_mb=2048 \
		-max_len="$(max_len "$t")" -len_control=20 -print_final_stats=1 \
		-artifact_prefix="$arts/" ${IOMM_FUZZ_ARGS:-} "$work" "$seeds" >"$log" 2>&1 || status=$?

	grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -n 1 || true
	grep -E '^stat::(number_of_executed_units|average_exec_per_sec|new_units_added|peak_rss_mb)' "$log" || true

	found=()
	while IFS= read -r -d '' f; do
		found+=("$f")
	done < <(find "$arts" -maxdepth 1 -type f -newer "$marker" \
		\( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) \
		-print0)
	rm -f "$marker"
	if [ "$status" -ne 0 ] || [ ${#found[@]} -gt 0 ]; then
		echo
		echo "!! $t FAILED (exit status $status). Last lines of the log:"
		grep -v '^    #[0-9]' "$log" | grep -E 'check failed|ERROR|SUMMARY|runtime error|Test unit' | head -n 20 || true
		for f in "${found[@]}"; do
			echo
			echo "reproducer: $f"
			hexdump_file "$f"
			echo "replay:     $bin $f"
			[ "$t" = fuzz_smmuv3_cmds ] && echo "trace:      FUZZ_TRACE=1 $bin $f"
		done
		[ ${#found[@]} -gt 0 ] || echo "(no reproducer written; see $log)"
		failed+=("$t")
	fi
done

echo
if [ ${#failed[@]} -gt 0 ]; then
	echo "scripts/fuzz.sh: FAILED: ${failed[*]}"
	exit 1
fi
echo "scripts/fuzz.sh: no findings in ${run[*]} (${seconds}s each)"
