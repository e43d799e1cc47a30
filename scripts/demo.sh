#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# scripts/demo.sh: build the library and run two demos: examples/demo_stage2
# (a guest's stage-2 IOMMU table and what a passed-through device may reach)
# and examples/roles_demo (the host confines a device to the guest's memory A,
# the guest narrows it to buffer B through virtio-iommu, DMA is tried inside
# B, inside A but outside B, and outside A, with a software SMMUv3).
# scripts/demo.sh --qemu tells the same story bare-metal on QEMU 10's SMMUv3
# with the edu device doing real DMA. Installs gcc, make and cmake first if they are
# missing (Debian/Ubuntu, as root or with sudo).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

jobs=${JOBS:-2}

missing=()
want() {
	local pkg=$1 c
	shift
	for c in "$@"; do
		case $c in
		/*) [ -e "$c" ] || { missing+=("$pkg"); return 0; } ;;
		*) command -v "$c" >/dev/null 2>&1 || { missing+=("$pkg"); return 0; } ;;
		esac
	done
}
want cmake cmake
want make make
want gcc gcc
want libc6-dev /usr/include/stdio.h

if [ ${#missing[@]} -gt 0 ]; then
	echo "== installing: ${missing[*]}"
	if ! command -v apt-get >/dev/null 2>&1; then
		echo "apt-get not found: please install ${missing[*]} by hand" >&2
		exit 1
	fi
	sudo=()
	if [ "$(id -u)" -ne 0 ]; then
		command -v sudo >/dev/null 2>&1 || {
			echo "not root and sudo not found: cannot install ${missing[*]}" >&2
			exit 1
		}
		sudo=(sudo)
	fi
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
		"${missing[@]}"
fi

if [ "${1:-}" = "--qemu" ]; then
	# The same story bare-metal on QEMU's SMMUv3 with the edu device doing the DMA.
	want libcmocka-dev /usr/include/cmocka.h
	if [ ${#missing[@]} -gt 0 ]; then
		echo "please run scripts/test.sh once (it installs ${missing[*]})" >&2
		exit 1
	fi
	scripts/qemu-install.sh
	cmake --preset dev >/dev/null
	cmake --build --preset dev -j "$jobs" --target qemu-roles-smmuv3-elf >/dev/null
	status=0
	ctest --preset dev -R '^qemu-roles-smmuv3$' >/dev/null || status=$?
	cat build/dev/tests/qemu/logs/qemu-roles-smmuv3.log
	exit $status
fi

echo "== building the library and the demo (build/demo)"
# CMakePresets.json needs CMake 3.25; older versions get the same settings by hand.
cmake_version=$(cmake --version | sed -n 's/^cmake version \([0-9]*\)\.\([0-9]*\).*/\1 \2/p')
read -r major minor <<<"$cmake_version"
if [ "$major" -gt 3 ] || { [ "$major" -eq 3 ] && [ "$minor" -ge 25 ]; }; then
	cmake --preset demo >/dev/null
	cmake --build --preset demo -j "$jobs" >/dev/null
else
	cmake -S . -B build/demo -DCMAKE_BUILD_TYPE=Release -DIOMM_BUILD_TESTS=OFF \
		-DIOMM_BUILD_EXAMPLES=ON -DIOMM_BUILD_BENCH=OFF -DIOMM_BUILD_DOCS=OFF \
		-DIOMM_INSTALL=OFF >/dev/null
	cmake --build build/demo -j "$jobs" >/dev/null
fi

echo "== running build/demo/examples/demo_stage2 (a guest's stage-2 table, explained)"
echo
build/demo/examples/demo_stage2
echo
echo "== running build/demo/examples/roles_demo (host region A, guest buffer B, DMA)"
echo
exec build/demo/examples/roles_demo
