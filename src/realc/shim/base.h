/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mprotect-spec shim, part 1: base C vocabulary the kernel files assume
 * (include/linux/types.h, compiler_types.h, compiler.h, minmax.h, kconfig.h).
 * Written for this project; every name here is "model" to the extractor.
 */
#ifndef MPROTECT_SHIM_BASE_H
#define MPROTECT_SHIM_BASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int32_t s32;
typedef int64_t s64;
typedef unsigned long pgoff_t;
typedef unsigned long vm_flags_t;
typedef unsigned int gfp_t;

/* Attribute macros of include/linux/compiler_types.h: hints only here. */
#undef __always_inline
#define __always_inline inline __attribute__((__always_inline__))
#define noinline __attribute__((__noinline__))
#define __maybe_unused __attribute__((__unused__))
#define __must_check
#define __bitwise
#define __force
#define __rcu
#define __percpu
#define __user
#define __init
#define __read_mostly
#define __ro_after_init
#define __pure
#define __cold
#define notrace
#define fallthrough __attribute__((__fallthrough__))

/* include/linux/compiler.h branch hints: plain truth values. */
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

/* READ_ONCE/WRITE_ONCE: single-threaded model, plain accesses. */
#define READ_ONCE(x) (x)
#define WRITE_ONCE(x, val) ((x) = (val))

/* include/linux/minmax.h, GNU statement expressions as the kernel uses. */
#define min(a, b) ({ __typeof__(a) _mn_a = (a); __typeof__(b) _mn_b = (b); _mn_a < _mn_b ? _mn_a : _mn_b; })
#define max(a, b) ({ __typeof__(a) _mx_a = (a); __typeof__(b) _mx_b = (b); _mx_a > _mx_b ? _mx_a : _mx_b; })
#define min_t(type, a, b) min((type)(a), (type)(b))
#define max_t(type, a, b) max((type)(a), (type)(b))
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define BIT(n) (1UL << (n))
#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a) - 1))
#define ALIGN(x, a) (((x) + ((__typeof__(x))(a) - 1)) & ~((__typeof__(x))(a) - 1))
#define IS_ALIGNED(x, a) (((x) & ((__typeof__(x))(a) - 1)) == 0)
#define BUILD_BUG_ON(cond) _Static_assert(!(cond), "BUILD_BUG_ON")

/* include/uapi/asm-generic/errno-base.h */
#define ENOMEM 12
#define EAGAIN 11
#define EINVAL 22
#define EFAULT 14

/*
 * include/linux/kconfig.h IS_ENABLED(): the x86-64 configuration the model
 * stands for (the extractor evaluates #ifdef against the same table).
 */
#define CONFIG_MMU 1
#define CONFIG_64BIT 1
#define CONFIG_X86_64 1
#define CONFIG_NUMA 1
#define CONFIG_NUMA_BALANCING 1
#define CONFIG_TRANSPARENT_HUGEPAGE 1
#define CONFIG_USERFAULTFD 1
#define CONFIG_PTE_MARKER_UFFD_WP 1
#define CONFIG_HAVE_ARCH_USERFAULTFD_WP 1
#define CONFIG_HAVE_ARCH_SOFT_DIRTY 1
#define CONFIG_MEM_SOFT_DIRTY 1
#define CONFIG_ARCH_HAS_PTE_SPECIAL 1
#define CONFIG_MIGRATION 1
#define CONFIG_DEVICE_PRIVATE 1
#define __SHIM_ARG_PLACEHOLDER_1 0,
#define __shim_take_second_arg(__ignored, val, ...) val
#define __shim_is_defined(x) ___shim_is_defined(x)
#define ___shim_is_defined(val) ____shim_is_defined(__SHIM_ARG_PLACEHOLDER_##val)
#define ____shim_is_defined(arg1_or_junk) __shim_take_second_arg(arg1_or_junk 1, 0)
#define IS_ENABLED(option) __shim_is_defined(option)
#define IS_BUILTIN(option) __shim_is_defined(option)

/* Locks, atomics, scheduling: single-threaded model. */
typedef struct spinlock { int held; } spinlock_t;
typedef struct { int counter; } atomic_t;
static inline int atomic_read(const atomic_t *v) { return v->counter; }
#define cond_resched() do { } while (0)
#define might_sleep() do { } while (0)
#define barrier() __asm__ __volatile__("" ::: "memory")

#endif /* MPROTECT_SHIM_BASE_H */
