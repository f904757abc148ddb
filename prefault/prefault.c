/*
 * Fault in, in one system call, memory rt is about to touch a page at a
 * time: its text and read-only data, its .data and .bss (a constructor,
 * before the Go runtime starts) and the heap a command grows into (the
 * package's Go init).
 *
 * Only where a page fault is dear. On the machines of stops 11-13 (nested
 * virtualisation) a fault cost ~15 us and MADV_POPULATE_WRITE ~1 us a page
 * (measured: 256 fresh pages touched one by one 16.7 us each, populated
 * 0.9 us each); an `rt run` of /bin/true took 365 faults, 215 with all
 * three, and 1.6 to 2.0 ms less CPU (bench/measure ABBA, N=300). On a
 * machine where a fault costs ~0.75 us and populating ~0.5 us a page,
 * populating what rt never touches costs more than the faults it saves:
 * rt exec took 60 us more CPU with it, rt run 40 us (N=200). So the
 * constructor first times the faults of two fresh pages.
 */
#define _GNU_SOURCE
#include <link.h>
#include <time.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "prefault.h"

#ifndef MADV_POPULATE_WRITE /* Linux 5.14; older kernels say EINVAL: then nothing happens */
#define MADV_POPULATE_READ 22
#define MADV_POPULATE_WRITE 23
#endif

#define PAGE 4096UL

void rt_prefault_range(uintptr_t start, size_t len)
{
	uintptr_t end = (start + len + PAGE - 1) & ~(PAGE - 1);
	start &= ~(PAGE - 1);
	if (end > start)
		madvise((void *)start, end - start, MADV_POPULATE_WRITE);
}

/* rt's read-only image (text, rodata, pclntab): the kernel maps 16 pages
 * of it around each fault, still ~75 faults a run; MADV_POPULATE_READ maps
 * it all from the page cache in one call. Its pages are already resident
 * (~4.6 MiB of rt's RSS is file pages either way, measured), and a fork
 * does not copy file-backed mappings' page tables. */
static int readonly_segments(struct dl_phdr_info *info, size_t size, void *data)
{
	(void)size;
	(void)data;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type != PT_LOAD || (ph->p_flags & PF_W))
			continue;
		uintptr_t start = (info->dlpi_addr + ph->p_vaddr) & ~(PAGE - 1);
		uintptr_t end = (info->dlpi_addr + ph->p_vaddr + ph->p_memsz + PAGE - 1) & ~(PAGE - 1);
		madvise((void *)start, end - start, MADV_POPULATE_READ);
	}
	return 1; /* the executable only */
}

/* At most this much of .data and .bss is populated (rt's is ~450 KiB). */
#define RT_PREFAULT_RW_MAX (1UL << 20)

/* rt's own writable image past its RELRO part: .data, .bss. */
static int writable_segment(struct dl_phdr_info *info, size_t size, void *data)
{
	(void)size;
	(void)data;
	uintptr_t relro_end = 0;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type == PT_GNU_RELRO)
			relro_end = info->dlpi_addr + ph->p_vaddr + ph->p_memsz;
	}
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_W))
			continue;
		uintptr_t start = info->dlpi_addr + ph->p_vaddr, end = start + ph->p_memsz;
		if (relro_end > start && relro_end < end)
			start = (relro_end + PAGE - 1) & ~(PAGE - 1);
		/* A dependency's big static buffer (Go's FIPS DRBG has 32 MiB of
		 * .bss) would cost milliseconds to populate for nothing. */
		if (end - start > RT_PREFAULT_RW_MAX)
			end = start + RT_PREFAULT_RW_MAX;
		rt_prefault_range(start, end - start);
	}
	return 1; /* the executable only */
}

static void rt_prefault_image(void)
{
	dl_iterate_phdr(writable_segment, NULL);
}

/* The global flags of rt that take a value (main.go's; a test in package
 * main keeps the two lists equal). */
static const char *const rt_prefault_value_flags[] = {"root", "log", "log-format", "rootless", "criu", NULL};

const char *rt_prefault_value_flag(int i)
{
	return rt_prefault_value_flags[i];
}

/* The command of rt's command line: the first argument that is neither a
 * flag nor the value of a global flag, in Go flag syntax. */
const char *rt_prefault_command(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (a[0] != '-' || a[1] == 0)
			return a;
		if (strcmp(a, "--") == 0)
			return i + 1 < argc ? argv[i + 1] : NULL;
		const char *name = a[1] == '-' ? a + 2 : a + 1;
		if (strchr(name, '=') != NULL)
			continue;
		for (const char *const *v = rt_prefault_value_flags; *v != NULL; v++)
			if (strcmp(name, *v) == 0) {
				i++;
				break;
			}
	}
	return NULL;
}

/* The cheaper of two fresh pages' first touch, in ns (-1: not measured). */
long rt_prefault_fault_ns = -1;

static long elapsed_ns(const struct timespec *a, const struct timespec *b)
{
	return (b->tv_sec - a->tv_sec) * 1000000000L + (b->tv_nsec - a->tv_nsec);
}

static int faults_are_dear(void)
{
	char *p = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return 1;
	struct timespec t0, t1, t2;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	*(volatile char *)p = 1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	*(volatile char *)(p + PAGE) = 1;
	clock_gettime(CLOCK_MONOTONIC, &t2);
	munmap(p, 2 * PAGE);
	long a = elapsed_ns(&t0, &t1), b = elapsed_ns(&t1, &t2);
	rt_prefault_fault_ns = a < b ? a : b;
	return rt_prefault_fault_ns > RT_DEAR_FAULT_NS;
}

/* Before the Go runtime starts, so that its own first touches of .bss are
 * covered too. Not for `rt create`: its init is forked and waits for
 * start with a copy of rt's memory, whose resident size would grow by
 * these pages (~700 KiB). */
int rt_prefault_skip;

__attribute__((constructor)) static void rt_prefault_at_start(int argc, char **argv)
{
	const char *cmd = rt_prefault_command(argc, argv);
	rt_prefault_skip = cmd != NULL && strcmp(cmd, "create") == 0;
	if (!faults_are_dear()) {
		rt_prefault_skip = 1; /* the Go init's heap too */
		return;
	}
	dl_iterate_phdr(readonly_segments, NULL);
	if (!rt_prefault_skip)
		rt_prefault_image();
}
