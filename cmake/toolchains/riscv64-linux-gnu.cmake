# Cross toolchain: 64-bit RISC-V, freestanding library build.
#
# Uses the Debian cross compiler (package gcc-riscv64-linux-gnu). Only the
# static library is built with this toolchain (IOMM_LIBRARY_ONLY=ON), so no
# C library or sysroot is needed: CMake's compiler checks build a static
# library instead of linking a program.
#
# Override the compiler prefix with -DIOMM_CROSS_PREFIX=... (for example a
# bare-metal riscv64-unknown-elf- toolchain).

set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR riscv64)

set(IOMM_CROSS_PREFIX "riscv64-linux-gnu-" CACHE STRING "Prefix of the cross tools")

set(CMAKE_C_COMPILER "${IOMM_CROSS_PREFIX}gcc")
# ar, ranlib, nm and objdump are found from the same prefix by CMake.

set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

# S-mode or M-mode code that does not save the FP (and vector) state: an ISA
# without F, D and V and the integer-only ABI, as a kernel is built. The ISA
# and the ABI must match the rest of the image, so they are set here, not on
# the library target; the target itself adds -mcmodel=medany for Generic
# systems (IOMM_BAREMETAL_FLAGS in the top-level CMakeLists.txt), so the code
# runs wherever it is linked.
set(CMAKE_C_FLAGS_INIT "-ffreestanding -march=rv64imac_zicsr_zifencei -mabi=lp64")

set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
