# Cross toolchain: 32-bit Arm (hard-float EABI), freestanding library build.
#
# Uses the Debian cross compiler (package gcc-arm-linux-gnueabihf). A 32-bit
# build proves the library makes no 64-bit pointer or size_t assumptions:
# addresses stay 64-bit (uint64_t) while pointers and size_t
# are 32-bit, so -Wconversion catches every silent truncation.
#
# Override the compiler prefix with -DIOMM_CROSS_PREFIX=... (for example a
# bare-metal arm-none-eabi- toolchain).

set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR arm)

set(IOMM_CROSS_PREFIX "arm-linux-gnueabihf-" CACHE STRING "Prefix of the cross tools")

set(CMAKE_C_COMPILER "${IOMM_CROSS_PREFIX}gcc")
# ar, ranlib, nm and objdump are found from the same prefix by CMake.

set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

# The library target adds -mgeneral-regs-only (no VFP/NEON registers) for
# Generic systems: IOMM_BAREMETAL_FLAGS in the top-level CMakeLists.txt.
set(CMAKE_C_FLAGS_INIT "-ffreestanding")

set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
