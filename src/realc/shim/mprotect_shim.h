/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mprotect-spec shim: the kernel API that the page-table half of
 * mm/mprotect.c (and the helpers it reaches in mm/internal.h and
 * include/linux/pgtable.h) is compiled against, modelled over one world.
 * Written for this project from the semantics in src/pte and src/kernel/lib;
 * no kernel text. Every name defined under this directory is "model" to the
 * extractor; everything else the code reaches comes from the tree.
 */
#ifndef MPROTECT_SHIM_H
#define MPROTECT_SHIM_H

#include "base.h"
#include "debug.h"
#include "arch_x86.h"
#include "world.h"
#include "page.h"
#include "vma.h"
#include "softleaf.h"
#include "pgtable_model.h"
#include "numa.h"
#include "huge_pmd.h"

/* The entry point the harness calls: defined by the kernel code under test. */
long change_protection(struct mmu_gather *tlb, struct vm_area_struct *vma, unsigned long start,
		       unsigned long end, unsigned long cp_flags);

#endif /* MPROTECT_SHIM_H */
