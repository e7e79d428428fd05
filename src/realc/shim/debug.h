/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mprotect-spec shim: BUG/WARN as recorded findings (include/asm-generic/bug.h,
 * include/linux/mmdebug.h with CONFIG_DEBUG_VM). A WARN is recorded and the
 * code goes on, as the kernel would; a BUG is recorded and the case ends
 * (longjmp back to the harness). The file:line is where the macro was used,
 * which the extractor's #line markers map to the kernel file.
 */
#ifndef MPROTECT_SHIM_DEBUG_H
#define MPROTECT_SHIM_DEBUG_H

/* Kinds of finding the harness reports (world.c). */
#define SHIM_FINDING_WARN 1
#define SHIM_FINDING_BUG 2
#define SHIM_FINDING_ASSERT 3

/* Record a finding; BUG kinds do not return. Defined in world.c. */
void shim_finding(int kind, const char *file, int line, const char *cond);
__attribute__((__noreturn__)) void shim_bug(const char *file, int line, const char *cond);

static inline bool shim_warn(bool cond, const char *file, int line, const char *text)
{
	if (cond)
		shim_finding(SHIM_FINDING_WARN, file, line, text);
	return cond;
}

/* include/asm-generic/bug.h: WARN_ON() evaluates to its condition. */
#define WARN_ON(cond) shim_warn(!!(cond), __FILE__, __LINE__, "WARN_ON(" #cond ")")
#define WARN_ON_ONCE(cond) shim_warn(!!(cond), __FILE__, __LINE__, "WARN_ON_ONCE(" #cond ")")
#define WARN(cond, ...) shim_warn(!!(cond), __FILE__, __LINE__, "WARN(" #cond ")")
#define WARN_ONCE(cond, ...) shim_warn(!!(cond), __FILE__, __LINE__, "WARN_ONCE(" #cond ")")
#define BUG() shim_bug(__FILE__, __LINE__, "BUG()")
#define BUG_ON(cond) do { if (cond) shim_bug(__FILE__, __LINE__, "BUG_ON(" #cond ")"); } while (0)

/* include/linux/mmdebug.h with CONFIG_DEBUG_VM: the checks are live. */
#define VM_BUG_ON(cond) do { if (cond) shim_bug(__FILE__, __LINE__, "VM_BUG_ON(" #cond ")"); } while (0)
#define VM_BUG_ON_PAGE(cond, page) do { if (cond) shim_bug(__FILE__, __LINE__, "VM_BUG_ON_PAGE(" #cond ")"); } while (0)
#define VM_BUG_ON_FOLIO(cond, folio) do { if (cond) shim_bug(__FILE__, __LINE__, "VM_BUG_ON_FOLIO(" #cond ")"); } while (0)
#define VM_BUG_ON_VMA(cond, vma) do { if (cond) shim_bug(__FILE__, __LINE__, "VM_BUG_ON_VMA(" #cond ")"); } while (0)
#define VM_WARN_ON(cond) shim_warn(!!(cond), __FILE__, __LINE__, "VM_WARN_ON(" #cond ")")
#define VM_WARN_ON_ONCE(cond) shim_warn(!!(cond), __FILE__, __LINE__, "VM_WARN_ON_ONCE(" #cond ")")
#define VM_WARN_ON_FOLIO(cond, folio) shim_warn(!!(cond), __FILE__, __LINE__, "VM_WARN_ON_FOLIO(" #cond ")")
#define VM_WARN_ON_ONCE_FOLIO(cond, folio) shim_warn(!!(cond), __FILE__, __LINE__, "VM_WARN_ON_ONCE_FOLIO(" #cond ")")
#define VM_WARN_ON_ONCE_PAGE(cond, page) shim_warn(!!(cond), __FILE__, __LINE__, "VM_WARN_ON_ONCE_PAGE(" #cond ")")
#define VM_WARN_ON_VMA(cond, vma) shim_warn(!!(cond), __FILE__, __LINE__, "VM_WARN_ON_VMA(" #cond ")")
#define VM_WARN_ONCE(cond, ...) shim_warn(!!(cond), __FILE__, __LINE__, "VM_WARN_ONCE(" #cond ")")

/*
 * Where the kernel code last called into the shim's page-table API (set by
 * the SHIM_AT wrappers), so a failed shim check names the kernel line: the
 * line of that call (a check inside another shim helper reports the last one).
 */
extern const char *shim_caller_file;
extern int shim_caller_line;
#define SHIM_AT(expr) (shim_caller_file = __FILE__, shim_caller_line = __LINE__, (expr))
#define SHIM_AT_VOID(expr) ((void)(shim_caller_file = __FILE__, shim_caller_line = __LINE__), (expr))

/* A shim-side check of how the kernel code uses the API (pointer bounds, lock held ...). */
#define SHIM_ASSERT(cond, what) do { if (!(cond)) shim_bug(shim_caller_file ? shim_caller_file : __FILE__, shim_caller_file ? shim_caller_line : __LINE__, what); } while (0)

#endif /* MPROTECT_SHIM_DEBUG_H */
