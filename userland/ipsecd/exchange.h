/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the exchange driver (exchange.c), its tables of steps (main_mode.c,
 * quick_mode.c) and the message layer (message.c) share: the shape of a
 * step, the message a step builds, and the identities of both phases
 * (identity.c).
 */
#ifndef IPSECD_EXCHANGE_H
#define IPSECD_EXCHANGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ipsecd/ipsecd.h"

#define NONCE_LEN 32
#define MAX_OUT_PAYLOADS 12

struct out_msg {
	struct ike_payload pl[MAX_OUT_PAYLOADS];
	size_t n;
	struct ike_arena arena;
	/* Quick Mode hashes cover the encoded payloads after HASH. */
	int (*hash_fill)(struct exchange *x, uint8_t *body, size_t len,
			 const size_t *offsets, size_t n);
};

typedef int (*build_fn)(struct exchange *x, const struct ike_message *rx,
			struct out_msg *out);
typedef int (*process_fn)(struct exchange *x, const struct ike_message *rx);
/*
 * Work of ours that the peer need not wait for, done once our message is
 * on the wire and while the peer works on it. Returns as process_fn does.
 */
typedef int (*after_send_fn)(struct exchange *x);

struct step {
	enum ike_exchange_step rules;
	bool from_initiator;
	bool encrypted;
	build_fn build;
	process_fn process;
	after_send_fn after_send;	/* optional */
};

struct exchange_type {
	const char *name;
	uint8_t exchange;
	const struct step *steps;
	size_t nsteps;
	void (*done)(struct exchange *x);
	void (*failed)(struct exchange *x, const char *why);
};

extern const struct exchange_type main_mode, quick_mode;

static inline const char *conn_name(const struct exchange *x)
{
	return x->conn ? x->conn->cfg->name :
	       x->sa->conn ? x->sa->conn->cfg->name : "?";
}

static inline struct ike_payload *out_add(struct out_msg *out, uint8_t type)
{
	struct ike_payload *pl = &out->pl[out->n++];

	memset(pl, 0, sizeof(*pl));
	pl->type = type;
	return pl;
}

static inline void out_add_bytes(struct out_msg *out, uint8_t type,
				 const void *p, size_t len)
{
	struct ike_payload *pl = out_add(out, type);

	pl->u.data.ptr = p;
	pl->u.data.len = len;
}

static inline int buf_set(struct ike_buf *b, const void *p, size_t len)
{
	ike_buf_reset(b);
	return ike_buf_append(b, p, len);
}

static inline struct ike_bytes bytes_of(const struct ike_buf *b)
{
	return (struct ike_bytes){ b->data, b->len };
}

/* identity.c */
void id_from_subnet(struct ike_id *id, const struct subnet *net,
		    bool host_as_addr);
int subnet_from_id(const struct ike_id *id, struct subnet *net);
void phase1_id(struct ike_id *id, const struct ip_addr *a);

/* message.c */
int message_send_payloads(struct isakmp_sa *sa, uint8_t exch, uint32_t msgid,
			  bool encrypted, uint8_t *iv, struct out_msg *out,
			  struct exchange *x, struct ike_buf *keep);
int message_send(struct isakmp_sa *sa, uint32_t msgid, bool encrypted,
		 uint8_t *iv, struct ike_payload *pl, size_t n,
		 int (*hash_fill)(struct exchange *, uint8_t *, size_t,
				  const size_t *, size_t),
		 struct exchange *ctx);

#endif /* IPSECD_EXCHANGE_H */
