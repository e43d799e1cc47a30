/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file port_posix.h
 * @brief Hosted (POSIX) port: what tests, examples and tools run on.
 * @ingroup port_posix
 *
 * This port is hosted code: it uses libc, pthreads and the heap. The
 * library itself never does; only this port does, on its behalf.
 *
 * Everything lives in one caller-allocated struct iomm_posix. Fill it with
 * iomm_posix_init(), hand iomm_posix_port() to the library, and tear it down
 * with iomm_posix_fini(). What it offers beyond a plain port:
 *
 * - **MMIO models.** Accesses inside a window registered with
 *   iomm_posix_add_mmio_model() go to a software model (read/write
 *   callbacks); accesses outside every window read or write plain memory at
 *   the address, treated as a pointer.
 * - **MMIO trace.** Every access (address, width, value, direction) can be
 *   recorded in a caller-provided array for tests to inspect.
 * - **Cache-clean accounting.** clean_tables() counts calls and bytes and
 *   optionally records each range, so tests can check batching.
 * - **Allocation accounting and fault injection** for page_alloc().
 * - **A fake clock** that advances a fixed step per now_ns() call, so
 *   timeout paths run in microseconds.
 * - **Log capture**: messages are counted per level, the last one is kept,
 *   and printing to stderr is filtered by a verbosity.
 *
 * Physical addresses equal virtual addresses on this port (phys_to_virt is
 * the identity), so a "physical" address is just a pointer value.
 */
#ifndef IOMMUMAN_PORT_POSIX_H
#define IOMMUMAN_PORT_POSIX_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <iommuman/port.h>
#include <iommuman/status.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @defgroup port_posix Hosted POSIX port
 * @{
 */

/** Most MMIO model windows one struct iomm_posix holds. */
#define IOMM_POSIX_MAX_WINDOWS 16

/** Size of the buffer that keeps the last log message (NUL included). */
#define IOMM_POSIX_LOG_LAST 256

/**
 * @brief A software model of a device's registers.
 *
 * Both callbacks receive the offset of the access from the window base and
 * its width in bytes (4 or 8). They are called on the thread that made the
 * access, possibly with the port lock held; they must not call back into
 * iommuman. A NULL read returns 0; a NULL write drops the value.
 */
struct iomm_posix_mmio_ops {
	/** Return the value of the register at @p offset (@p width bytes). */
	uint64_t (*read)(void *ctx, uint64_t offset, unsigned width);
	/** Store @p val to the register at @p offset (@p width bytes). */
	void (*write)(void *ctx, uint64_t offset, unsigned width, uint64_t val);
};

/** @brief One registered MMIO window. */
struct iomm_posix_window {
	uintptr_t base;                         /**< First address. */
	size_t size;                            /**< Bytes. */
	const struct iomm_posix_mmio_ops *ops;  /**< The model. */
	void *ctx;                              /**< First argument of the model's callbacks. */
};

/** @brief One recorded MMIO access. */
struct iomm_posix_mmio_access {
	uintptr_t addr; /**< Address the library passed (absolute, not window-relative). */
	uint64_t value; /**< Value read or written. */
	uint8_t width;  /**< 4 or 8 bytes. */
	bool write;     /**< true for a write, false for a read. */
	bool model;     /**< true if a model window served it, false for plain memory. */
};

/** @brief One range passed to clean_tables(). */
struct iomm_posix_range {
	const void *va; /**< Start. */
	size_t len;     /**< Bytes. */
};

/**
 * @brief State of one hosted port. Caller-allocated; initialise with
 *        iomm_posix_init().
 *
 * Counters may be read directly (after the threads that use the port have
 * been joined) or through the accessor functions. Tests may also edit
 * @ref port directly, for example to remove a hook and check that the
 * library refuses to work without it.
 */
struct iomm_posix {
	/** The hook table handed to the library; ctx points back at this struct. */
	struct iomm_port port;

	/** @name MMIO
	 * @{ */
	struct iomm_posix_window windows[IOMM_POSIX_MAX_WINDOWS]; /**< Registered models. */
	unsigned nwindows;                        /**< Windows in use. */
	struct iomm_posix_mmio_access *trace;     /**< Caller's trace buffer (NULL: none). */
	size_t trace_cap;                         /**< Entries it holds. */
	size_t trace_count;                       /**< Accesses seen while enabled (may exceed trace_cap). */
	bool trace_enabled;                       /**< Record accesses now. */
	uint64_t mmio_reads;                      /**< All reads, traced or not. */
	uint64_t mmio_writes;                     /**< All writes, traced or not. */
	/** @} */

	/** @name Ordering
	 * @{ */
	uint64_t wmb_calls; /**< wmb() calls. */
	uint64_t mb_calls;  /**< mb() calls. */
	/** @} */

	/** @name Table memory
	 * @{ */
	uint64_t page_allocs;    /**< Successful page_alloc() calls. */
	uint64_t page_frees;     /**< page_free() calls. */
	uint64_t bytes_out;      /**< Bytes currently allocated through page_alloc(). */
	int64_t alloc_fail_after; /**< Successful allocations left before page_alloc() fails; -1: never fail. */
	uint64_t clean_calls;    /**< clean_tables() calls. */
	uint64_t clean_bytes;    /**< Bytes passed to clean_tables(). */
	struct iomm_posix_range *clean_log; /**< Caller's range log (NULL: none). */
	size_t clean_log_cap;    /**< Entries it holds. */
	/** @} */

	/** @name Locking
	 * @{ */
	pthread_mutex_t lock;    /**< One recursive mutex for every object. */
	uint64_t lock_calls;     /**< lock() calls. */
	unsigned lock_depth;     /**< Current nesting depth of the holder (0: free). */
	unsigned lock_max_depth; /**< Deepest nesting seen. */
	/** @} */

	/** @name Time
	 * @{ */
	bool fake_clock;      /**< now_ns() returns fake_now and adds fake_step. */
	uint64_t fake_now;    /**< Current fake time in ns. */
	uint64_t fake_step;   /**< Added by every now_ns() call while the fake clock runs. */
	uint64_t now_calls;   /**< now_ns() calls. */
	uint64_t relax_calls; /**< relax() calls. */
	/** @} */

	/** @name Logging
	 * @{ */
	bool log_print;                  /**< Print messages at or below log_print_level to stderr. */
	enum iomm_log_level log_print_level; /**< Verbosity of printing. */
	uint64_t log_count[4];           /**< Messages received, per level. */
	char log_last[IOMM_POSIX_LOG_LAST]; /**< Last message received (truncated). */
	pthread_mutex_t log_lock;        /**< Guards log_last and printing. */
	/** @} */
};

/**
 * @brief Fill @p p with a working hosted port.
 *
 * Defaults: every hook present (64-bit MMIO included), real monotonic
 * clock, tracing off, allocation never fails, messages up to
 * ::IOMM_LOG_WARN formatted by the library and printed to stderr.
 *
 * @param p          State to initialise (caller-allocated).
 * @param port_flags IOMM_PORT_* flags for the port, e.g. ::IOMM_PORT_DMA_COHERENT.
 * @retval IOMM_OK     Ready.
 * @retval IOMM_EINVAL NULL @p p.
 * @retval IOMM_ENOMEM The mutex could not be created.
 */
int iomm_posix_init(struct iomm_posix *p, uint32_t port_flags);

/**
 * @brief Release what iomm_posix_init() created. Pages still allocated
 *        through page_alloc() are not freed (bytes_out tells how many leaked).
 * @param p The state; NULL is ignored.
 */
void iomm_posix_fini(struct iomm_posix *p);

/**
 * @brief The hook table to pass to the library.
 * @param p The state.
 * @return &p->port.
 */
const struct iomm_port *iomm_posix_port(struct iomm_posix *p);

/** @name MMIO models and trace
 * @{ */

/**
 * @brief Route accesses to [@p base, @p base + @p size) to a model.
 *
 * Register windows before the library accesses them; registration is not
 * synchronised with concurrent accesses.
 *
 * @param p     The state.
 * @param base  First address (the unit's register base, as passed to the backend).
 * @param size  Bytes; non-zero.
 * @param ops   The model's callbacks; must stay valid.
 * @param ctx   Passed to the callbacks.
 * @retval IOMM_OK     Registered.
 * @retval IOMM_EINVAL NULL argument, zero size, wrapping range or overlap with another window.
 * @retval IOMM_ENOSPC All ::IOMM_POSIX_MAX_WINDOWS windows in use.
 */
int iomm_posix_add_mmio_model(struct iomm_posix *p, uintptr_t base, size_t size,
			      const struct iomm_posix_mmio_ops *ops, void *ctx);

/**
 * @brief Remove the window that starts at @p base.
 * @param p    The state.
 * @param base Base passed to iomm_posix_add_mmio_model().
 * @retval IOMM_OK     Removed.
 * @retval IOMM_ENOENT No such window.
 */
int iomm_posix_remove_mmio_model(struct iomm_posix *p, uintptr_t base);

/**
 * @brief Give the port an array to record MMIO accesses in, and clear it.
 *
 * Recording starts only after iomm_posix_trace_enable(). When the array is
 * full, further accesses are counted but not stored.
 *
 * @param p   The state.
 * @param buf Array of @p cap entries (NULL: no recording).
 * @param cap Entries.
 */
void iomm_posix_trace_set_buffer(struct iomm_posix *p, struct iomm_posix_mmio_access *buf,
				 size_t cap);

/**
 * @brief Start or stop recording.
 * @param p  The state.
 * @param on true to record.
 */
void iomm_posix_trace_enable(struct iomm_posix *p, bool on);

/**
 * @brief Forget every recorded access (the buffer is kept).
 * @param p The state.
 */
void iomm_posix_trace_clear(struct iomm_posix *p);

/**
 * @brief Accesses seen since the last clear while recording was on.
 * @param p The state.
 * @return The count; it may exceed the buffer's capacity.
 */
size_t iomm_posix_trace_count(const struct iomm_posix *p);

/**
 * @brief One recorded access.
 * @param p The state.
 * @param i Index, oldest first.
 * @return The entry, or NULL if @p i was not stored.
 */
const struct iomm_posix_mmio_access *iomm_posix_trace_get(const struct iomm_posix *p, size_t i);

/**
 * @brief Provide or withdraw the 64-bit MMIO hooks, so tests can exercise
 *        the library's split into two 32-bit accesses.
 * @param p  The state.
 * @param on true: read64/write64 present (default); false: NULL.
 */
void iomm_posix_set_mmio64(struct iomm_posix *p, bool on);

/** @} */

/** @name Table memory
 * @{ */

/**
 * @brief Give clean_tables() an array to record each range in, and reset
 *        the clean counters.
 * @param p   The state.
 * @param buf Array of @p cap entries (NULL: count only).
 * @param cap Entries. Calls beyond @p cap are counted but not recorded.
 */
void iomm_posix_clean_set_log(struct iomm_posix *p, struct iomm_posix_range *buf, size_t cap);

/**
 * @brief Reset clean_calls and clean_bytes to zero.
 * @param p The state.
 */
void iomm_posix_clean_reset(struct iomm_posix *p);

/**
 * @brief clean_tables() calls since the last reset.
 * @param p The state.
 * @return The count.
 */
uint64_t iomm_posix_clean_calls(const struct iomm_posix *p);

/**
 * @brief Bytes passed to clean_tables() since the last reset.
 * @param p The state.
 * @return The sum.
 */
uint64_t iomm_posix_clean_bytes(const struct iomm_posix *p);

/**
 * @brief Let @p n more page_alloc() calls succeed, then fail every later one.
 * @param p The state.
 * @param n Successful allocations left; negative: never fail.
 */
void iomm_posix_fail_alloc_after(struct iomm_posix *p, int64_t n);

/** @} */

/** @name Locking
 * @{ */

/**
 * @brief Provide or withdraw the lock hooks.
 * @param p  The state.
 * @param on true: lock/unlock present (default); false: NULL, the caller serializes.
 */
void iomm_posix_set_locking(struct iomm_posix *p, bool on);

/** @} */

/** @name Time
 * @{ */

/**
 * @brief Switch the fake clock on or off.
 *
 * While on, every now_ns() call returns the current fake time and then
 * advances it by @p step_ns, and relax() no longer yields. A hardware poll
 * bounded by a timeout of T ns thus gives up after about T / @p step_ns
 * polls instead of after T ns of real time.
 *
 * @param p       The state.
 * @param on      true for the fake clock, false for CLOCK_MONOTONIC.
 * @param step_ns Nanoseconds each now_ns() call advances the fake time.
 */
void iomm_posix_set_fake_clock(struct iomm_posix *p, bool on, uint64_t step_ns);

/**
 * @brief Move the fake clock forward.
 * @param p  The state.
 * @param ns Nanoseconds to add.
 */
void iomm_posix_clock_advance(struct iomm_posix *p, uint64_t ns);

/** @} */

/** @name Logging
 * @{ */

/**
 * @brief Choose which messages the library formats and which are printed.
 *
 * @param p     The state.
 * @param level Most verbose level the library formats (sets port.log_level)
 *              and this port prints.
 * @param print false: count and keep the last message, print nothing.
 */
void iomm_posix_set_log(struct iomm_posix *p, enum iomm_log_level level, bool print);

/**
 * @brief Messages received at @p level since init.
 * @param p     The state.
 * @param level A level.
 * @return The count.
 */
uint64_t iomm_posix_log_count(const struct iomm_posix *p, enum iomm_log_level level);

/** @} */

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* IOMMUMAN_PORT_POSIX_H */
