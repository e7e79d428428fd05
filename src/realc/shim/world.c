// SPDX-License-Identifier: GPL-2.0-only
/*
 * mprotect-spec shim: the world behind the API and the harness loop. Built
 * together with one extracted translation unit (which defines
 * change_protection()) into a child process that the TypeScript harness
 * (src/realc/harness/) drives over two FIFOs with a compact binary encoding
 * (src/realc/harness/codec.ts is the other side; keep the two in step).
 *
 * One request = one World; one response = one KernelOutcome plus findings.
 * A BUG (or a failed shim check) longjmps out of the case and is reported;
 * a WARN is reported and the case goes on. A crash or a hang ends the
 * process with a line on stderr; the harness reports it and respawns.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mprotect_shim.h"

struct shim_world shim_world;
pgd_t shim_pgd;
p4d_t shim_p4d;
pud_t shim_pud;
struct page shim_page_table_page;
const char *shim_caller_file;
int shim_caller_line;

static bool world_arm64, world_prot_write;
static jmp_buf case_jmp;
static bool in_case;

bool shim_mem_soft_dirty(void) { return shim_world.mem_soft_dirty; }
bool shim_arch_arm64(void) { return world_arm64; }

/* ---------- findings ---------- */
static char findings[8192];
static size_t findings_len;
static unsigned int nfindings;

void shim_finding(int kind, const char *file, int line, const char *cond)
{
	const char *k = kind == SHIM_FINDING_WARN ? "WARN" : kind == SHIM_FINDING_BUG ? "BUG" : "ASSERT";
	int n;

	nfindings++;
	if (findings_len >= sizeof(findings) - 1)
		return;
	n = snprintf(findings + findings_len, sizeof(findings) - findings_len, "%s\t%s:%d\t%s\n", k, file, line, cond);
	if (n > 0)
		findings_len += (size_t)n < sizeof(findings) - findings_len ? (size_t)n : sizeof(findings) - findings_len - 1;
}

void shim_bug(const char *file, int line, const char *cond)
{
	shim_finding(SHIM_FINDING_BUG, file, line, cond);
	if (in_case)
		longjmp(case_jmp, 1);
	abort();
}

/* ---------- recording ---------- */
static void *grow(void *p, unsigned long *cap, unsigned long need, size_t size)
{
	if (need <= *cap)
		return p;
	*cap = need * 2 + 16;
	p = realloc(p, *cap * size);
	if (!p)
		abort();
	return p;
}

void shim_record_flush(unsigned long addr, unsigned long size)
{
	struct shim_world *w = &shim_world;

	w->flushes = grow(w->flushes, &w->cap_flushes, w->nflushes + 1, sizeof(*w->flushes));
	w->flushes[w->nflushes++] = (struct shim_flush){ addr >> PAGE_SHIFT, size >> PAGE_SHIFT };
}

void shim_record_stamp(unsigned long pfn)
{
	struct shim_world *w = &shim_world;

	w->stamps = grow(w->stamps, &w->cap_stamps, w->nstamps + 1, sizeof(*w->stamps));
	w->stamps[w->nstamps++] = pfn;
}

/*
 * MODEL: the batch trace (KernelOutcome.trace) is not kernel state, and the
 * real code does not announce its batches. It is read off the calls: a run
 * of ptep_modify_prot_start() on consecutive PTEs with no commit in between
 * is one batch; each ptep_modify_prot_commit() joins the batch's last
 * sub-run when it continues it with the same write decision, or opens one.
 * A committed PTE counts as set_write when it is writable although
 * vm_page_prot is not (pte_modify() took write away; only pte_mkwrite()
 * can have put it back).
 */
void shim_record_start(pte_t *ptep)
{
	struct shim_world *w = &shim_world;
	unsigned long vpn = shim_check_ptep(ptep, "ptep_modify_prot_start");
	struct shim_batch *last = w->nbatches ? &w->batches[w->nbatches - 1] : NULL;

	if (last && !last->committing && last->start + last->nr == vpn) {
		last->nr++;
		return;
	}
	w->batches = grow(w->batches, &w->cap_batches, w->nbatches + 1, sizeof(*w->batches));
	w->batches[w->nbatches++] = (struct shim_batch){ vpn, 1, (unsigned int)w->nsubruns, 0, false };
}

void shim_record_commit(pte_t *ptep, pte_t oldpte, pte_t pte)
{
	struct shim_world *w = &shim_world;
	unsigned long vpn = shim_check_ptep(ptep, "ptep_modify_prot_commit");
	struct shim_batch *last = w->nbatches ? &w->batches[w->nbatches - 1] : NULL;
	bool set_write = pte_write(pte) && !world_prot_write;
	unsigned int idx;

	(void)oldpte;
	SHIM_ASSERT(last && vpn >= last->start && vpn < last->start + last->nr,
		    "ptep_modify_prot_commit on a PTE no ptep_modify_prot_start opened");
	last->committing = true;
	idx = (unsigned int)(vpn - last->start);
	if (last->nsub) {
		struct shim_subrun *s = &w->subruns[w->nsubruns - 1];

		if (s->idx + s->len == idx && s->set_write == set_write) {
			s->len++;
			return;
		}
	}
	w->subruns = grow(w->subruns, &w->cap_subruns, w->nsubruns + 1, sizeof(*w->subruns));
	w->subruns[w->nsubruns++] = (struct shim_subrun){ idx, 1, set_write };
	last->nsub++;
}

unsigned long shim_check_pmdp(const pmd_t *pmdp, const char *what)
{
	struct shim_world *w = &shim_world;

	if (!(pmdp >= w->pmds && pmdp < w->pmds + w->npmds))
		SHIM_ASSERT(false, what);
	return (unsigned long)(pmdp - w->pmds);
}

unsigned long shim_check_ptep(const pte_t *ptep, const char *what)
{
	struct shim_world *w = &shim_world;
	unsigned long slot, vpn;
	static char msg[160];

	if (!(ptep >= w->tables && ptep < w->tables + w->npmds * PTRS_PER_PTE)) {
		snprintf(msg, sizeof(msg), "%s: pte pointer outside every PTE table", what);
		SHIM_ASSERT(false, msg);
	}
	slot = (unsigned long)(ptep - w->tables);
	vpn = (w->pmd_base + slot / PTRS_PER_PTE) * PTRS_PER_PTE + slot % PTRS_PER_PTE;
	if (vpn < w->vma_start_vpn || vpn >= w->vma_end_vpn) {
		snprintf(msg, sizeof(msg), "%s: pte pointer (vpn %lu) outside the VMA", what, vpn);
		SHIM_ASSERT(false, msg);
	}
	return vpn;
}

static pte_t *slot_of(unsigned long vpn)
{
	struct shim_world *w = &shim_world;

	return &w->tables[(vpn / PTRS_PER_PTE - w->pmd_base) * PTRS_PER_PTE + vpn % PTRS_PER_PTE];
}

/* __split_huge_pmd() as src/kernel/lib/huge_memory.ts has it (see huge_pmd.h). */
void shim_split_huge_pmd(struct vm_area_struct *vma, pmd_t *pmd, unsigned long address)
{
	unsigned long j = shim_check_pmdp(pmd, "__split_huge_pmd");
	unsigned long haddr = address & PMD_MASK;
	pmd_t old = *pmd;
	struct page *page;
	struct folio *folio;
	bool exclusive;
	pte_t entry;

	if (!pmd_trans_huge(old))
		return;
	if (!vma_is_anonymous(vma)) {
		*pmd = __pmd(0); /* pmdp_huge_clear_flush(): the page cache keeps the folio */
		return;
	}
	page = pfn_to_page(pmd_pfn(old));
	folio = page_folio(page);
	exclusive = PageAnonExclusive(page);
	for (long k = 0; k < folio_nr_pages(folio); k++)
		folio_page(folio, k)->anon_exclusive = exclusive;
	entry = pfn_pte(pmd_pfn(old), vma->vm_page_prot);
	if (pmd_write(old))
		entry = pte_mkwrite(entry, vma);
	if (!pmd_young(old))
		entry = pte_mkold(entry);
	if (pmd_dirty(old))
		entry = pte_mkdirty(entry);
	if (pmd_soft_dirty(old))
		entry = pte_mksoft_dirty(entry);
	if (pmd_uffd_wp(old))
		entry = pte_mkuffd_wp(entry);
	*pmd = __pmd(SHIM_PMD_TABLE);
	for (unsigned long k = 0; k < HPAGE_PMD_NR; k++)
		shim_world.tables[j * PTRS_PER_PTE + k] = pte_advance_pfn(entry, k);
	(void)haddr;
}

/* ---------- codec (src/realc/harness/codec.ts) ---------- */
enum { OP_CASE = 1, OP_PTE_OPS = 2, OP_QUIT = 3, OP_BATCH = 4, OP_COUNTS = 5, OP_TIME = 6 };
enum { KIND_NONE = 0, KIND_PRESENT = 1, KIND_SOFTLEAF = 2 };
enum { PMD_NONE = 0, PMD_TABLE = 1, PMD_HUGE = 2 };
enum {
	WF_SOFT_DIRTY = 1 << 0, WF_ARM64 = 1 << 1, WF_NUMA_NORMAL = 1 << 2, WF_TIERING = 1 << 3,
	WF_SINGLE = 1 << 4, WF_ANON = 1 << 5, WF_UFFD_UNPOP = 1 << 6, WF_WRITEBACK = 1 << 7,
};
enum { FF_ANON = 1, FF_KSM = 2, FF_ZONE_DEVICE = 4, FF_SHARED = 8, FF_PINNED = 16, FF_FILE_LRU = 32, FF_DIRTY = 64 };

static uint32_t *in;
static size_t in_len, in_pos;
static uint32_t *out;
static size_t out_len, out_cap;
static const char *decode_error;

static uint32_t rd(void)
{
	if (in_pos >= in_len) {
		decode_error = "request too short";
		return 0;
	}
	return in[in_pos++];
}

static void wr(uint32_t v)
{
	if (out_len == out_cap) {
		out_cap = out_cap * 2 + 1024;
		out = realloc(out, out_cap * sizeof(*out));
		if (!out)
			abort();
	}
	out[out_len++] = v;
}

static pteval_t encode_entry(uint32_t kind, uint32_t a, uint32_t flags)
{
	switch (kind & 0xf) {
	case KIND_NONE:
		return 0;
	case KIND_PRESENT:
		return ((pteval_t)a << PFN_PTE_SHIFT) | (flags & _PAGE_FLAGS_MASK);
	default:
		return ((pteval_t)a << PFN_PTE_SHIFT) | ((pteval_t)(kind >> 4) << _PAGE_SWP_TYPE_SHIFT) | ((pteval_t)(flags & 0x1f) << 1);
	}
}

static void write_entry(pteval_t v)
{
	uint32_t low = (uint32_t)v;

	if (v == 0) {
		wr(KIND_NONE); wr(0); wr(0);
	} else if (v & (_PAGE_PRESENT | _PAGE_PROTNONE)) {
		if (low & ~(uint32_t)_PAGE_FLAGS_MASK)
			shim_finding(SHIM_FINDING_ASSERT, __FILE__, __LINE__, "present PTE with bits outside the model");
		wr(KIND_PRESENT); wr((uint32_t)(v >> PFN_PTE_SHIFT)); wr(low & (uint32_t)_PAGE_FLAGS_MASK);
	} else {
		uint32_t type = (low & _PAGE_SWP_TYPE_MASK) >> _PAGE_SWP_TYPE_SHIFT;

		if ((low & ~(uint32_t)(_PAGE_SWP_TYPE_MASK | 0x3e)) || type == 0 || type > SOFTLEAF_MARKER)
			shim_finding(SHIM_FINDING_ASSERT, __FILE__, __LINE__, "non-present PTE with bits outside the model");
		wr(KIND_SOFTLEAF | (type << 4)); wr((uint32_t)(v >> PFN_PTE_SHIFT)); wr((low >> 1) & 0x1f);
	}
}

static void reset_world(void)
{
	struct shim_world *w = &shim_world;

	free(w->pmds); free(w->tables); free(w->pages); free(w->folios);
	w->pmds = NULL; w->tables = NULL; w->pages = NULL; w->folios = NULL;
	w->nflushes = w->nbatches = w->nsubruns = w->nstamps = 0;
	w->ptl_held = w->lazy_mmu_depth = w->notifier_depth = 0;
	memset(w->counts, 0, sizeof(w->counts));
	findings_len = 0;
	findings[0] = 0;
	nfindings = 0;
}

/* Decode one World; returns the case arguments. */
static bool decode_case(struct vm_area_struct *vma, struct mm_struct *mm, unsigned long *start,
			unsigned long *end, unsigned long *cp_flags, size_t *folio_pos)
{
	struct shim_world *w = &shim_world;
	uint32_t wf = rd();
	unsigned long lo = ~0UL, hi = 0;

	w->mem_soft_dirty = wf & WF_SOFT_DIRTY;
	world_arm64 = wf & WF_ARM64;
	w->balancing_normal = wf & WF_NUMA_NORMAL;
	w->memory_tiering = wf & WF_TIERING;
	w->single_threaded = wf & WF_SINGLE;
	w->uffd_wp_unpopulated = wf & WF_UFFD_UNPOP;
	w->file_can_writeback = wf & WF_WRITEBACK;
	w->current_nid = (int32_t)rd();
	w->toptier_mask = rd();
	w->vma_start_vpn = rd();
	w->vma_end_vpn = rd();
	vma->vm_flags = rd();
	vma->vm_page_prot = __pgprot(rd());
	world_prot_write = pgprot_val(vma->vm_page_prot) & _PAGE_RW;
	*start = (unsigned long)rd() << PAGE_SHIFT;
	*end = (unsigned long)rd() << PAGE_SHIFT;
	*cp_flags = rd();
	w->nfolios = rd();
	w->npmds = rd();
	uint32_t nptes = rd();
	if (decode_error)
		return false;
	static const struct vm_operations_struct file_ops;
	vma->vm_ops = (wf & WF_ANON) ? NULL : &file_ops;
	vma->vm_start = w->vma_start_vpn << PAGE_SHIFT;
	vma->vm_end = w->vma_end_vpn << PAGE_SHIFT;
	mm->mm_users.counter = w->single_threaded ? 1 : 2;
	vma->vm_mm = mm;
	w->pmd_base = w->vma_start_vpn / PTRS_PER_PTE;
	if (nptes != w->vma_end_vpn - w->vma_start_vpn || w->npmds != (w->vma_end_vpn - 1) / PTRS_PER_PTE - w->pmd_base + 1) {
		decode_error = "pte or pmd count does not match the VMA";
		return false;
	}
	/* Folios: first pass for the memmap bounds. */
	w->folios = calloc(w->nfolios + 1, sizeof(*w->folios));
	*folio_pos = in_pos;
	for (unsigned long i = 0; i < w->nfolios && !decode_error; i++) {
		struct folio *f = &w->folios[i];
		uint32_t fl;

		f->pfn = rd();
		f->order = rd();
		fl = rd();
		f->nid = (int32_t)rd();
		f->anon = fl & FF_ANON; f->ksm = fl & FF_KSM; f->zone_device = fl & FF_ZONE_DEVICE;
		f->mapped_shared = fl & FF_SHARED; f->dma_pinned = fl & FF_PINNED;
		f->file_lru = fl & FF_FILE_LRU; f->dirty = fl & FF_DIRTY;
		in_pos += ((1u << f->order) + 31) / 32;
		if (f->pfn < lo) lo = f->pfn;
		if (f->pfn + (1UL << f->order) > hi) hi = f->pfn + (1UL << f->order);
	}
	/* PMDs and PTEs */
	w->pmds = calloc(w->npmds, sizeof(*w->pmds));
	w->tables = calloc(w->npmds * PTRS_PER_PTE, sizeof(*w->tables));
	for (unsigned long j = 0; j < w->npmds; j++) {
		uint32_t kind = rd(), pfn = rd(), flags = rd();

		if (kind == PMD_TABLE)
			w->pmds[j] = __pmd(SHIM_PMD_TABLE);
		else if (kind == PMD_HUGE) {
			w->pmds[j] = shim_pte_as_pmd(__pte(encode_entry(KIND_PRESENT, pfn, flags)));
			if (pfn < lo) lo = pfn;
			if (pfn + HPAGE_PMD_NR > hi) hi = pfn + HPAGE_PMD_NR;
		}
	}
	for (unsigned long vpn = w->vma_start_vpn; vpn < w->vma_end_vpn; vpn++) {
		uint32_t kind = rd(), a = rd(), flags = rd();

		*slot_of(vpn) = __pte(encode_entry(kind, a, flags));
		bool has_pfn = (kind & 0xf) == KIND_PRESENT ||
			       ((kind & 0xf) == KIND_SOFTLEAF && (kind >> 4) != SOFTLEAF_SWAP && (kind >> 4) != SOFTLEAF_MARKER);

		if (has_pfn) {
			if (a < lo) lo = a;
			if ((unsigned long)a + 1 > hi) hi = (unsigned long)a + 1;
		}
	}
	if (decode_error)
		return false;
	/* Memmap: every pfn in the world with a margin, so page + idx arithmetic stays inside. */
	if (hi == 0)
		lo = 0;
	w->pfn_base = lo > PTRS_PER_PTE ? lo - PTRS_PER_PTE : 0;
	w->npages = hi + 2 * PTRS_PER_PTE - w->pfn_base;
	w->pages = calloc(w->npages, sizeof(*w->pages));
	size_t save = in_pos;
	in_pos = *folio_pos;
	for (unsigned long i = 0; i < w->nfolios; i++) {
		struct folio *f = &w->folios[i];
		unsigned long n = 1UL << f->order;

		in_pos += 4;
		for (unsigned long k = 0; k < n; k++) {
			uint32_t word = in[in_pos + k / 32];
			struct page *p = &w->pages[f->pfn + k - w->pfn_base];

			p->folio = f;
			p->anon_exclusive = (word >> (k % 32)) & 1;
		}
		in_pos += (n + 31) / 32;
	}
	in_pos = save;
	return true;
}

static void run_case(void)
{
	struct shim_world *w = &shim_world;
	static struct vm_area_struct vma;
	static struct mm_struct mm;
	static struct mmu_gather tlb;
	unsigned long start, end, cp_flags;
	size_t folio_pos;
	volatile long count = 0;
	volatile uint32_t status = 0;

	reset_world();
	shim_caller_file = NULL;
	shim_caller_line = 0;
	memset(&vma, 0, sizeof(vma));
	if (!decode_case(&vma, &mm, &start, &end, &cp_flags, &folio_pos)) {
		wr(2); /* status: bad request */
		const char *e = decode_error;
		size_t n = strlen(e);
		wr((uint32_t)n);
		for (size_t i = 0; i < n; i += 4) {
			uint32_t word = 0;
			memcpy(&word, e + i, n - i < 4 ? n - i : 4);
			wr(word);
		}
		return;
	}
	tlb.mm = &mm;
	in_case = true;
	if (setjmp(case_jmp) == 0)
		count = change_protection(&tlb, &vma, start, end, cp_flags);
	else
		status = 1;
	in_case = false;
	if (!status) {
		if (w->ptl_held)
			shim_finding(SHIM_FINDING_ASSERT, "change_protection", 0, "PTE table lock still held at return");
		if (w->lazy_mmu_depth)
			shim_finding(SHIM_FINDING_ASSERT, "change_protection", 0, "lazy MMU mode not left at return");
		if (w->notifier_depth)
			shim_finding(SHIM_FINDING_ASSERT, "change_protection", 0, "mmu notifier range not ended at return");
	}
	wr(status);
	wr((uint32_t)(int32_t)count);
	wr(nfindings);
	wr((uint32_t)w->nflushes);
	wr((uint32_t)w->nbatches);
	wr((uint32_t)w->nsubruns);
	wr((uint32_t)w->nstamps);
	for (unsigned long vpn = w->vma_start_vpn; vpn < w->vma_end_vpn; vpn++)
		write_entry(pte_val(*slot_of(vpn)));
	for (unsigned long j = 0; j < w->npmds; j++) {
		pmd_t p = w->pmds[j];

		if (pmd_none(p)) {
			wr(PMD_NONE); wr(0); wr(0);
		} else if (pmd_trans_huge(p)) {
			wr(PMD_HUGE); wr((uint32_t)pmd_pfn(p)); wr((uint32_t)(pmd_val(p) & _PAGE_FLAGS_MASK));
		} else {
			wr(PMD_TABLE); wr(0); wr(0);
		}
	}
	for (unsigned long i = 0; i < w->nflushes; i++) {
		wr((uint32_t)w->flushes[i].start);
		wr((uint32_t)w->flushes[i].nr);
	}
	for (unsigned long i = 0; i < w->nbatches; i++) {
		wr((uint32_t)w->batches[i].start);
		wr((uint32_t)w->batches[i].nr);
		wr(w->batches[i].nsub);
	}
	for (unsigned long i = 0; i < w->nsubruns; i++) {
		wr(w->subruns[i].idx);
		wr(w->subruns[i].len);
		wr(w->subruns[i].set_write);
	}
	for (unsigned long i = 0; i < w->nstamps; i++)
		wr((uint32_t)w->stamps[i]);
	/* findings text, length-prefixed, padded to words */
	wr((uint32_t)findings_len);
	for (size_t i = 0; i < findings_len; i += 4) {
		uint32_t word = 0;

		memcpy(&word, findings + i, findings_len - i < 4 ? findings_len - i : 4);
		wr(word);
	}
}

/* The accessors against src/pte/pte_ops.ts (harness property test). */
static void run_pte_ops(void)
{
	uint32_t flags = rd(), n = rd();

	shim_world.mem_soft_dirty = flags & WF_SOFT_DIRTY;
	world_arm64 = flags & WF_ARM64;
	wr(0);
	for (uint32_t i = 0; i < n && !decode_error; i++) {
		uint32_t pfn = rd(), f = rd(), prot = rd(), f2 = rd();
		pte_t pte = __pte(encode_entry(KIND_PRESENT, pfn, f));
		pte_t other = __pte(encode_entry(KIND_PRESENT, pfn, f2));
		pte_t r[11] = {
			pte_modify(pte, __pgprot(prot)), pte_mkwrite(pte, NULL), pte_wrprotect(pte), pte_mkuffd_wp(pte),
			pte_clear_uffd_wp(pte), pte_mkdirty(pte), pte_mkclean(pte), pte_mkyoung(pte), pte_mkold(pte),
			pte_mksoft_dirty(pte), pte_clear_soft_dirty(pte),
		};
		uint32_t preds = (uint32_t)pte_present(pte) | (uint32_t)pte_protnone(pte) << 1 | (uint32_t)pte_write(pte) << 2 |
				 (uint32_t)pte_dirty(pte) << 3 | (uint32_t)pte_young(pte) << 4 | (uint32_t)pte_soft_dirty(pte) << 5 |
				 (uint32_t)pte_uffd_wp(pte) << 6 | (uint32_t)pte_special(pte) << 7 |
				 (uint32_t)pte_needs_flush(pte, other) << 8;

		for (int k = 0; k < 11; k++) {
			if (pte_pfn(r[k]) != pfn)
				shim_finding(SHIM_FINDING_ASSERT, __FILE__, __LINE__, "accessor changed the pfn");
			wr((uint32_t)pte_flags(r[k]));
		}
		wr(preds);
	}
}

/* OP_COUNTS: the primitive calls of the last case, [status 0, n, counts...] (enum shim_count). */
static void run_counts(void)
{
	wr(0);
	wr(SHIM_NCOUNTS);
	for (int i = 0; i < SHIM_NCOUNTS; i++)
		wr((uint32_t)shim_world.counts[i]);
}

/*
 * OP_TIME: [reps, then an OP_CASE body]. Runs the case reps times, each on a
 * fresh copy of the world, and reports the userspace nanoseconds of each
 * change_protection() call (CLOCK_MONOTONIC; shim bookkeeping included, world
 * decoding excluded): [status, reps, ns...]. Status 1: a BUG ended a run.
 */
static void run_timed(void)
{
	static struct vm_area_struct vma;
	static struct mm_struct mm;
	static struct mmu_gather tlb;
	uint32_t reps = rd();
	size_t body = in_pos;
	size_t at;
	volatile uint32_t status = 0;

	wr(0);
	wr(reps);
	at = out_len;
	for (uint32_t r = 0; r < reps; r++)
		wr(0);
	for (uint32_t r = 0; r < reps && !status; r++) {
		unsigned long start, end, cp_flags;
		size_t folio_pos;
		struct timespec t0, t1;

		in_pos = body;
		reset_world();
		memset(&vma, 0, sizeof(vma));
		if (!decode_case(&vma, &mm, &start, &end, &cp_flags, &folio_pos)) {
			status = 2;
			break;
		}
		tlb.mm = &mm;
		in_case = true;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		if (setjmp(case_jmp) == 0)
			change_protection(&tlb, &vma, start, end, cp_flags);
		else
			status = 1;
		clock_gettime(CLOCK_MONOTONIC, &t1);
		in_case = false;
		out[at + r] = (uint32_t)((t1.tv_sec - t0.tv_sec) * 1000000000L + (t1.tv_nsec - t0.tv_nsec));
	}
	out[at - 2] = status;
}

/* ---------- process ---------- */
static int in_fd = -1, out_fd = -1;

static bool read_full(void *buf, size_t n)
{
	char *p = buf;

	while (n) {
		ssize_t r = read(in_fd, p, n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return false;
		p += r;
		n -= (size_t)r;
	}
	return true;
}

static void write_full(const void *buf, size_t n)
{
	const char *p = buf;

	while (n) {
		ssize_t r = write(out_fd, p, n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			_exit(3);
		p += r;
		n -= (size_t)r;
	}
}

static unsigned int case_timeout_s = 5;

static void fatal_signal(int sig)
{
	char msg[96];
	int n = snprintf(msg, sizeof(msg), "SHIM-FATAL %s\n",
			 sig == SIGALRM ? "hang: the case did not finish in time (alarm)" :
			 sig == SIGSEGV ? "SIGSEGV" : sig == SIGBUS ? "SIGBUS" : sig == SIGFPE ? "SIGFPE" :
			 sig == SIGABRT ? "SIGABRT" : sig == SIGILL ? "SIGILL" : "signal");

	if (n > 0 && write(2, msg, (size_t)n) < 0)
		_exit(128 + sig);
	_exit(128 + sig);
}

/* One request, under its own alarm: a hang is charged to this case. */
static void run_op(uint32_t op)
{
	alarm(case_timeout_s);
	if (op == OP_CASE)
		run_case();
	else if (op == OP_PTE_OPS)
		run_pte_ops();
	else if (op == OP_COUNTS)
		run_counts();
	else if (op == OP_TIME)
		run_timed();
	else
		wr(2);
	alarm(0);
}

/*
 * OP_BATCH: [n, then n requests, each [len, op, body...]]; the response is
 * [n, then n responses, each [len, body...]], in order. One round trip for
 * many cases. A crash or a hang ends the process as for one case; the
 * harness then replays the batch case by case to find the one at fault.
 */
static void run_batch(void)
{
	size_t whole = in_len;
	uint32_t n = rd();

	wr(n);
	for (uint32_t i = 0; i < n; i++) {
		size_t head = in_pos;
		uint32_t len = head + 2 <= whole ? in[head] : 0;
		uint32_t op = head + 2 <= whole ? in[head + 1] : 0;
		size_t at = out_len;

		wr(0); /* this response's length, patched below */
		if (head + 2 + len > whole) {
			wr(2); /* status: bad request */
			out[at] = (uint32_t)(out_len - at - 1);
			break;
		}
		in_pos = head + 2;
		in_len = head + 2 + len;
		decode_error = NULL;
		run_op(op);
		out[at] = (uint32_t)(out_len - at - 1);
		in_pos = head + 2 + len;
		in_len = whole;
	}
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: %s IN_FIFO OUT_FIFO [TIMEOUT_S]\n", argv[0]);
		return 2;
	}
	if (argc > 3)
		case_timeout_s = (unsigned int)atoi(argv[3]);
	signal(SIGALRM, fatal_signal);
#ifndef SHIM_SANITIZE
	signal(SIGSEGV, fatal_signal);
	signal(SIGBUS, fatal_signal);
	signal(SIGFPE, fatal_signal);
	signal(SIGILL, fatal_signal);
	signal(SIGABRT, fatal_signal);
#endif
	in_fd = open(argv[1], O_RDONLY);
	out_fd = open(argv[2], O_WRONLY);
	if (in_fd < 0 || out_fd < 0) {
		perror("open fifo");
		return 2;
	}
	for (;;) {
		uint32_t hdr[2];

		if (!read_full(hdr, sizeof(hdr)))
			return 0; /* the harness went away */
		in_len = hdr[0];
		in = realloc(in, (in_len + 1) * sizeof(*in));
		if (in_len && !read_full(in, in_len * sizeof(*in)))
			return 0;
		in_pos = 0;
		out_len = 0;
		decode_error = NULL;
		wr(0); /* length, patched below */
		if (hdr[1] == OP_QUIT)
			return 0;
		if (hdr[1] == OP_BATCH)
			run_batch();
		else
			run_op(hdr[1]);
		out[0] = (uint32_t)(out_len - 1);
		write_full(out, out_len * sizeof(*out));
	}
}
