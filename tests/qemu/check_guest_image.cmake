# SPDX-License-Identifier: BSD-3-Clause
#
# The hypervisor example's guest image holds no host code: no symbol of the
# host role (src/host), of a hardware backend, of the host example
# (examples/hypervisor/host) or of the bare-metal port and harness
# (tests/qemu/common). Run by CTest as
#
#   cmake -DNM=<cross nm> -DELF=<hypervisor-guest.elf> -P check_guest_image.cmake
#
# It lists every defined symbol (global and local) with nm and fails on any
# whose name matches one of the patterns below, or when nm fails or the
# image lacks the guest's own entry point (guest_main), so an empty or
# unreadable image does not pass.
if(NOT NM OR NOT ELF)
  message(FATAL_ERROR "usage: cmake -DNM=<nm> -DELF=<image> -P check_guest_image.cmake")
endif()
if(NOT EXISTS "${ELF}")
  message(FATAL_ERROR "${ELF} does not exist: build the hypervisor-guest-elf target first")
endif()

set(_host_patterns
  "^iomm_vm_"           # the host role: VMs, assignment, doorbell, fault routing
  "^iomm_vsmmu_"        # the emulated SMMUv3 of the host role
  "^iomm_viommu_dev_"   # the host's virtio-iommu device model
  "^iomm_vmmio_front_"  # the host's virtio-mmio front
  "^iomm_smmuv3_"       # hardware backends
  "^iomm_smmuv2_"
  "^iomm_vtd_"
  "^iomm_riscv_"
  "^hv_"                # examples/hypervisor/host
  "^qemu_el2_vectors$"
  "^scenario_main$"
  "^qemu_"              # the bare-metal port and harness of tests/qemu/common
  "^harness_"
  "^pci_cfg_")

execute_process(COMMAND "${NM}" --defined-only "${ELF}"
  RESULT_VARIABLE _rc OUTPUT_VARIABLE _out ERROR_VARIABLE _err)
if(NOT _rc EQUAL 0)
  message(FATAL_ERROR "${NM} failed on ${ELF} (${_rc}): ${_err}")
endif()
string(REPLACE "\n" ";" _lines "${_out}")
set(_found "")
set(_have_main FALSE)
foreach(_line IN LISTS _lines)
  # "<value> <type> <name>"
  if(NOT _line MATCHES "^[0-9a-fA-F]+ [A-Za-z] ([^ ]+)$")
    continue()
  endif()
  set(_sym "${CMAKE_MATCH_1}")
  if(_sym STREQUAL "guest_main")
    set(_have_main TRUE)
  endif()
  foreach(_p IN LISTS _host_patterns)
    if(_sym MATCHES "${_p}")
      list(APPEND _found "${_sym}")
      break()
    endif()
  endforeach()
endforeach()
if(NOT _have_main)
  message(FATAL_ERROR "${ELF}: no guest_main among its symbols; not the guest image?")
endif()
if(_found)
  list(REMOVE_DUPLICATES _found)
  list(JOIN _found " " _list)
  message(FATAL_ERROR "${ELF} contains host code: ${_list}")
endif()
message(STATUS "${ELF}: no host symbol")
