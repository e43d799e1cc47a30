/* SPDX-License-Identifier: BSD-3-Clause */
/* Shared between the RISC-V IOMMU model's files; not installed. */
#ifndef RISCV_MODEL_INTERNAL_H
#define RISCV_MODEL_INTERNAL_H

#include "riscv_model.h"

/* Physical memory (queues, fence writes): 0 or -1 (beyond PAS, nothing there). */
int riscv_m_mem_read(struct riscv_model *m, uint64_t pa, void *buf, size_t len);
int riscv_m_mem_write(struct riscv_model *m, uint64_t pa, const void *buf, size_t len);
/* A DDT or page-table read as the walker makes it (the DRAM copy with cfg.dram). */
int riscv_m_walk_mem(struct riscv_model *m, uint64_t pa, void *buf, size_t len);
/* Record a fault in the fault queue (or count why not). */
void riscv_m_record_fault(struct riscv_model *m, const struct riscv_model_fault *f);

uint64_t riscv_m_ld64(const void *p);
void riscv_m_st64(void *p, uint64_t v);

#endif /* RISCV_MODEL_INTERNAL_H */
