#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# scripts/test.sh: everything CI checks, on a fresh Debian 12 machine.
#
#   1. installs the Debian packages that are missing (and only those);
#   2. configures and builds every preset: dev, clang, asan, coverage,
#      aarch64, arm32, riscv64;
#   3. runs the tests: dev, the QEMU acceptance scenarios, the unit and
#      backend tests under valgrind, clang, asan, and coverage (with an lcov
#      report in build/coverage/html, and the thresholds of
#      scripts/coverage-check.sh enforced: >= 95% lines and >= 85% branches
#      for src/ and for each backends/NAME/);
#   4. checks that the cross-built libraries use no hosted C library symbols;
#   5. builds the API documentation with zero Doxygen warnings;
#   6. builds the two downstream consumer projects (add_subdirectory, and
#      find_package + pkg-config after installing to a temporary prefix), and
#      every example from the installed package with its optional hosted
#      components (POSIX port, software IOMMU models, walker), and runs them;
#   7. runs the demo.
#
# Environment:
#   JOBS=N                 parallel build/test jobs (default 2)
#   IOMM_TEST_QUICK=1      fewer iterations in randomised tests
#                          (exports IOMM_TEST_ITERATIONS=1000 unless set)
#   IOMM_TEST_ITERATIONS   passed through to the tests
#   IOMM_MEMCHECK_ITERATIONS  iterations under valgrind (default 500)
#   IOMM_COVERAGE_ITERATIONS  iterations in the coverage run (default 20000)
#   IOMM_SKIP_QEMU=1       neither install QEMU nor run the QEMU scenarios
#   IOMM_MEMCHECK_EXCLUDE  regex of unit tests not run under valgrind
#                          (default: the 16k, 64k and geometry variants;
#                          set it empty to run them all)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$(pwd)

jobs=${JOBS:-2}
presets=(dev clang asan coverage aarch64 arm32 riscv64)
steps=0
current="setup"
start_time=$(date +%s)

if [ -n "${IOMM_TEST_QUICK:-}" ] && [ "${IOMM_TEST_QUICK}" != 0 ]; then
	export IOMM_TEST_ITERATIONS=${IOMM_TEST_ITERATIONS:-1000}
fi

on_exit() {
	local rc=$?
	if [ $rc -ne 0 ]; then
		echo >&2
		echo "scripts/test.sh: FAILED during: $current (exit status $rc)" >&2
	fi
}
trap on_exit EXIT

section() {
	current=$*
	echo
	echo "================================================================"
	echo "== [$((steps + 1))] $*"
	echo "================================================================"
}

done_step() {
	steps=$((steps + 1))
}

# ---- 1. packages ------------------------------------------------------------

# shellcheck source=scripts/lib/packages.sh
. scripts/lib/packages.sh

install_missing() {
	pkg_want cmake cmake ctest
	pkg_want make make
	pkg_want python3 python3
	pkg_want gcc gcc gcov
	pkg_want libc6-dev /usr/include/stdio.h
	pkg_want clang clang
	# The cross compilers' C library headers come only as their recommends:
	# named here (the aarch64 device-tree scenarios include libfdt.h, which
	# includes <stdlib.h>).
	pkg_want gcc-aarch64-linux-gnu aarch64-linux-gnu-gcc aarch64-linux-gnu-nm
	pkg_want libc6-dev-arm64-cross /usr/aarch64-linux-gnu/include/stdlib.h
	pkg_want gcc-riscv64-linux-gnu riscv64-linux-gnu-gcc # riscv64 QEMU port: freestanding, no libc headers
	pkg_want gcc-arm-linux-gnueabihf arm-linux-gnueabihf-gcc arm-linux-gnueabihf-nm
	pkg_want libc6-dev-armhf-cross /usr/arm-linux-gnueabihf/include/stdlib.h
	pkg_want libcmocka-dev /usr/include/cmocka.h
	pkg_want libfdt-dev /usr/include/libfdt.h # device tree discovery (IOMM_DISCOVERY_FDT)
	pkg_want doxygen doxygen
	pkg_want lcov lcov genhtml
	pkg_want valgrind valgrind
	pkg_want pkg-config pkg-config
	pkg_want binutils nm
	pkg_want cppcheck cppcheck
	pkg_want clang-tidy clang-tidy
	pkg_want libclang-rt-14-dev /usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/libclang_rt.fuzzer-x86_64.a
	# The sanitizers symbolize their reports with llvm-symbolizer (a
	# recommends of clang): without it ThreadSanitizer prints no frames.
	pkg_want llvm-14 /usr/lib/llvm-14/bin/llvm-symbolizer
	pkg_install_missing
	echo "all required packages are present"
}

section "packages"
install_missing
cmake --version | head -n 1
# The QEMU acceptance scenarios (tests/qemu) need QEMU >= 10, which Debian 12
# has only in bookworm-backports; scripts/qemu-install.sh sets that up. Once
# it succeeded, a scenario that cannot run fails instead of being skipped.
if [ -x scripts/qemu-install.sh ] && [ -z "${IOMM_SKIP_QEMU:-}" ]; then
	if scripts/qemu-install.sh; then
		export IOMM_QEMU_REQUIRE=1
	else
		echo "WARNING: QEMU >= 10 unavailable: the QEMU scenarios will report Skipped" >&2
	fi
fi
done_step

# ---- 2. configure and build every preset ---------------------------------

for p in "${presets[@]}"; do
	section "configure + build: $p"
	cmake --preset "$p"
	cmake --build --preset "$p" -j "$jobs"
	done_step
done

# ---- 3. tests -----------------------------------------------------------------

section "tests: dev"
ctest --preset dev -LE qemu -j "$jobs" --output-on-failure
done_step

section "tests: QEMU acceptance scenarios (dev)"
# Bare-metal programs built with the cross/-m32 compilers, independent of the
# host preset: run once, here, rather than in every preset.
if [ -n "${IOMM_SKIP_QEMU:-}" ]; then
	echo "skipped (IOMM_SKIP_QEMU is set)"
else
	ctest --preset dev -L qemu -j "$jobs" --output-on-failure
fi
done_step

section "tests: dev unit and backend tests under valgrind memcheck"
# Valgrind slows the tests down some 30-50 times, so this step runs each unit
# test with few iterations (IOMM_TEST_ITERATIONS) and skips the 16K, 64K and
# geometry variants, which take minutes each under valgrind; the plain and
# ASan runs above and below cover them in full. Dashboard mode (-T) ignores
# test presets, hence --test-dir.
memcheck_dir=$root/build/dev/Testing/Temporary
memcheck_exclude=${IOMM_MEMCHECK_EXCLUDE-'\.(16k|64k|geometry)$'}
rm -f "$memcheck_dir"/MemoryChecker.*.log
if ! IOMM_TEST_ITERATIONS=${IOMM_MEMCHECK_ITERATIONS:-500} \
	ctest --test-dir build/dev -L '^(unit|smmuv3|smmuv2|discovery)$' ${memcheck_exclude:+-E "$memcheck_exclude"} \
	-j "$jobs" --output-on-failure -T memcheck \
	--overwrite "MemoryCheckCommand=$(command -v valgrind)" \
	--overwrite "MemoryCheckCommandOptions=--error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite,indirect" \
	2> >(grep -v 'DartConfiguration.tcl' >&2); then
	for log in "$memcheck_dir"/MemoryChecker.*.log; do
		[ -s "$log" ] || continue
		echo "---- $log"
		cat "$log"
	done
	exit 1
fi
done_step

# The clang preset builds at -Os: the code paths compiled only under
# __OPTIMIZE_SIZE__ (src/pgtable, iomm_zero_table) are the ones the footprint
# goal is measured on, and they are tested here.
section "tests: clang at -Os"
ctest --preset clang -LE qemu -j "$jobs" --output-on-failure
done_step

section "tests: asan (AddressSanitizer + UndefinedBehaviorSanitizer)"
ctest --preset asan -LE qemu -j "$jobs" --output-on-failure
done_step

section "tests: coverage (lcov report in build/coverage/html)"
cov=$root/build/coverage
lcov --quiet --zerocounters --directory "$cov"
# A zero baseline first, so that files no test runs count as uncovered.
# (Debian's lcov 1.16 warns about redefined subroutines on every run: noise.)
lcov --quiet --capture --initial --directory "$cov" --output-file "$cov/base.info" \
	--rc lcov_branch_coverage=1 2> >(grep -v '^Subroutine .* redefined' >&2)
# Counting every execution makes the randomised tests slow, and beyond a few
# thousand operations they add no coverage: fewer iterations here.
IOMM_TEST_ITERATIONS=${IOMM_COVERAGE_ITERATIONS:-${IOMM_TEST_ITERATIONS:-20000}} \
	ctest --preset coverage -LE qemu -j "$jobs" --output-on-failure
lcov --quiet --capture --directory "$cov" --output-file "$cov/tests.info" \
	--rc lcov_branch_coverage=1 2> >(grep -v '^Subroutine .* redefined' >&2)
lcov --quiet --add-tracefile "$cov/base.info" --add-tracefile "$cov/tests.info" \
	--output-file "$cov/all.info" --rc lcov_branch_coverage=1
lcov --quiet --extract "$cov/all.info" "$root/src/*" "$root/include/*" "$root/backends/*" \
	--output-file "$cov/coverage.info" --rc lcov_branch_coverage=1
rm -rf "$cov/html"
genhtml --quiet --branch-coverage --title "iommuman" --output-directory "$cov/html" \
	"$cov/coverage.info"
lcov --summary "$cov/coverage.info" --rc lcov_branch_coverage=1
echo "report: build/coverage/html/index.html"
# Enforced: src/ and every backends/NAME/ at the thresholds of the script.
"$root/scripts/coverage-check.sh" "$cov/coverage.info"
done_step

# ---- 4. freestanding symbol check ---------------------------------------------

section "symbols: aarch64"
scripts/check-symbols.sh build/aarch64 aarch64-linux-gnu-nm
done_step

section "symbols: arm32"
scripts/check-symbols.sh build/arm32 arm-linux-gnueabihf-nm
done_step

section "symbols: riscv64"
scripts/check-symbols.sh build/riscv64 riscv64-linux-gnu-nm
done_step

# ---- 5. documentation ---------------------------------------------------------

section "docs (Doxygen, warnings are errors)"
cmake --build --preset docs
test -f build/dev/docs/html/index.html
echo "documentation: build/dev/docs/html/index.html"
done_step

# ---- 6. downstream consumers ----------------------------------------------------

ds=$root/build/downstream
rm -rf "$ds"
mkdir -p "$ds"

section "static analysis (cppcheck, clang-tidy)"
scripts/static-analysis.sh
done_step

section "error paths: every documented (function, error) pair has a misuse case"
scripts/check-error-paths.sh
done_step

section "footprint: core + LPAE + SMMUv3 under 30 KiB of .text (minimal configuration)"
scripts/footprint.sh --stdout >/dev/null
done_step

section "ThreadSanitizer stress test"
cmake -S . -B build/tsan -DCMAKE_C_COMPILER=clang -DIOMM_TSAN=ON -DIOMM_BACKEND_SMMUV3=ON \
	-DIOMM_WERROR=ON -DIOMM_BUILD_BENCH=OFF -DIOMM_BUILD_DOCS=OFF >/dev/null
cmake --build build/tsan -j "$jobs" --target iomm_stress
ctest --test-dir build/tsan -L tsan --output-on-failure
done_step

section "fuzzing (libFuzzer, ${IOMM_FUZZ_SECONDS:-30} s per target)"
scripts/fuzz.sh all "${IOMM_FUZZ_SECONDS:-30}"
ctest --test-dir build/fuzz -L fuzz --output-on-failure
done_step

section "downstream: add_subdirectory"
cmake -S tests/downstream/add_subdirectory -B "$ds/add_subdirectory" \
	-DIOMMUMAN_SOURCE_DIR="$root"
cmake --build "$ds/add_subdirectory" -j "$jobs"
"$ds/add_subdirectory/consumer"
done_step

section "downstream: install, find_package and pkg-config"
prefix=$ds/prefix
cmake --install build/dev --prefix "$prefix"
cmake -S tests/downstream/find_package -B "$ds/find_package" -DCMAKE_PREFIX_PATH="$prefix"
cmake --build "$ds/find_package" -j "$jobs"
"$ds/find_package/consumer"
pc=$(find "$prefix" -name iommuman.pc -print -quit)
[ -n "$pc" ] || { echo "iommuman.pc was not installed" >&2; exit 1; }
export PKG_CONFIG_PATH
PKG_CONFIG_PATH=$(dirname "$pc")
echo "pkg-config: $(pkg-config --modversion iommuman): $(pkg-config --cflags --libs iommuman)"
# shellcheck disable=SC2046 # word splitting of pkg-config output is intended
${CC:-gcc} -std=c11 -Wall -Wextra -Werror $(pkg-config --cflags iommuman) \
	tests/downstream/consumer.c $(pkg-config --libs iommuman) -o "$ds/pkgconfig-consumer"
"$ds/pkgconfig-consumer"
done_step

section "downstream: every example from the installed package (find_package and pkg-config)"
# The optional components the hosted install adds: the POSIX port, the
# software IOMMU models and the table walker.
cmake -S tests/downstream/examples -B "$ds/examples" -DCMAKE_PREFIX_PATH="$prefix"
cmake --build "$ds/examples" -j "$jobs"
ste_words="d 100000000000 040a355800000005 0x7000001000"
for e in demo_stage2 guest_driver host_vmm roles_demo; do
	"$ds/examples/$e" >"$ds/examples/$e.out"
	echo "find_package: $e ran"
done
# shellcheck disable=SC2086 # the words are separate arguments
"$ds/examples/iomm-dump" ste $ste_words >"$ds/examples/iomm-dump.out"
echo "find_package: iomm-dump ran"
pc_build() { # pc_build NAME MODULES SOURCES...: build NAME with pkg-config MODULES
	local name=$1 modules=$2
	shift 2
	# shellcheck disable=SC2046,SC2086 # word splitting of pkg-config output is intended
	${CC:-gcc} -std=c11 -Wall -Wextra -Wpedantic -Werror $(pkg-config --cflags $modules) \
		"$@" $(pkg-config --libs $modules) -o "$ds/pkgconfig-$name"
}
pc_build demo_stage2 iommuman examples/demo_stage2.c
pc_build guest_driver iommuman examples/guest_driver.c
pc_build host_vmm "iommuman-posix iommuman-models" examples/host_vmm.c
pc_build roles_demo "iommuman-posix iommuman-models" examples/roles_demo.c
pc_build iomm-dump iommuman-walker examples/tools/iomm-dump.c examples/tools/iomm-dump-decode.c
for e in demo_stage2 guest_driver host_vmm roles_demo; do
	"$ds/pkgconfig-$e" >"$ds/pkgconfig-$e.out"
	echo "pkg-config: $e ran"
done
# shellcheck disable=SC2086
"$ds/pkgconfig-iomm-dump" ste $ste_words >"$ds/pkgconfig-iomm-dump.out"
echo "pkg-config: iomm-dump ran"
done_step

# ---- 7. demo ---------------------------------------------------------------------

section "demo"
scripts/demo.sh
done_step

current="summary"
elapsed=$(($(date +%s) - start_time))
echo
echo "scripts/test.sh: all $steps steps passed in $((elapsed / 60))m$((elapsed % 60))s"
