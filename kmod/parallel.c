// SPDX-License-Identifier: GPL-2.0
/*
 * Parallel crypto for KIPSEC_SA_F_PARALLEL SAs. XFRM, and kipsec's serial
 * SAs, run one SA's crypto on the CPU its packets arrive on, so one SA
 * tops out at one CPU. Here the transform (esp.c) prepares a packet as
 * usual, sequence number included, then hands its AEAD request to padata:
 * the crypto runs on whichever CPU padata picks, and padata gives the
 * packets back, in the order they were submitted, to a serial callback
 * that finishes them as a synchronous crypto call would have.
 *
 * No pcrypt() instance: registered at a higher priority than the plain
 * algorithms, it would make every later user of the same name parallel
 * too, XFRM and kipsec's serial SAs included. Two module-wide instances
 * instead, so that encryption and decryption do not wait for each other's
 * order.
 *
 * padata orders by its own submission count, one per instance; its serial
 * callback runs on the CPU given at submission. Every packet of one SA
 * gets the same CPU (from its SPI), so that two serial workers never race
 * each other with one SA's packets. Decryption takes the CPU after the one
 * encryption takes: where both ends of an SA run on one host (namespaces,
 * containers), each end's release, and the forwarding that follows it on
 * that CPU, then has a CPU of its own instead of both sharing one.
 *
 * A small packet (KIPSEC_PAR_INLINE_MAX) is done inline, as a serial SA's
 * would be, when it can be without overtaking one of its SA's: none of them
 * is in padata, and it is on the CPU they are released on. Released ones
 * may still wait in that CPU's queues (a veth's backlog, GRO cells), which
 * a packet finished on another CPU would pass; finished on the same CPU,
 * it queues behind them. Its crypto is too cheap to be worth the two
 * hand-overs: a bulk transfer's ACKs, and small datagrams, then cost what
 * they cost on a serial SA.
 */

#include <crypto/aead.h>
#include <linux/bottom_half.h>
#include <linux/cpumask.h>
#include <linux/jhash.h>

#include "debug_hooks.h"
#include "packet.h"
#include "parallel.h"

struct kipsec_par {
	struct padata_instance *inst;
	struct padata_shell *shell;
};

static struct kipsec_par kipsec_par[__KIPSEC_PAR_MAX];

static const char *const kipsec_par_names[__KIPSEC_PAR_MAX] = {
	[KIPSEC_PAR_ENCRYPT] = "kipsec_encrypt",
	[KIPSEC_PAR_DECRYPT] = "kipsec_decrypt",
};

/* The crypto is done: on to the in-order release. */
static void kipsec_par_crypt_finished(struct padata_priv *padata)
{
	if (!kipsec_debug_hold_crypto(padata, kipsec_par_pkt(padata)->net))
		padata_do_serial(padata);
}

static void kipsec_par_crypt_done(struct crypto_async_request *base, int err)
{
	struct kipsec_pkt *pkt = base->data;

	pkt->crypt_err = err;
	/* padata_do_serial() takes its locks without disabling BH itself. */
	local_bh_disable();
	kipsec_par_crypt_finished(&pkt->padata);
	local_bh_enable();
}

/* padata's parallel step, BH disabled, on any CPU. */
static void kipsec_par_crypt(struct padata_priv *padata, bool encrypt)
{
	struct kipsec_pkt *pkt = kipsec_par_pkt(padata);
	struct aead_request *req = (struct aead_request *)pkt->req;
	int err;

	err = encrypt ? crypto_aead_encrypt(req) : crypto_aead_decrypt(req);
	if (err == -EINPROGRESS)
		return;
	pkt->crypt_err = err;
	kipsec_par_crypt_finished(padata);
}

static void kipsec_par_encrypt(struct padata_priv *padata)
{
	kipsec_par_crypt(padata, true);
}

static void kipsec_par_decrypt(struct padata_priv *padata)
{
	kipsec_par_crypt(padata, false);
}

/* The CPU every @dir packet of @sa is released on. */
static int kipsec_par_cb_cpu(const struct kipsec_sa *sa,
			     enum kipsec_par_dir dir)
{
	return (jhash_1word((__force u32)sa->key.spi, 0) + dir) % nr_cpu_ids;
}

/*
 * Whether a packet of @len bytes, on @cpu, of an SA with @inflight packets
 * in padata that are released on @cb_cpu, may skip padata. A pure
 * function, for the self-tests.
 */
bool kipsec_par_inline_ok(unsigned int len, int inflight, int cpu,
			  int cb_cpu)
{
	return len <= KIPSEC_PAR_INLINE_MAX && inflight <= 0 && cpu == cb_cpu;
}

/*
 * Submits @pkt, its AEAD request set up except for the callback. 0: @serial
 * will be called with it, BH disabled, once it and every packet submitted
 * before it are done, and must call kipsec_par_release() first. -EBUSY:
 * @pkt is still the caller's, who should do the crypto inline: it is small
 * and can overtake none of its SA's (above), or padata is being
 * reconfigured (as pcrypt does). Any other error: @pkt is still the
 * caller's, to be dropped.
 *
 * Outside BH (a locally generated packet) the task may move to another CPU
 * right after the inline check: a rare reorder, which the peer's
 * anti-replay window absorbs as it does two CPUs sending on one SA at once.
 */
int kipsec_par_submit(struct kipsec_pkt *pkt, enum kipsec_par_dir dir,
		      void (*serial)(struct padata_priv *padata))
{
	struct aead_request *req = (struct aead_request *)pkt->req;
	struct kipsec_sa *sa = pkt->sa;
	int cb_cpu = kipsec_par_cb_cpu(sa, dir);
	int err;

	if (kipsec_par_inline_ok(pkt->skb->len, atomic_read(&sa->par_inflight),
				 raw_smp_processor_id(), cb_cpu))
		return -EBUSY;
	aead_request_set_callback(req, 0, kipsec_par_crypt_done, pkt);
	pkt->padata.parallel = dir == KIPSEC_PAR_ENCRYPT ? kipsec_par_encrypt :
							   kipsec_par_decrypt;
	pkt->padata.serial = serial;
	atomic_inc(&sa->par_inflight);
	err = padata_do_parallel(kipsec_par[dir].shell, &pkt->padata, &cb_cpu);
	if (err)
		atomic_dec(&sa->par_inflight);
	return err;
}

/*
 * @pkt leaves padata. Counted before the packet is finished rather than
 * after, because finishing it may put the SA's last reference; no inline
 * packet can come in between, since it would have to run on this CPU,
 * where the serial step holds BH disabled.
 */
void kipsec_par_release(struct kipsec_pkt *pkt)
{
	atomic_dec(&pkt->sa->par_inflight);
}

int kipsec_par_init(void)
{
	int i;

	for (i = 0; i < __KIPSEC_PAR_MAX; i++) {
		struct kipsec_par *p = &kipsec_par[i];

		p->inst = padata_alloc(kipsec_par_names[i]);
		if (!p->inst)
			goto err;
		p->shell = padata_alloc_shell(p->inst);
		if (!p->shell) {
			padata_free(p->inst);
			p->inst = NULL;
			goto err;
		}
	}
	return 0;
err:
	kipsec_par_exit();
	return -ENOMEM;
}

/*
 * After the hooks are gone and kipsec_pkt_exit(): nothing is submitted
 * any more. padata_free() destroys the instance's workqueues, which waits
 * for any parallel step still returning from this module's code.
 */
void kipsec_par_exit(void)
{
	int i;

	kipsec_debug_hold_exit();
	for (i = 0; i < __KIPSEC_PAR_MAX; i++) {
		struct kipsec_par *p = &kipsec_par[i];

		if (!p->inst)
			continue;
		padata_free_shell(p->shell);
		padata_free(p->inst);
		p->shell = NULL;
		p->inst = NULL;
	}
}
