#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# scripts/static-analysis.sh: cppcheck and clang-tidy on the library.
#
#   scripts/static-analysis.sh [all|cppcheck|clang-tidy]     (default: all)
#
# cppcheck: --enable=warning,style,performance,portability --error-exitcode=1
#   --inline-suppr, -I include -I src (and each backend's directory), on src/
#   and backends/.
# clang-tidy: the checks of .clang-tidy, with the compile_commands.json of a
#   library-only configure (clang, every backend in backends/), on the library
#   sources only (src/, backends/; their headers through HeaderFilterRegex).
#
# Both must report nothing. Findings that were reviewed and are false
# positives are listed below in false_positives, each by tool, check, file
# and a pattern of the flagged source line (so the entry follows the line
# when code moves, and matches nothing else); the library sources carry no
# suppression comments. An entry whose line is gone (cppcheck) or whose
# finding is gone (clang-tidy) is reported as stale, so the list stays short.
#
# Environment:
#   IOMM_ANALYSIS_BUILD_DIR  configure directory (default: build/analysis)
#   CPPCHECK, CLANG_TIDY     the tools (default: cppcheck, clang-tidy)
#   JOBS                     parallel jobs (default 2)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$(pwd)

what=${1:-all}
case $what in
all | cppcheck | clang-tidy) ;;
*)
	echo "usage: $0 [all|cppcheck|clang-tidy]" >&2
	exit 2
	;;
esac
build=${IOMM_ANALYSIS_BUILD_DIR:-build/analysis}
case $build in /*) ;; *) build=$root/$build ;; esac
cppcheck=${CPPCHECK:-cppcheck}
clang_tidy=${CLANG_TIDY:-clang-tidy}
jobs=${JOBS:-2}

# Reviewed false positives, one per line:
#   tool ~ check ~ file ~ ERE of the flagged line ~ ERE of the line before it (or empty) ~ why
false_positives=(
	"cppcheck~unreadVariable~backends/smmuv3/smmuv3.c~^[[:space:]]*s = \(struct iomm_smmuv3\)\{0\};~~deliberate scrub of the local copy after it was stored"
	"cppcheck~badBitmaskCheck~src/pgtable/pgt_map.c~\| cont(\)|, esz\));~~cont is PGT_CONT or 0 at run time"
	"cppcheck~knownConditionTrueFalse~src/host/viommu_dev.c~rv->end \+ 1 == 0~~end == UINT64_MAX makes end + 1 wrap to 0"
	"cppcheck~knownConditionTrueFalse~src/host/viommu_dev.c~if \(!size \|\| ps \+ \(size - 1\) < ps\)~~ve - vs + 1 wraps to 0 for the whole 64-bit range"
	"cppcheck~knownConditionTrueFalse~src/host/viommu_dev.c~for \(size_t i = 0; i < n; i\+\+\)~const uint8_t \*src = req;~cppcheck takes req_len == 0 from the (!req && req_len) check"
	"cppcheck~knownConditionTrueFalse~src/host/viommu_dev.c~^[[:space:]]*if \(n < 1\)~~as above"
	"clang-tidy~readability-non-const-parameter~src/iomm_internal.h~iomm_write_desc\(uint64_t \*p~~__atomic_store_n writes through p"
	"clang-tidy~readability-non-const-parameter~src/iomm_internal.h~iomm_write_link\(uint64_t \*p~~__atomic_store_n writes through p"
	"clang-tidy~bugprone-macro-parentheses~src/iomm_internal.h~_more_ = iomm_sid_next~~IOMM_FOR_EACH_SID declares its loop variable: a name cannot be parenthesized"
	"clang-tidy~bugprone-branch-clone~src/host/viommu_dev.c~case IOMM_VIOMMU_T_ATTACH:~switch \(r\[0\]\)~virtio-iommu ATTACH and DETACH requests have the same size"
)
declare -A fp_used

# fp_lines TOOL CHECK FILE: "line index" pairs of listed false positives
fp_lines() {
	local tool=$1 check=$2 file=$3 i e t c f re prev why n
	for i in "${!false_positives[@]}"; do
		e=${false_positives[i]}
		IFS='~' read -r t c f re prev why <<<"$e"
		[ "$t" = "$tool" ] && [ "$c" = "$check" ] && [ "$f" = "$file" ] || continue
		[ -f "$root/$f" ] || continue
		while IFS=: read -r n _; do
			if [ -n "$prev" ] && [ "$n" -gt 1 ]; then
				sed -n "$((n - 1))p" "$root/$f" | grep -Eq -- "$prev" || continue
			fi
			echo "$n $i"
		done < <(grep -En -- "$re" "$root/$f" || true)
	done
}

status=0

run_cppcheck() {
	echo "== cppcheck ($("$cppcheck" --version))"
	local -a incs=(-I include -I src) supp=()
	local d e t c f re prev why n i
	for d in backends/*/; do
		incs+=(-I "${d%/}")
	done
	for i in "${!false_positives[@]}"; do
		e=${false_positives[i]}
		IFS='~' read -r t c f re prev why <<<"$e"
		[ "$t" = cppcheck ] || continue
		while read -r n _; do
			supp+=("--suppress=$c:$f:$n")
			fp_used[$i]=1
		done < <(fp_lines cppcheck "$c" "$f")
	done
	if "$cppcheck" --enable=warning,style,performance,portability --error-exitcode=1 \
		--inline-suppr --std=c11 -q -j "$jobs" \
		--template='{file}:{line}:{column}: {severity}: {message} [{id}]' \
		"${incs[@]}" "${supp[@]}" src backends; then
		echo "cppcheck: clean"
	else
		echo "cppcheck: FINDINGS (above)"
		status=1
	fi
}

run_clang_tidy() {
	echo "== clang-tidy ($("$clang_tidy" --version | grep -i version | head -n 1 | sed 's/^ *//'))"
	local -a cfg=(-S "$root" -B "$build" -DCMAKE_C_COMPILER="${IOMM_ANALYSIS_CC:-clang}"
		-DCMAKE_EXPORT_COMPILE_COMMANDS=ON -DIOMM_LIBRARY_ONLY=ON -DIOMM_WERROR=ON
		-DIOMM_BUILD_PORT_TEMPLATE=OFF -DIOMM_BUILD_DOCS=OFF -DIOMM_INSTALL=OFF)
	local b
	for b in "$root"/backends/*/CMakeLists.txt; do
		b=$(basename "$(dirname "$b")")
		cfg+=(-DIOMM_BACKEND_"$(tr '[:lower:]' '[:upper:]' <<<"$b")"=ON)
	done
	mkdir -p "$(dirname "$build")"
	cmake "${cfg[@]}" >"$build.configure.log" 2>&1 || {
		cat "$build.configure.log" >&2
		status=1
		return
	}
	# the library's own sources, as the compile database lists them
	local -a files=()
	local f
	while IFS= read -r f; do
		files+=("$f")
	done < <(sed -n 's/^ *"file": "\(.*\)",\{0,1\}$/\1/p' "$build/compile_commands.json" |
		grep -E "^$root/(src|backends)/" | LC_ALL=C sort -u)
	[ ${#files[@]} -gt 0 ] || {
		echo "clang-tidy: no library sources in $build/compile_commands.json" >&2
		status=1
		return
	}
	local out=$build/clang-tidy.log
	printf '%s\0' "${files[@]}" |
		xargs -0 -n 1 -P "$jobs" "$clang_tidy" -p "$build" --quiet >"$out" 2>"$out.stderr" || true
	if grep -q 'error:' "$out" "$out.stderr"; then
		grep -h 'error:' "$out" "$out.stderr" | sort -u >&2
		echo "clang-tidy: errors (above)"
		status=1
		return
	fi
	# every warning once (headers are seen from several sources), minus the listed ones
	local findings=0 line file ln check rel n i skip
	while IFS= read -r line; do
		file=${line%%:*}
		rel=${file#"$root"/}
		ln=$(cut -d: -f2 <<<"$line")
		check=$(sed -n 's/.*\[\([^]]*\)\]$/\1/p' <<<"$line")
		skip=0
		while read -r n i; do
			if [ "$n" = "$ln" ]; then
				skip=1
				fp_used[$i]=1
			fi
		done < <(fp_lines clang-tidy "$check" "$rel")
		[ "$skip" = 1 ] && continue
		echo "${line#"$root"/}"
		findings=$((findings + 1))
	done < <(grep -E '^[^ ]+:[0-9]+:[0-9]+: warning: .*\[[^]]+\]$' "$out" | LC_ALL=C sort -u)
	if [ "$findings" -eq 0 ]; then
		echo "clang-tidy: clean (${#files[@]} sources)"
	else
		echo "clang-tidy: $findings FINDINGS (above; full output in $out)"
		status=1
	fi
}

[ "$what" = clang-tidy ] || run_cppcheck
[ "$what" = cppcheck ] || run_clang_tidy

# entries that matched nothing: the code changed, drop them
for i in "${!false_positives[@]}"; do
	IFS='~' read -r t c f _ <<<"${false_positives[i]}"
	[ "$what" = all ] || [ "$what" = "$t" ] || continue
	[ -n "${fp_used[$i]:-}" ] || echo "note: stale false-positive entry, no such line or finding any more: $t $c $f"
done

exit "$status"
