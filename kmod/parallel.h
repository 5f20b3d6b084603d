/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One SA's crypto spread over all CPUs (KIPSEC_SA_F_PARALLEL), through the
 * kernel's padata: packets are encrypted or decrypted on any CPU and
 * released, in the order they were submitted, on one CPU per SA.
 */
#ifndef _KIPSEC_PARALLEL_H
#define _KIPSEC_PARALLEL_H

#include <linux/padata.h>

struct kipsec_pkt;

enum kipsec_par_dir {
	KIPSEC_PAR_ENCRYPT,
	KIPSEC_PAR_DECRYPT,
	__KIPSEC_PAR_MAX
};

/*
 * A packet up to this size, outer headers included, costs less to encrypt
 * or decrypt than padata's two hand-overs between CPUs cost it: 64-byte
 * datagrams, TCP's ACKs. Full-sized packets stay well above it.
 */
#define KIPSEC_PAR_INLINE_MAX 256

int kipsec_par_init(void);
void kipsec_par_exit(void);
bool kipsec_par_inline_ok(unsigned int len, int inflight, int cpu,
			  int cb_cpu);
int kipsec_par_submit(struct kipsec_pkt *pkt, enum kipsec_par_dir dir,
		      void (*serial)(struct padata_priv *padata));
void kipsec_par_release(struct kipsec_pkt *pkt);

static inline struct kipsec_pkt *kipsec_par_pkt(struct padata_priv *padata)
{
	return container_of(padata, struct kipsec_pkt, padata);
}

#endif /* _KIPSEC_PARALLEL_H */
