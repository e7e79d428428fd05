// SPDX-License-Identifier: GPL-2.0-only
// mprotect-spec fidelity oracle runner (issue 7).
//
// Reads scenarios as a line-oriented op list on stdin (written by
// src/oracle/serialize.ts), runs each one in a fresh forked worker process on
// the live kernel, and prints one JSON object per scenario on stdout.
//
// Never touches system-wide settings (no sysfs writes). Every scenario runs in
// its own worker; the worker arms alarm() so nothing hangs, and every forked
// holder child dies with its parent (PR_SET_PDEATHSIG).
//
// Line format (fields separated by single spaces):
//   S <id>                         start a scenario
//   M <kind> <pages> <thp>         map a region; kind: anon anon_shared memfd_shared
//                                  memfd_private file_shared file_private file_shared_large
//   A <r> <page> <r|w|n>           access + observe (n = pagemap only)
//   F                              fork a child (holds its copies; accesses them on C)
//   X <child>                      tell child <child> to exit and reap it
//   C <child> <r> <page> <r|w|n>   child <child> accesses its copy of the page and observes it
//                                  from its own /proc/self/pagemap (n = pagemap only)
//   P <r> <first> <n> <prot>       mprotect (prot: PROT_* bits)
//   D <r> <first> <n>              madvise(MADV_DONTNEED)
//   G <r> <first> <n>              madvise(MADV_GUARD_INSTALL)
//   H <r> <first> <n>              madvise(MADV_GUARD_REMOVE)
//   L <src> <shared>               map the file/memfd of region <src> again (MAP_SHARED if
//                                  <shared>, else MAP_PRIVATE) as a new region
//   U <r> <unpopulated> [<async>]  userfaultfd register (MODE_WP) on the whole region; async asks
//                                  for UFFD_FEATURE_WP_ASYNC
//   W <r> <first> <n> <on>         UFFDIO_WRITEPROTECT
//   Y <r>                          msync(MS_SYNC) over the whole region
//   E                              end of scenario: run it
//
// Usage: runner [file-dir [timeout-seconds]]
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL 102
#endif
#ifndef MADV_GUARD_REMOVE
#define MADV_GUARD_REMOVE 103
#endif
#ifndef UFFD_FEATURE_WP_HUGETLBFS_SHMEM
#define UFFD_FEATURE_WP_HUGETLBFS_SHMEM (1 << 12)
#endif
#ifndef UFFD_FEATURE_WP_UNPOPULATED
#define UFFD_FEATURE_WP_UNPOPULATED (1 << 13)
#endif
#ifndef UFFD_FEATURE_WP_ASYNC
#define UFFD_FEATURE_WP_ASYNC (1 << 15)
#endif
#ifndef MFD_CLOEXEC
#define MFD_CLOEXEC 1U
#endif

#define PAGE 4096UL
#define PMD_SIZE (2UL << 20)
#define MAX_REGIONS 8
#define MAX_OPS 256
#define MAX_CHILDREN 4
#define MAX_LINE 128
#define TIMEOUT_S 10

enum kind { K_ANON, K_ANON_SHARED, K_MEMFD_SHARED, K_MEMFD_PRIVATE, K_FILE_SHARED, K_FILE_PRIVATE, K_FILE_SHARED_LARGE, K_COUNT };
static const char *kind_names[K_COUNT] = {"anon", "anon_shared", "memfd_shared", "memfd_private", "file_shared", "file_private", "file_shared_large"};

struct op {
  char code;
  int a, b, c, d;
  char acc;
};

struct region {
  char *base;
  size_t pages;
  int thp;
  enum kind kind;
  int fd;
  int uffd;
  pthread_t thr;
  int has_thr;
};

static struct op ops[MAX_OPS];
static int nops;
static char scen_id[64];
static struct region regions[MAX_REGIONS];
static int nregions;
// Indexed by fork order (a child keeps its index after exiting), so sized for every fork a scenario can
// hold; at most MAX_CHILDREN of them are alive at once (scenarioProblems() checks the same).
static pid_t children[MAX_OPS];
static int child_pipes[MAX_OPS];   // command pipe to the child (write end)
static int child_replies[MAX_OPS]; // reply pipe from the child (read end)
static int nchildren;
static int pagemap_fd = -1, kpageflags_fd = -1;
static const char *file_dir = "/var/tmp";
static unsigned timeout_s = TIMEOUT_S;

static atomic_long uffd_faults;
static atomic_int uffd_stop;

static sigjmp_buf probe_jmp;
static volatile sig_atomic_t probe_armed;

// ---------- JSON output (one line per scenario) ----------
static char *out;
static size_t out_len, out_cap;
static void outf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void outf(const char *fmt, ...) {
  va_list ap;
  for (;;) {
    va_start(ap, fmt);
    int n = vsnprintf(out + out_len, out_cap - out_len, fmt, ap);
    va_end(ap);
    if (n >= 0 && (size_t)n < out_cap - out_len) {
      out_len += (size_t)n;
      return;
    }
    out_cap = out_cap ? out_cap * 2 : 65536;
    out = realloc(out, out_cap);
    if (!out) _exit(5);
  }
}

// ---------- probes ----------
struct pm {
  uint64_t raw;
  uint64_t kflags;
};

static struct pm read_pm(const void *addr) {
  struct pm p = {0, 0};
  off_t off = (off_t)(((uintptr_t)addr / PAGE) * 8);
  if (pread(pagemap_fd, &p.raw, 8, off) != 8) p.raw = 0;
  if ((p.raw >> 63) & 1) {
    uint64_t pfn = p.raw & ((1ULL << 55) - 1);
    if (kpageflags_fd >= 0 && pfn != 0) {
      if (pread(kpageflags_fd, &p.kflags, 8, (off_t)(pfn * 8)) != 8) p.kflags = 0;
    }
  }
  return p;
}

static void out_pm(const char *name, struct pm p) {
  int present = (int)((p.raw >> 63) & 1);
  int swapped = (int)((p.raw >> 62) & 1);
  unsigned long long pfn = present ? (unsigned long long)(p.raw & ((1ULL << 55) - 1)) : 0ULL;
  outf("\"%s\":{\"present\":%d,\"swapped\":%d,\"pfn\":%llu,\"excl\":%d,\"uffdwp\":%d,\"file\":%d,\"sd\":%d,"
       "\"guard\":%d,\"zero\":%d,\"thp\":%d,\"anon\":%d,\"head\":%d,\"tail\":%d}",
       name, present, swapped, pfn, (int)((p.raw >> 56) & 1), (int)((p.raw >> 57) & 1), (int)((p.raw >> 61) & 1),
       (int)((p.raw >> 55) & 1), (int)((p.raw >> 58) & 1), (int)((p.kflags >> 24) & 1), (int)((p.kflags >> 22) & 1), (int)((p.kflags >> 12) & 1),
       (int)((p.kflags >> 15) & 1), (int)((p.kflags >> 16) & 1));
}

// AnonHugePages (kB) of the VMA that contains addr, from /proc/self/smaps.
static long anon_huge_kb(const void *addr) {
  FILE *f = fopen("/proc/self/smaps", "r");
  if (!f) return -1;
  char line[512];
  int in = 0;
  long kb = -1;
  uintptr_t a = (uintptr_t)addr;
  while (fgets(line, sizeof line, f)) {
    unsigned long s, e;
    char dash;
    if (sscanf(line, "%lx%c%lx", &s, &dash, &e) == 3 && dash == '-') {
      if (in) break;
      in = (a >= s && a < e);
      continue;
    }
    if (in && strncmp(line, "AnonHugePages:", 14) == 0) {
      kb = strtol(line + 14, NULL, 10);
      break;
    }
  }
  fclose(f);
  return kb;
}

// The VMAs of region r after an mprotect(), from /proc/self/smaps: "first-end flags;" per VMA, in pages
// relative to the region (clipped to it), with the VmFlags mnemonics as the kernel prints them.
static void out_vmas(const struct region *r) {
  FILE *f = fopen("/proc/self/smaps", "r");
  outf(",\"vmas\":\"");
  if (!f) {
    outf("?\"");
    return;
  }
  char line[512];
  uintptr_t lo = (uintptr_t)r->base, hi = lo + r->pages * PAGE;
  unsigned long s = 0, e = 0;
  while (fgets(line, sizeof line, f)) {
    unsigned long a, b;
    char dash;
    if (sscanf(line, "%lx%c%lx", &a, &dash, &b) == 3 && dash == '-') {
      s = a;
      e = b;
      continue;
    }
    if (strncmp(line, "VmFlags:", 8) != 0 || e <= lo || s >= hi) continue;
    uintptr_t cs = s < lo ? lo : s, ce = e > hi ? hi : e;
    size_t l = strlen(line);
    while (l && (line[l - 1] == '\n' || line[l - 1] == ' ')) line[--l] = 0;
    const char *flags = line + 8;
    while (*flags == ' ') flags++;
    outf("%lu-%lu %s;", (unsigned long)((cs - lo) / PAGE), (unsigned long)((ce - lo) / PAGE), flags);
  }
  fclose(f);
  outf("\"");
}

static long thread_minflt(void) {
  struct rusage ru;
  getrusage(RUSAGE_THREAD, &ru);
  return ru.ru_minflt;
}

// A fault retried after userfaultfd handling is accounted as major (mm_account_fault(), FAULT_FLAG_TRIED).
static long thread_majflt(void) {
  struct rusage ru;
  getrusage(RUSAGE_THREAD, &ru);
  return ru.ru_majflt;
}

static void segv_handler(int sig) {
  (void)sig;
  if (probe_armed) siglongjmp(probe_jmp, 1);
  _exit(6);
}

static void alarm_handler(int sig) {
  (void)sig;
  for (int i = 0; i < nchildren; i++)
    if (children[i] > 0) kill(children[i], SIGKILL);
  static const char msg[] = "runner: scenario timed out\n";
  ssize_t w = write(2, msg, sizeof msg - 1);
  (void)w;
  _exit(3);
}

// ---------- userfaultfd ----------
static void *uffd_thread(void *arg) {
  int fd = (int)(intptr_t)arg;
  struct pollfd pfd = {.fd = fd, .events = POLLIN};
  while (!atomic_load(&uffd_stop)) {
    int r = poll(&pfd, 1, 50);
    if (r <= 0) continue;
    struct uffd_msg msg;
    ssize_t n = read(fd, &msg, sizeof msg);
    if (n != sizeof msg) continue;
    if (msg.event != UFFD_EVENT_PAGEFAULT) continue;
    atomic_fetch_add(&uffd_faults, 1);
    struct uffdio_writeprotect wp;
    wp.range.start = msg.arg.pagefault.address & ~(PAGE - 1);
    wp.range.len = PAGE;
    wp.mode = 0; // resolve: clear uffd-wp and wake the faulting thread
    if (ioctl(fd, UFFDIO_WRITEPROTECT, &wp) != 0) {
      struct uffdio_range wr = {.start = wp.range.start, .len = PAGE};
      ioctl(fd, UFFDIO_WAKE, &wr);
    }
  }
  return NULL;
}

// ---------- ops ----------
static int map_region(enum kind k, size_t pages, int thp, struct region *r) {
  size_t len = pages * PAGE;
  size_t span = len + PMD_SIZE;
  // Reserve an aligned window with a guard gap so regions never merge.
  char *raw = mmap(NULL, span + PMD_SIZE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (raw == MAP_FAILED) return errno;
  char *base = (char *)(((uintptr_t)raw + PMD_SIZE - 1) & ~(PMD_SIZE - 1));
  munmap(raw, span + PMD_SIZE);
  int fd = -1;
  int flags = MAP_FIXED;
  switch (k) {
  case K_ANON:
    flags |= MAP_PRIVATE | MAP_ANONYMOUS;
    break;
  case K_ANON_SHARED:
    flags |= MAP_SHARED | MAP_ANONYMOUS;
    break;
  case K_MEMFD_SHARED:
  case K_MEMFD_PRIVATE:
    fd = (int)syscall(SYS_memfd_create, "oracle", MFD_CLOEXEC);
    if (fd < 0) return errno;
    if (ftruncate(fd, (off_t)len) != 0) return errno;
    flags |= (k == K_MEMFD_SHARED ? MAP_SHARED : MAP_PRIVATE);
    break;
  case K_FILE_SHARED:
  case K_FILE_PRIVATE:
  case K_FILE_SHARED_LARGE: {
    fd = open(file_dir, O_TMPFILE | O_RDWR, 0600);
    if (fd < 0) return errno;
    // Fill the file so every page is in the page cache (deterministic
    // fault-around). One page per write: ext4 sizes page-cache folios from the
    // write length, so this keeps every file folio order-0 (no batching).
    // file_shared_large writes 64 KiB at a time: ext4 then caches order-4 folios.
    static char buf[65536];
    memset(buf, 0x5a, sizeof buf);
    size_t chunk = k == K_FILE_SHARED_LARGE ? 65536 : 4096;
    size_t done = 0;
    while (done < len) {
      size_t n = len - done < chunk ? len - done : chunk;
      ssize_t w = pwrite(fd, buf, n, (off_t)done);
      if (w <= 0) return errno;
      done += (size_t)w;
    }
    flags |= (k == K_FILE_PRIVATE ? MAP_PRIVATE : MAP_SHARED);
    break;
  }
  default:
    return EINVAL;
  }
  char *p = mmap(base, len, PROT_READ | PROT_WRITE, flags, fd, 0);
  if (p == MAP_FAILED) return errno;
  if (thp && madvise(p, len, MADV_HUGEPAGE) != 0) return errno;
  r->base = p;
  r->pages = pages;
  r->thp = thp;
  r->kind = k;
  r->fd = fd;
  r->uffd = -1;
  r->has_thr = 0;
  return 0;
}

// A second mapping of the file or memfd behind region src, in its own aligned window (offset 0, same
// length): MAP_SHARED or MAP_PRIVATE. The new region owns a dup() of the descriptor.
static int map_alias(const struct region *src, int shared, struct region *r) {
  if (src->fd < 0) return EBADF;
  size_t len = src->pages * PAGE;
  size_t span = len + PMD_SIZE;
  char *raw = mmap(NULL, span + PMD_SIZE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (raw == MAP_FAILED) return errno;
  char *base = (char *)(((uintptr_t)raw + PMD_SIZE - 1) & ~(PMD_SIZE - 1));
  munmap(raw, span + PMD_SIZE);
  int fd = dup(src->fd);
  if (fd < 0) return errno;
  char *p = mmap(base, len, PROT_READ | PROT_WRITE, MAP_FIXED | (shared ? MAP_SHARED : MAP_PRIVATE), fd, 0);
  if (p == MAP_FAILED) {
    int e = errno;
    close(fd);
    return e;
  }
  enum kind k = src->kind;
  if (k == K_MEMFD_SHARED || k == K_MEMFD_PRIVATE) k = shared ? K_MEMFD_SHARED : K_MEMFD_PRIVATE;
  else if (k == K_FILE_SHARED_LARGE) k = shared ? K_FILE_SHARED_LARGE : K_FILE_PRIVATE;
  else k = shared ? K_FILE_SHARED : K_FILE_PRIVATE;
  r->base = p;
  r->pages = src->pages;
  r->thp = 0;
  r->kind = k;
  r->fd = fd;
  r->uffd = -1;
  r->has_thr = 0;
  return 0;
}

static int do_access(volatile char *p, char acc) {
  if (acc == 'r') {
    char v = *p;
    __asm__ volatile("" ::"r"(v) : "memory");
  } else if (acc == 'w') {
    // Read-modify-write would fault twice on a none PTE; a plain store is one write fault.
    *p = 1;
  }
  return 0;
}

static void run_access(int opi, struct op *o) {
  struct region *r = &regions[o->a];
  volatile char *p = r->base + (size_t)o->b * PAGE;
  struct pm before = read_pm((const void *)p);
  long huge_before = r->thp ? anon_huge_kb((const void *)p) : -1;
  long uf0 = atomic_load(&uffd_faults);
  int segv = 0;
  long f0 = thread_minflt();
  long j0 = thread_majflt();
  probe_armed = 1;
  if (sigsetjmp(probe_jmp, 1) == 0) {
    do_access(p, o->c ? (char)o->c : 'n');
  } else {
    segv = 1;
  }
  probe_armed = 0;
  long f1 = thread_minflt();
  long j1 = thread_majflt();
  long uf1 = atomic_load(&uffd_faults);
  struct pm after = read_pm((const void *)p);
  long huge_after = r->thp ? anon_huge_kb((const void *)p) : -1;
  outf("{\"i\":%d,\"op\":\"A\",\"err\":0,\"r\":%d,\"p\":%d,\"acc\":\"%c\",\"minflt\":%ld,\"majflt\":%ld,\"segv\":%d,\"uffd\":%ld,"
       "\"hugeBefore\":%ld,\"hugeAfter\":%ld,",
       opi, o->a, o->b, o->c ? o->c : 'n', f1 - f0, j1 - j0, segv, uf1 - uf0, huge_before, huge_after);
  out_pm("before", before);
  outf(",");
  out_pm("after", after);
  outf("}");
}

static int op_uffd_register(struct region *r, int unpop, int async) {
  if (r->uffd >= 0) return EBUSY;
  int fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK | UFFD_USER_MODE_ONLY);
  if (fd < 0) fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return errno;
  struct uffdio_api api = {.api = UFFD_API, .features = UFFD_FEATURE_WP_HUGETLBFS_SHMEM};
  if (unpop) api.features |= UFFD_FEATURE_WP_UNPOPULATED;
  if (async) api.features |= UFFD_FEATURE_WP_ASYNC;
  if (ioctl(fd, UFFDIO_API, &api) != 0) {
    int e = errno;
    close(fd);
    return e == EINVAL ? ENOTSUP : e;
  }
  struct uffdio_register reg = {.range = {.start = (uintptr_t)r->base, .len = r->pages * PAGE}, .mode = UFFDIO_REGISTER_MODE_WP};
  if (ioctl(fd, UFFDIO_REGISTER, &reg) != 0) {
    int e = errno;
    close(fd);
    return e;
  }
  r->uffd = fd;
  if (pthread_create(&r->thr, NULL, uffd_thread, (void *)(intptr_t)fd) != 0) return EAGAIN;
  r->has_thr = 1;
  return 0;
}

static int op_uffd_wp(struct region *r, int first, int n, int on) {
  if (r->uffd < 0) return EBADF;
  struct uffdio_writeprotect wp = {.range = {.start = (uintptr_t)(r->base + (size_t)first * PAGE), .len = (size_t)n * PAGE},
                                   .mode = on ? UFFDIO_WRITEPROTECT_MODE_WP : 0};
  return ioctl(r->uffd, UFFDIO_WRITEPROTECT, &wp) == 0 ? 0 : errno;
}


// ---------- the forked child as an actor ----------
// A command the parent sends to a child over its command pipe, and the child's reply. Both are fixed-size
// and far below PIPE_BUF, so each read/write moves a whole record.
struct child_cmd {
  int region;
  int page;
  char acc;
};
struct child_reply {
  long minflt, majflt, huge_before, huge_after;
  int segv;
  uint64_t before_raw, before_kflags, after_raw, after_kflags;
};

static ssize_t read_full(int fd, void *buf, size_t n) {
  size_t got = 0;
  while (got < n) {
    ssize_t r = read(fd, (char *)buf + got, n - got);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return r < 0 ? -1 : (ssize_t)got;
    got += (size_t)r;
  }
  return (ssize_t)got;
}

// Write to every page the child's probes will write (its stack near the probe, the signal stack, the
// probe globals), so that none of them is still shared copy-on-write with the parent: otherwise the
// first probe would count the child's own copy-on-write faults of those pages.
static void __attribute__((noinline)) child_warm_stack(void) {
  volatile char buf[131072];
  for (size_t i = 0; i < sizeof buf; i += 512) buf[i] = 1;
}

static void child_loop(int cmd_fd, int reply_fd, char *altstack, size_t altsize) {
  child_warm_stack();
  memset(altstack, 1, altsize);
  probe_armed = 0;
  (void)sigsetjmp(probe_jmp, 1);
  (void)thread_minflt();
  (void)thread_majflt();
  // The parent's pagemap descriptor reads the parent's page tables: the child opens its own.
  if (pagemap_fd >= 0) close(pagemap_fd);
  pagemap_fd = open("/proc/self/pagemap", O_RDONLY);
  struct child_cmd c;
  struct child_reply rep;
  memset(&c, 0, sizeof c);
  memset(&rep, 0, sizeof rep);
  (void)read_pm(&c);
  for (;;) {
    ssize_t n = read_full(cmd_fd, &c, sizeof c);
    if (n != (ssize_t)sizeof c) _exit(0); // the parent closed the pipe (exit) or died
    struct region *r = &regions[c.region];
    volatile char *p = r->base + (size_t)c.page * PAGE;
    memset(&rep, 0, sizeof rep);
    struct pm before = read_pm((const void *)p);
    rep.huge_before = r->thp ? anon_huge_kb((const void *)p) : -1;
    volatile int segv = 0;
    long f0 = thread_minflt();
    long j0 = thread_majflt();
    probe_armed = 1;
    if (sigsetjmp(probe_jmp, 1) == 0) {
      do_access(p, c.acc);
    } else {
      segv = 1;
    }
    probe_armed = 0;
    long f1 = thread_minflt();
    long j1 = thread_majflt();
    struct pm after = read_pm((const void *)p);
    rep.huge_after = r->thp ? anon_huge_kb((const void *)p) : -1;
    rep.minflt = f1 - f0;
    rep.majflt = j1 - j0;
    rep.segv = segv;
    rep.before_raw = before.raw;
    rep.before_kflags = before.kflags;
    rep.after_raw = after.raw;
    rep.after_kflags = after.kflags;
    if (write(reply_fd, &rep, sizeof rep) != (ssize_t)sizeof rep) _exit(7);
  }
}

// `C`: child `idx` accesses page `page` of its copy of region `ri`; printed like an `A` record (the
// child's own pagemap view, its own fault counts) plus the child index and the parent's pagemap entry of
// the same page at the same moment (`parent`), so that `sharedWithParent` can be derived from pfns.
static int op_child_access(int opi, int idx, int ri, int page, char acc) {
  if (idx < 0 || idx >= nchildren || children[idx] <= 0) return ECHILD;
  if (ri < 0 || ri >= nregions || page < 0 || (size_t)page >= regions[ri].pages) return EINVAL;
  struct child_cmd c;
  memset(&c, 0, sizeof c);
  c.region = ri;
  c.page = page;
  c.acc = acc;
  if (write(child_pipes[idx], &c, sizeof c) != (ssize_t)sizeof c) return EPIPE;
  struct child_reply rep;
  ssize_t n = read_full(child_replies[idx], &rep, sizeof rep);
  if (n != (ssize_t)sizeof rep) return EPIPE; // the child died: a clear per-op error, never a hang
  struct pm parent = read_pm(regions[ri].base + (size_t)page * PAGE);
  outf("{\"i\":%d,\"op\":\"C\",\"err\":0,\"child\":%d,\"r\":%d,\"p\":%d,\"acc\":\"%c\",\"minflt\":%ld,\"majflt\":%ld,"
       "\"segv\":%d,\"uffd\":0,\"hugeBefore\":%ld,\"hugeAfter\":%ld,",
       opi, idx, ri, page, acc, rep.minflt, rep.majflt, rep.segv, rep.huge_before, rep.huge_after);
  struct pm b = {rep.before_raw, rep.before_kflags}, a = {rep.after_raw, rep.after_kflags};
  out_pm("before", b);
  outf(",");
  out_pm("after", a);
  outf(",");
  out_pm("parent", parent);
  outf("}");
  return 0;
}

static char *child_altstack;
static size_t child_altsize;

static int op_fork(void) {
  int alive = 0;
  for (int i = 0; i < nchildren; i++) alive += children[i] > 0;
  if (alive >= MAX_CHILDREN || nchildren >= MAX_OPS) return EAGAIN;
  int pfd[2], rfd[2];
  if (pipe(pfd) != 0) return errno;
  if (pipe(rfd) != 0) return errno;
  pid_t pid = fork();
  if (pid < 0) return errno;
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    close(pfd[1]);
    close(rfd[0]);
    // Drop the pipe ends held for earlier children, or their EOF never comes.
    for (int i = 0; i < nchildren; i++)
      if (children[i] > 0) {
        close(child_pipes[i]);
        close(child_replies[i]);
      }
    // Hold the mappings until the parent says so or dies; access pages when told to (`C`).
    child_loop(pfd[0], rfd[1], child_altstack, child_altsize);
    _exit(0);
  }
  close(pfd[0]);
  close(rfd[1]);
  children[nchildren] = pid;
  child_pipes[nchildren] = pfd[1];
  child_replies[nchildren] = rfd[0];
  nchildren++;
  return 0;
}

static int op_child_exit(int idx) {
  if (idx < 0 || idx >= nchildren || children[idx] <= 0) return ECHILD;
  close(child_pipes[idx]);
  close(child_replies[idx]);
  int st;
  while (waitpid(children[idx], &st, 0) < 0 && errno == EINTR) {
  }
  children[idx] = 0;
  return 0;
}

static int range_ok(struct op *o) {
  return o->a >= 0 && o->a < nregions && o->b >= 0 && o->c >= 1 && (size_t)(o->b + o->c) <= regions[o->a].pages;
}

static void cleanup(void) {
  atomic_store(&uffd_stop, 1);
  for (int i = 0; i < nchildren; i++)
    if (children[i] > 0) {
      close(child_pipes[i]);
      close(child_replies[i]);
      kill(children[i], SIGKILL);
      waitpid(children[i], NULL, 0);
    }
  for (int i = 0; i < nregions; i++) {
    if (regions[i].has_thr) pthread_join(regions[i].thr, NULL);
    if (regions[i].uffd >= 0) close(regions[i].uffd);
    munmap(regions[i].base, regions[i].pages * PAGE);
    if (regions[i].fd >= 0) close(regions[i].fd);
  }
}

static void run_scenario(void) {
  // Stay on one CPU, the children and the uffd threads too (they inherit the mask): a folio a fault just
  // allocated waits in that CPU's LRU batch holding a reference, and the reuse check of a later write
  // fault (wp_can_reuse_anon_folio(), v6.18 mm/memory.c) drains only the local CPU's batch. On another
  // CPU the reference stays and the write copies a page it would have reused: a timing artifact.
  int cpu = sched_getcpu();
  if (cpu >= 0) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    (void)sched_setaffinity(0, sizeof set, &set);
  }
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = segv_handler;
  sa.sa_flags = SA_NODEFER | SA_ONSTACK;
  // A pre-faulted alternate stack: delivering SIGSEGV must not fault in stack
  // pages, or ru_minflt would count the signal frame.
  static char altstack[65536];
  memset(altstack, 1, sizeof altstack);
  stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0};
  sigaltstack(&ss, NULL);
  child_altstack = altstack;
  child_altsize = sizeof altstack;
  sigaction(SIGSEGV, &sa, NULL);
  sigaction(SIGBUS, &sa, NULL);
  signal(SIGALRM, alarm_handler);
  signal(SIGPIPE, SIG_IGN); // a child that died makes its op fail with EPIPE, not kill the worker
  alarm(timeout_s);
  pagemap_fd = open("/proc/self/pagemap", O_RDONLY);
  kpageflags_fd = open("/proc/kpageflags", O_RDONLY);
  if (pagemap_fd < 0) {
    printf("{\"id\":\"%s\",\"ok\":false,\"error\":\"cannot open /proc/self/pagemap: %s\"}\n", scen_id, strerror(errno));
    fflush(stdout);
    _exit(0);
  }
  outf("{\"id\":\"%s\",\"ok\":true,\"kpageflags\":%d,\"ops\":[", scen_id, kpageflags_fd >= 0);
  for (int i = 0; i < nops; i++) {
    struct op *o = &ops[i];
    if (i) outf(",");
    int err = 0;
    switch (o->code) {
    case 'M':
      if (nregions >= MAX_REGIONS) {
        err = ENOMEM;
        break;
      }
      err = map_region((enum kind)o->a, (size_t)o->b, o->c, &regions[nregions]);
      if (!err) nregions++;
      break;
    case 'L':
      if (nregions >= MAX_REGIONS || o->a < 0 || o->a >= nregions) {
        err = EINVAL;
        break;
      }
      err = map_alias(&regions[o->a], o->b, &regions[nregions]);
      if (!err) nregions++;
      break;
    case 'A':
      if (o->a < 0 || o->a >= nregions || o->b < 0 || (size_t)o->b >= regions[o->a].pages) {
        err = EINVAL;
        break;
      }
      run_access(i, o);
      continue;
    case 'F':
      err = op_fork();
      break;
    case 'X':
      err = op_child_exit(o->a);
      break;
    case 'C':
      err = op_child_access(i, o->a, o->b, o->c, o->acc);
      if (!err) continue;
      break;
    case 'P':
      if (!range_ok(o)) {
        err = EINVAL;
        break;
      }
      err = mprotect(regions[o->a].base + (size_t)o->b * PAGE, (size_t)o->c * PAGE, o->d) == 0 ? 0 : errno;
      outf("{\"i\":%d,\"op\":\"P\",\"err\":%d", i, err);
      out_vmas(&regions[o->a]);
      outf("}");
      continue;
    case 'D':
    case 'G':
    case 'H': {
      if (!range_ok(o)) {
        err = EINVAL;
        break;
      }
      int adv = o->code == 'D' ? MADV_DONTNEED : o->code == 'G' ? MADV_GUARD_INSTALL : MADV_GUARD_REMOVE;
      err = madvise(regions[o->a].base + (size_t)o->b * PAGE, (size_t)o->c * PAGE, adv) == 0 ? 0 : errno;
      break;
    }
    case 'U':
      err = (o->a >= 0 && o->a < nregions) ? op_uffd_register(&regions[o->a], o->b, o->c) : EINVAL;
      break;
    case 'W':
      err = range_ok(o) ? op_uffd_wp(&regions[o->a], o->b, o->c, o->d) : EINVAL;
      break;
    case 'Y':
      err = (o->a >= 0 && o->a < nregions) ? (msync(regions[o->a].base, regions[o->a].pages * PAGE, MS_SYNC) == 0 ? 0 : errno)
                                           : EINVAL;
      break;
    default:
      err = EINVAL;
    }
    outf("{\"i\":%d,\"op\":\"%c\",\"err\":%d}", i, o->code, err);
  }
  outf("]}\n");
  cleanup();
  alarm(0);
  fwrite(out, 1, out_len, stdout);
  fflush(stdout);
  _exit(0);
}

static int parse_kind(const char *s) {
  for (int k = 0; k < K_COUNT; k++)
    if (strcmp(s, kind_names[k]) == 0) return k;
  return -1;
}

// `runner --uffd-features`: the userfaultfd features this kernel offers (UFFDIO_API with none asked
// returns them all), for the campaign's recorded environment.
static int print_uffd_features(void) {
  int fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | UFFD_USER_MODE_ONLY);
  if (fd < 0) fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC);
  if (fd < 0) {
    printf("{\"ok\":false,\"error\":\"userfaultfd: %s\"}\n", strerror(errno));
    return 0;
  }
  struct uffdio_api api = {.api = UFFD_API, .features = 0};
  if (ioctl(fd, UFFDIO_API, &api) != 0) {
    printf("{\"ok\":false,\"error\":\"UFFDIO_API: %s\"}\n", strerror(errno));
    close(fd);
    return 0;
  }
  close(fd);
  printf("{\"ok\":true,\"features\":%llu}\n", (unsigned long long)api.features);
  return 0;
}

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "--uffd-features") == 0) return print_uffd_features();
  if (argc > 1) file_dir = argv[1];
  if (argc > 2) timeout_s = (unsigned)atoi(argv[2]);
  if (timeout_s == 0) timeout_s = TIMEOUT_S;
  char line[MAX_LINE];
  int lineno = 0;
  while (fgets(line, sizeof line, stdin)) {
    lineno++;
    size_t l = strlen(line);
    while (l && (line[l - 1] == '\n' || line[l - 1] == '\r')) line[--l] = 0;
    if (!l || line[0] == '#') continue;
    char code = line[0];
    struct op o = {code, 0, 0, 0, 0, 0};
    char s1[32] = {0};
    int ok = 1;
    switch (code) {
    case 'S':
      ok = sscanf(line, "S %63s", scen_id) == 1;
      nops = 0;
      continue;
    case 'M':
      ok = sscanf(line, "M %31s %d %d", s1, &o.b, &o.c) == 3 && (o.a = parse_kind(s1)) >= 0 && o.b > 0 && o.b <= 4096;
      break;
    case 'A':
      ok = sscanf(line, "A %d %d %c", &o.a, &o.b, &o.acc) == 3 && (o.acc == 'r' || o.acc == 'w' || o.acc == 'n');
      o.c = o.acc;
      break;
    case 'F':
      break;
    case 'X':
      ok = sscanf(line, "X %d", &o.a) == 1;
      break;
    case 'C':
      ok = sscanf(line, "C %d %d %d %c", &o.a, &o.b, &o.c, &o.acc) == 4 && (o.acc == 'r' || o.acc == 'w' || o.acc == 'n');
      break;
    case 'Y':
      ok = sscanf(line, "Y %d", &o.a) == 1;
      break;
    case 'P':
    case 'W':
      ok = sscanf(line + 1, " %d %d %d %d", &o.a, &o.b, &o.c, &o.d) == 4;
      break;
    case 'D':
    case 'G':
    case 'H':
      ok = sscanf(line + 1, " %d %d %d", &o.a, &o.b, &o.c) == 3;
      break;
    case 'U': // the async field is optional (older scenarios)
      ok = sscanf(line, "U %d %d %d", &o.a, &o.b, &o.c) >= 2;
      break;
    case 'L':
      ok = sscanf(line, "L %d %d", &o.a, &o.b) == 2;
      break;
    case 'E': {
      fflush(stdout);
      pid_t w = fork();
      if (w < 0) {
        printf("{\"id\":\"%s\",\"ok\":false,\"error\":\"fork: %s\"}\n", scen_id, strerror(errno));
        fflush(stdout);
        continue;
      }
      if (w == 0) run_scenario();
      int st = 0;
      while (waitpid(w, &st, 0) < 0 && errno == EINTR) {
      }
      if (!(WIFEXITED(st) && WEXITSTATUS(st) == 0)) {
        printf("{\"id\":\"%s\",\"ok\":false,\"error\":\"worker %s %d\"}\n", scen_id, WIFEXITED(st) ? "exit" : "signal",
               WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
        fflush(stdout);
      }
      continue;
    }
    default:
      ok = 0;
    }
    if (!ok) {
      fprintf(stderr, "runner: bad line %d: %s\n", lineno, line);
      return 2;
    }
    if (nops >= MAX_OPS) {
      fprintf(stderr, "runner: too many ops at line %d\n", lineno);
      return 2;
    }
    ops[nops++] = o;
  }
  return 0;
}
