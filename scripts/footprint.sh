#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# scripts/footprint.sh: measure the code size of the freestanding library.
#
#   scripts/footprint.sh            build, measure, write docs/footprint.md
#   scripts/footprint.sh --stdout   build, measure, print the report only
#
# Builds the static library (core and every backend in backends/) at -Os
# (CMAKE_BUILD_TYPE=MinSizeRel), freestanding, for
#   aarch64  with aarch64-linux-gnu-gcc (cmake/toolchains/aarch64-linux-gnu.cmake:
#            -ffreestanding -mgeneral-regs-only), -fno-pic
#   x86_64   with the host gcc, -ffreestanding -fno-pic -mno-red-zone and no
#            SSE/MMX/x87 (kernel-style)
# both with -fno-stack-protector, no unwind tables and one section per
# function, measures every object with size -A (.text*, .rodata*, .data*,
# .bss* sections), groups them into the core (src/) and each backend
# (backends/NAME/), and writes the tables to docs/footprint.md.
#
# The goal: core + LPAE + SMMUv3 under 30 KiB of .text on each architecture,
# counting the objects of src/ except the host (VMM) role ones listed in
# host_role and the optional ones listed in optional below, plus
# backends/smmuv3, in the minimal configuration (-DIOMM_NO_REFUSE_TEXT: no
# texts saying why a call was refused). The default configuration, with
# those texts, is built and reported beside it. Exit status 1 when the goal
# is not met (the report is written anyway).
#
# Environment:
#   IOMM_FOOTPRINT_BUILD_DIR  build directory prefix (default: build/footprint)
#   AARCH64_PREFIX            cross prefix (default: aarch64-linux-gnu-)
#   X86_64_CC                 x86_64 compiler (default: gcc on x86_64 hosts,
#                             x86_64-linux-gnu-gcc elsewhere)
#   JOBS                      parallel build jobs (default 2)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$(pwd)

out=docs/footprint.md
to_stdout=0
case ${1:-} in
"") ;;
--stdout) to_stdout=1 ;;
*)
	echo "usage: $0 [--stdout]" >&2
	exit 2
	;;
esac

goal_kib=30
# Objects only a host (VMM) needs: counted in "core (src/)" but not in the goal.
host_role="src/host/vm.c src/host/viommu_dev.c src/host/vmmio_front.c"
# Optional components, also outside the goal: board descriptions and firmware
# discovery (config.h, discovery.h); a final link drops them when unused.
optional="src/config.c src/discovery.c src/discovery_acpi.c src/fdt/discovery_fdt_stub.c"
prefix=${IOMM_FOOTPRINT_BUILD_DIR:-build/footprint}
case $prefix in /*) ;; *) prefix=$root/$prefix ;; esac
jobs=${JOBS:-2}
a64=${AARCH64_PREFIX:-aarch64-linux-gnu-}
if [ -n "${X86_64_CC:-}" ]; then
	x86cc=$X86_64_CC
elif [ "$(uname -m)" = x86_64 ]; then
	x86cc=gcc
else
	x86cc=x86_64-linux-gnu-gcc
fi

a64_flags="-fno-pic"
common_flags="-fno-stack-protector -fno-asynchronous-unwind-tables -fno-unwind-tables -ffunction-sections -fdata-sections"
x86_flags="-ffreestanding -fno-pic -mno-red-zone -mno-mmx -mno-sse -mno-sse2 -mno-80387 -mcmodel=kernel"

# build ARCH [VARIANT]: VARIANT "diag" is the default configuration (refusal
# texts in); without it the minimal one the goal is measured on.
build() {
	local arch=$1 variant=${2:-} dir=$prefix-$1${2:+-$2}
	local minimal="-DIOMM_NO_REFUSE_TEXT"
	[ "$variant" = diag ] && minimal=
	local -a cfg=(-S "$root" -B "$dir"
		-DCMAKE_BUILD_TYPE=MinSizeRel
		-DIOMM_LIBRARY_ONLY=ON -DIOMM_WERROR=ON
		-DIOMM_BUILD_PORT_TEMPLATE=OFF -DIOMM_BUILD_DOCS=OFF -DIOMM_INSTALL=OFF)
	local b
	for b in "$root"/backends/*/CMakeLists.txt; do
		b=$(basename "$(dirname "$b")")
		cfg+=(-DIOMM_BACKEND_"$(tr '[:lower:]' '[:upper:]' <<<"$b")"=ON)
	done
	if [ "$arch" = aarch64 ]; then
		cfg+=(-DCMAKE_TOOLCHAIN_FILE="$root/cmake/toolchains/aarch64-linux-gnu.cmake"
			-DIOMM_CROSS_PREFIX="$a64" -DCMAKE_C_FLAGS="$minimal $a64_flags $common_flags")
	else
		cfg+=(-DCMAKE_C_COMPILER="$x86cc" -DCMAKE_SYSTEM_NAME=Generic -DCMAKE_SYSTEM_PROCESSOR=x86_64
			-DCMAKE_TRY_COMPILE_TARGET_TYPE=STATIC_LIBRARY
			-DCMAKE_C_FLAGS="$minimal $x86_flags $common_flags")
	fi
	mkdir -p "$(dirname "$dir")"
	rm -rf "$dir"
	cmake "${cfg[@]}" >"$dir.configure.log" 2>&1 || {
		cat "$dir.configure.log" >&2
		return 1
	}
	cmake --build "$dir" -j "$jobs" >"$dir.build.log" 2>&1 || {
		cat "$dir.build.log" >&2
		return 1
	}
}

# measure ARCH SIZE-TOOL [VARIANT]: prints "group object text rodata data bss in-goal" lines
measure() {
	local dir=$prefix-$1${3:+-$3} size=$2 o rel group
	while IFS= read -r o; do
		rel=${o#*/iommuman.dir/}
		case $rel in
		src/*) group=core ;;
		backends/*)
			group=${rel#backends/}
			group=${group%%/*}
			;;
		*) group=other ;;
		esac
		rel=${rel%.obj}
		rel=${rel%.o}
		local in_goal=0
		if [ "$group" = smmuv3 ]; then
			in_goal=1
		elif [ "$group" = core ]; then
			in_goal=1
			case " $host_role $optional " in *" $rel "*) in_goal=0 ;; esac
		fi
		"$size" -A "$o" | awk -v g="$group" -v f="$rel" -v goal="$in_goal" '
			$1 ~ /^\.text/ { t += $2 }
			$1 ~ /^\.rodata/ { r += $2 }
			$1 ~ /^\.data/ { d += $2 }
			$1 ~ /^\.bss/ || $1 == "COMMON" { b += $2 }
			END { printf "%s %s %d %d %d %d %d\n", g, f, t, r, d, b, goal }'
	done < <(find "$dir" -path '*/iommuman.dir/*' \( -name '*.o' -o -name '*.obj' \) | LC_ALL=C sort)
}

kib() {
	awk -v b="$1" 'BEGIN { printf "%.1f", b / 1024 }'
}

size_tool() {
	if [ "$1" = aarch64 ]; then
		if command -v "${a64}size" >/dev/null 2>&1; then echo "${a64}size"; else echo size; fi
	else
		echo size
	fi
}

cc_version() {
	if [ "$1" = aarch64 ]; then
		"${a64}gcc" --version | head -n 1
	else
		"$x86cc" --version | head -n 1
	fi
}

arches=(aarch64 x86_64)
declare -A data
status=0
for arch in "${arches[@]}"; do
	echo "== building for $arch" >&2
	build "$arch"
	data[$arch]=$(measure "$arch" "$(size_tool "$arch")")
	build "$arch" diag
	data[$arch-diag]=$(measure "$arch" "$(size_tool "$arch")" diag)
done

goal_total() {
	awk '$7 == 1 { t += $3 } END { print t + 0 }' <<<"${data[$1]}"
}

report() {
	local arch total met
	echo "<!-- Generated by scripts/footprint.sh. Do not edit: run the script again. -->"
	echo "# Code size"
	echo
	echo "The freestanding library (core and every backend) built at \`-Os\`"
	echo "(\`CMAKE_BUILD_TYPE=MinSizeRel\`), one section per function, no unwind"
	echo "tables, no stack protector; sizes in bytes from \`size -A\` on each object"
	echo "(\`.text\` is code only; constant tables are in \`.rodata\`). These are upper"
	echo "bounds: a final link with \`--gc-sections\` drops what an image does not call."
	echo
	echo "**Goal: core + LPAE + SMMUv3 under ${goal_kib} KiB of \`.text\` on each architecture,"
	echo "in the minimal configuration** (\`-DIOMM_NO_REFUSE_TEXT\`: refused calls return"
	echo "their status without the DEBUG line that says why)."
	echo "That is the objects of \`src/\` except the host (VMM) role ones"
	echo "($(sed 's/\([^ ]*\)/`\1`/g; s/ /, /g' <<<"$host_role")) and the optional board"
	echo "description and discovery ones ($(sed 's/\([^ ]*\)/`\1`/g; s/ /, /g' <<<"$optional")),"
	echo "plus \`backends/smmuv3\`. The default configuration carries those texts; its"
	echo "figure is in the column \"default build\" (not part of the goal)."
	echo
	echo "| architecture | compiler | core + LPAE + SMMUv3 | goal | met | default build (with refusal texts) | all of \`src/\` + SMMUv3 | everything |"
	echo "|---|---|---:|---:|---|---:|---:|---:|"
	for arch in "${arches[@]}"; do
		total=$(goal_total "$arch")
		local diag
		diag=$(goal_total "$arch-diag")
		if [ "$total" -lt $((goal_kib * 1024)) ]; then met=yes; else met="**no**"; fi
		local srcs all
		srcs=$(awk '$1 == "core" || $1 == "smmuv3" { t += $3 } END { print t + 0 }' <<<"${data[$arch]}")
		all=$(awk '{ t += $3 } END { print t + 0 }' <<<"${data[$arch]}")
		echo "| $arch | $(cc_version "$arch") | $total ($(kib "$total") KiB) | $((goal_kib * 1024)) | $met | $diag ($(kib "$diag") KiB) | $srcs ($(kib "$srcs") KiB) | $all ($(kib "$all") KiB) |"
	done
	echo
	echo "Build flags:"
	echo
	echo "- aarch64: \`-Os -ffreestanding -mgeneral-regs-only $a64_flags $common_flags\`"
	echo "- x86_64: \`-Os $x86_flags $common_flags\`"
	echo "- minimal configuration (the goal and the tables below): plus \`-DIOMM_NO_REFUSE_TEXT\`"
	echo
	for arch in "${arches[@]}"; do
		echo "## $arch"
		echo
		echo "| group | object | .text | .rodata | .data | .bss | in goal |"
		echo "|---|---|---:|---:|---:|---:|---|"
		awk '{ printf "| %s | %s | %d | %d | %d | %d | %s |\n", $1, $2, $3, $4, $5, $6, $7 ? "yes" : "no" }' \
			<<<"${data[$arch]}"
		awk '{ t[$1] += $3; r[$1] += $4; d[$1] += $5; b[$1] += $6; n[$1] = 1 }
			END {
				for (g in n)
					printf "| **%s** | total | **%d** | %d | %d | %d | |\n", g, t[g], r[g], d[g], b[g]
			}' <<<"${data[$arch]}" | LC_ALL=C sort
		awk '$7 == 1 { t += $3; r += $4; d += $5; b += $6 }
			END { printf "| **goal** | core + LPAE + SMMUv3 | **%d** | %d | %d | %d | |\n", t, r, d, b }' \
			<<<"${data[$arch]}"
		awk '{ t += $3; r += $4; d += $5; b += $6 }
			END { printf "| **all** | every object | **%d** | %d | %d | %d | |\n", t, r, d, b }' \
			<<<"${data[$arch]}"
		echo
	done
}

text=$(report)
for arch in "${arches[@]}"; do
	total=$(goal_total "$arch")
	if [ "$total" -lt $((goal_kib * 1024)) ]; then
		echo "$arch: core + LPAE + SMMUv3 .text $total bytes ($(kib "$total") KiB): under ${goal_kib} KiB" >&2
	else
		echo "$arch: core + LPAE + SMMUv3 .text $total bytes ($(kib "$total") KiB): OVER ${goal_kib} KiB" >&2
		status=1
	fi
done
if [ "$to_stdout" = 1 ]; then
	printf '%s\n' "$text"
else
	printf '%s\n' "$text" >"$out"
	echo "wrote $out" >&2
fi
exit "$status"
