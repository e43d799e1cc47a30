#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# check-symbols.sh BUILD_DIR [NM]
#
# Proves the static library is freestanding: lists the symbols
# libiommuman.a needs from elsewhere (nm -u) and fails if any of them comes
# from a hosted C library (allocation, stdio, exit/abort, ...). Compiler
# support routines such as memcpy, memset or __aeabi_uldivmod are fine.
#
# NM selects the nm to use (e.g. aarch64-linux-gnu-nm). Without it the
# script takes, in order: $NM, CMAKE_NM from BUILD_DIR/CMakeCache.txt, the
# prefix of CMAKE_C_COMPILER plus "nm", then plain nm.
set -euo pipefail

usage() {
	echo "usage: $0 BUILD_DIR [NM]" >&2
	exit 2
}

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
	usage
fi
build_dir=$1
[ -d "$build_dir" ] || { echo "check-symbols: no such directory: $build_dir" >&2; exit 2; }

lib=$(find "$build_dir" -name libiommuman.a -type f -print -quit)
if [ -z "$lib" ]; then
	echo "check-symbols: libiommuman.a not found under $build_dir (build it first)" >&2
	exit 2
fi

cache_value() {
	# cache_value NAME: value of NAME in the build's CMakeCache.txt, if any
	local cache=$build_dir/CMakeCache.txt
	[ -f "$cache" ] || return 0
	sed -n "s/^$1:[A-Z]*=//p" "$cache" | head -n 1
}

nm_tool=${2:-${NM:-}}
if [ -z "$nm_tool" ]; then
	nm_tool=$(cache_value CMAKE_NM)
fi
if [ -z "$nm_tool" ] || ! command -v "$nm_tool" >/dev/null 2>&1; then
	cc=$(cache_value CMAKE_C_COMPILER)
	cc=$(basename "${cc:-cc}")
	case $cc in
	*-gcc | *-cc) nm_tool=${cc%-*}-nm ;;
	*) nm_tool="nm" ;;
	esac
fi
command -v "$nm_tool" >/dev/null 2>&1 || { echo "check-symbols: $nm_tool not found" >&2; exit 2; }

# Required by the project: nothing that allocates, prints, opens files or
# ends the program. Also refused: their fortified and stdio variants, and
# assert(), which needs the hosted C library too.
forbidden=(
	malloc calloc realloc free
	printf fprintf puts putchar fopen sprintf snprintf vprintf
	stdout stderr exit abort
	aligned_alloc posix_memalign memalign valloc
	vfprintf vsprintf vsnprintf fputs fputc putc fwrite perror
	__printf_chk __fprintf_chk __sprintf_chk __snprintf_chk __vprintf_chk
	__vfprintf_chk __vsprintf_chk __vsnprintf_chk
	_exit __assert_fail __assert_func __assert
)

# Symbols some object needs, minus those another object of the archive defines.
needed=$("$nm_tool" -u "$lib" | awk 'NF >= 2 && $1 == "U" { print $2 }' | sort -u)
defined=$("$nm_tool" --defined-only "$lib" | awk 'NF >= 3 { print $3 }' | sort -u)
undefined=$(comm -23 <(printf '%s\n' "$needed") <(printf '%s\n' "$defined") | sed '/^$/d')

echo "check-symbols: $lib ($nm_tool)"
echo "undefined symbols (needed from outside the library):"
if [ -n "$undefined" ]; then
	printf '%s\n' "$undefined" | sed 's/^/  /'
else
	echo "  (none)"
fi

bad=()
for sym in $undefined; do
	base=${sym%%@*}
	for f in "${forbidden[@]}"; do
		if [ "$base" = "$f" ]; then
			bad+=("$sym")
		fi
	done
done

if [ ${#bad[@]} -gt 0 ]; then
	echo "check-symbols: FAILED: the library uses hosted symbols:" >&2
	for sym in "${bad[@]}"; do
		echo "  $sym" >&2
		# show which object needs it
		"$nm_tool" -A -u "$lib" 2>/dev/null | grep -E "[[:space:]]U[[:space:]]+$sym\$" | sed 's/^/    /' >&2 || true
	done
	exit 1
fi
echo "check-symbols: OK (no allocation, stdio or exit symbols)"
