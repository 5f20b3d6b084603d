// SPDX-License-Identifier: GPL-2.0
/*
 * A QEMU TCG plugin for `make profile` (scripts/profile.sh): counts the
 * guest instructions executed per translation block between two marker
 * files the guest writes into its results share, and writes them out as
 * "ADDRESS COUNT" lines, for scripts/tcg-profile/report.py to add up per
 * kernel function.
 *
 * Why not perf: under TCG the guest's sampling timer fires almost only
 * when a vCPU idles (98% of samples in native_safe_halt), and there is no
 * PMU. Instructions executed are also what TCG's time follows most
 * closely, a "rep movsb" counting once per byte as it is emulated.
 *
 *   qemu-system-x86_64 ... -plugin insn_count.so,dir=DIR
 *
 * DIR/profile-start appears (its content: a label): counting starts.
 * DIR/profile-stop appears: DIR/insns-LABEL.txt is written and both
 * markers are removed, which tells the guest the window is closed.
 *
 * Debian ships QEMU's plugin support but not its header, so the few
 * entry points used are declared here, as QEMU 7.2's plugin API (version
 * 1) defines them.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef uint64_t qemu_plugin_id_t;
struct qemu_plugin_tb;
enum qemu_plugin_op { QEMU_PLUGIN_INLINE_ADD_U64 };
typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t id,
					       struct qemu_plugin_tb *tb);
void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id,
					   qemu_plugin_vcpu_tb_trans_cb_t cb);
void qemu_plugin_register_vcpu_tb_exec_inline(struct qemu_plugin_tb *tb,
					      enum qemu_plugin_op op,
					      void *ptr, uint64_t imm);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *tb);

__attribute__((visibility("default"))) int qemu_plugin_version = 1;

/* Blocks translated over a whole boot and bench stay well below this. */
#define MAX_BLOCKS (1u << 22)
#define POLL_US 20000

struct block {
	uint64_t vaddr;
	uint64_t insns;		/* executed, added inline by the TB itself */
};

static struct block *blocks;
static uint64_t *at_start;
static unsigned int nblocks;	/* under lock; only grows */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static char dir[512];

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	unsigned int i;

	(void)id;
	pthread_mutex_lock(&lock);
	/* Past the limit, the last block absorbs the rest: counted, unnamed. */
	i = nblocks < MAX_BLOCKS ? nblocks++ : MAX_BLOCKS - 1;
	if (i < MAX_BLOCKS - 1)
		blocks[i].vaddr = qemu_plugin_tb_vaddr(tb);
	pthread_mutex_unlock(&lock);
	qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64,
						 &blocks[i].insns,
						 qemu_plugin_tb_n_insns(tb));
}

static unsigned int block_count(void)
{
	unsigned int n;

	pthread_mutex_lock(&lock);
	n = nblocks;
	pthread_mutex_unlock(&lock);
	return n;
}

static void wait_for(const char *path)
{
	while (access(path, F_OK))
		usleep(POLL_US);
}

static void read_label(const char *path, char *label, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t i;

	snprintf(label, len, "window");
	if (f) {
		if (!fgets(label, (int)len, f))
			snprintf(label, len, "window");
		fclose(f);
	}
	label[strcspn(label, "\n")] = '\0';
	for (i = 0; label[i]; i++)
		if (label[i] == '/' || label[i] == '.')
			label[i] = '_';
}

static void write_counts(const char *label, unsigned int n0)
{
	unsigned int i, n = block_count();
	char path[1100];
	FILE *f;

	snprintf(path, sizeof(path), "%s/insns-%s.txt", dir, label);
	f = fopen(path, "w");
	if (!f)
		return;
	for (i = 0; i < n; i++) {
		uint64_t c = blocks[i].insns - (i < n0 ? at_start[i] : 0);

		if (c)
			fprintf(f, "%llx %llu\n",
				(unsigned long long)blocks[i].vaddr,
				(unsigned long long)c);
	}
	fclose(f);
}

static void *watch(void *arg)
{
	char start[600], stop[600], label[64];
	unsigned int i, n0;

	(void)arg;
	snprintf(start, sizeof(start), "%s/profile-start", dir);
	snprintf(stop, sizeof(stop), "%s/profile-stop", dir);
	for (;;) {
		wait_for(start);
		read_label(start, label, sizeof(label));
		n0 = block_count();
		for (i = 0; i < n0; i++)
			at_start[i] = blocks[i].insns;
		wait_for(stop);
		write_counts(label, n0);
		unlink(start);
		unlink(stop);
	}
	return NULL;
}

__attribute__((visibility("default")))
int qemu_plugin_install(qemu_plugin_id_t id, const void *info, int argc,
			char **argv)
{
	pthread_t thread;

	(void)info;
	if (argc != 1 || strncmp(argv[0], "dir=", 4)) {
		fprintf(stderr, "insn_count: takes one argument, dir=DIR\n");
		return -1;
	}
	snprintf(dir, sizeof(dir), "%s", argv[0] + 4);
	blocks = calloc(MAX_BLOCKS, sizeof(*blocks));
	at_start = calloc(MAX_BLOCKS, sizeof(*at_start));
	if (!blocks || !at_start)
		return -1;
	qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
	if (pthread_create(&thread, NULL, watch, NULL))
		return -1;
	pthread_detach(thread);
	return 0;
}
