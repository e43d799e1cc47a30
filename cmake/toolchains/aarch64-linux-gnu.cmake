# Cross toolchain: 64-bit Arm, freestanding library build.
#
# Uses the Debian cross compiler (package gcc-aarch64-linux-gnu). Only the
# static library is built with this toolchain (IOMM_LIBRARY_ONLY=ON), so no
# C library or sysroot is needed: CMake's compiler checks build a static
# library instead of linking a program.
#
# Override the compiler prefix with -DIOMM_CROSS_PREFIX=... (for example a
# bare-metal aarch64-none-elf- toolchain).

set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR aarch64)

set(IOMM_CROSS_PREFIX "aarch64-linux-gnu-" CACHE STRING "Prefix of the cross tools")

set(CMAKE_C_COMPILER "${IOMM_CROSS_PREFIX}gcc")
# ar, ranlib, nm and objdump are found from the same prefix by CMake.

set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

# Code that runs at EL1/EL2 usually may not touch the FP/SIMD registers: the
# library target itself adds -mgeneral-regs-only for Generic systems
# (IOMM_BAREMETAL_FLAGS in the top-level CMakeLists.txt), so the flag
# survives a -DCMAKE_C_FLAGS=... given on the command line.
set(CMAKE_C_FLAGS_INIT "-ffreestanding")

set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
