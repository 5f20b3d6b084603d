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

int kipsec_par_init(void);
void kipsec_par_exit(void);
int kipsec_par_submit(struct kipsec_pkt *pkt, enum kipsec_par_dir dir,
		      void (*serial)(struct padata_priv *padata));

static inline struct kipsec_pkt *kipsec_par_pkt(struct padata_priv *padata)
{
	return container_of(padata, struct kipsec_pkt, padata);
}

#endif /* _KIPSEC_PARALLEL_H */
