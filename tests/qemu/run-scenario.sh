#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# tests/qemu/run-scenario.sh: run one bare-metal scenario in QEMU and turn
# QEMU's exit status into a CTest verdict.
#
#   run-scenario.sh ARCH ELF LOG TIMEOUT [QEMU-MACHINE-ARGS...]
#   run-scenario.sh --skip REASON
#
# ARCH is aarch64, x86 or riscv64. The QEMU command line is the one measured
# for QEMU 10 (see tests/qemu/README.md):
#   aarch64: qemu-system-aarch64 MACHINE-ARGS -m 256M -nographic -no-reboot
#            -nic none -semihosting -kernel ELF
#   x86:     qemu-system-x86_64 MACHINE-ARGS -m 256M -nographic -no-reboot
#            -nic none -device isa-debug-exit,iobase=0xf4,iosize=0x04 -kernel ELF
#   riscv64: qemu-system-riscv64 MACHINE-ARGS -m 256M -nographic -no-reboot
#            -nic none -bios none -kernel ELF
# MACHINE-ARGS come from tests/qemu/CMakeLists.txt (machine, CPU, IOMMU and
# the edu device with its fixed addr=). QEMU runs under `timeout TIMEOUT`.
# The console goes to LOG (kept in the build tree) and is printed when the
# scenario does not pass.
#
# Verdict: pass only if QEMU's exit status is the port's pass status (0 on
# aarch64 via semihosting SYS_EXIT; 67 on x86, isa-debug-exit value 0x21;
# 0 on riscv64, the SiFive test device's pass value 0x5555)
# AND the log holds "QEMU-SCENARIO-VERDICT: PASS". Everything else fails,
# timeouts included. Exit 77 (CTest SKIP_RETURN_CODE) when QEMU >= 10 or
# the cross compiler is missing, with the reason: never a silent pass.
#
# Environment:
#   IOMM_QEMU_AARCH64, IOMM_QEMU_X86, IOMM_QEMU_RISCV64
#                                     override the QEMU binaries
#   IOMM_QEMU_REQUIRE=1               a missing QEMU or compiler fails instead
#                                     of skipping (for CI after qemu-install.sh)
set -u

skip=77
if [ "${IOMM_QEMU_REQUIRE:-0}" != 0 ]; then
	skip=1
fi
min_major=10

if [ "${1:-}" = --skip ]; then
	[ $skip -eq 77 ] || echo "FAIL: IOMM_QEMU_REQUIRE is set and the scenario cannot run:"
	echo "SKIPPED: ${2:-no reason given}"
	exit $skip
fi
if [ $# -lt 4 ]; then
	echo "usage: $0 ARCH ELF LOG TIMEOUT [QEMU-MACHINE-ARGS...] | --skip REASON" >&2
	exit 2
fi

arch=$1 elf=$2 log=$3 limit=$4
shift 4

case $arch in
aarch64)
	qemu=${IOMM_QEMU_AARCH64:-qemu-system-aarch64}
	extra=(-semihosting)
	pass_status=0
	;;
x86)
	qemu=${IOMM_QEMU_X86:-qemu-system-x86_64}
	extra=(-device "isa-debug-exit,iobase=0xf4,iosize=0x04")
	pass_status=67
	;;
riscv64)
	qemu=${IOMM_QEMU_RISCV64:-qemu-system-riscv64}
	extra=(-bios none)
	pass_status=0
	;;
*)
	echo "unknown ARCH '$arch' (aarch64, x86 or riscv64)" >&2
	exit 2
	;;
esac

if ! command -v "$qemu" >/dev/null 2>&1; then
	[ $skip -eq 77 ] || echo "FAIL: IOMM_QEMU_REQUIRE is set and the scenario cannot run:"
	echo "SKIPPED: $qemu not found (run scripts/qemu-install.sh)"
	exit $skip
fi
version=$("$qemu" --version 2>/dev/null | sed -n 's/.*version \([0-9][0-9]*\.[0-9][0-9]*\).*/\1/p' | head -n 1)
if [ -z "$version" ] || [ "${version%%.*}" -lt $min_major ]; then
	[ $skip -eq 77 ] || echo "FAIL: IOMM_QEMU_REQUIRE is set and the scenario cannot run:"
	echo "SKIPPED: $qemu reports version '${version:-unknown}', need >= $min_major (run scripts/qemu-install.sh)"
	exit $skip
fi
command -v timeout >/dev/null 2>&1 || { echo "timeout (coreutils) not found" >&2; exit 2; }
if [ ! -f "$elf" ]; then
	echo "FAIL: $elf does not exist (was the build run?)"
	exit 1
fi

cmd=("$qemu" "$@" -m 256M -nographic -no-reboot -nic none "${extra[@]}" -kernel "$elf")
mkdir -p "$(dirname "$log")"
echo "# QEMU $version, timeout ${limit}s: ${cmd[*]}" >"$log"
start=$(date +%s%N)
timeout -k 5 "$limit" "${cmd[@]}" </dev/null >>"$log" 2>&1
status=$?
elapsed_ms=$((($(date +%s%N) - start) / 1000000))

verdict=$(grep -a -o 'QEMU-SCENARIO-VERDICT: [A-Z]*.*' "$log" | tr -d '\r' | tail -n 1)
reason=
if [ $status -eq 124 ] || [ $status -eq 137 ]; then
	reason="timed out after ${limit}s (status $status)"
elif [ $status -ne $pass_status ]; then
	reason="QEMU exit status $status, the pass status on $arch is $pass_status"
elif ! grep -aq 'QEMU-SCENARIO-VERDICT: PASS' "$log"; then
	reason="exit status $status but no 'QEMU-SCENARIO-VERDICT: PASS' line in the log"
elif grep -aq 'QEMU-SCENARIO-VERDICT: FAIL' "$log"; then
	reason="the log holds a FAIL verdict"
fi

if [ -z "$reason" ]; then
	echo "PASS in ${elapsed_ms} ms: $verdict"
	echo "log: $log"
	exit 0
fi
echo "FAIL: $reason (${elapsed_ms} ms)"
echo "---- $log"
cat -v "$log" | sed 's/\^M$//'
echo "---- end of log"
echo "FAIL: $reason"
exit 1
