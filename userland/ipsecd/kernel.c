// SPDX-License-Identifier: GPL-2.0
/*
 * The kipsec side: SPI reservation for our inbound SAs and installation
 * of negotiated SA pairs over the "kipsec" generic-netlink family
 * (include/kipsec.h). Requests carrying keys are wiped before being freed.
 */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include <netlink/attr.h>

#include "common/format.h"
#include "common/netlink_client.h"
#include "ipsecd/ipsecd.h"
#include "ipsecd/log.h"
#include "kipsec.h"

static struct netlink_client nl;
static bool nl_open;

int kernel_open(void)
{
	int err = netlink_client_open(&nl, KIPSEC_GENL_NAME);

	if (err == -ENOENT) {
		log_error("kipsec module not loaded (generic netlink family \"%s\" not found)",
			  KIPSEC_GENL_NAME);
		return -1;
	}
	if (err) {
		log_error("cannot talk to generic netlink: %s", strerror(-err));
		return -1;
	}
	nl_open = true;
	return 0;
}

void kernel_close(void)
{
	if (nl_open)
		netlink_client_close(&nl);
	nl_open = false;
}

static uint8_t ipproto(uint8_t ike_proto)
{
	return ike_proto == IKE_PROTO_AH ? IPPROTO_AH : IPPROTO_ESP;
}

static int put_addr(struct nl_msg *m, int type, const struct ip_addr *a)
{
	return nla_put(m, type, (int)ip_addr_len(a), a->bytes);
}

static int transact(struct nl_msg *m, netlink_reply_fn fn, void *arg,
		    const char *what)
{
	struct netlink_error e;
	int err = netlink_client_request(&nl, m, fn, arg, &e);

	if (err)
		log_error("kipsec %s: %s%s%s", what, e.msg, e.msg[0] ? ": " : "",
			  strerror(-err));
	netlink_msg_free_wiped(m);
	return err;
}

static int read_spi(struct nl_msg *reply, void *arg)
{
	struct nlattr *a = nlmsg_find_attr(nlmsg_hdr(reply), GENL_HDRLEN,
					   KIPSEC_A_SA_SPI);

	if (!a || nla_len(a) < 4)
		return -EPROTO;
	*(uint32_t *)arg = nla_get_u32(a);
	return 0;
}

int kernel_spi_alloc(const struct ip_addr *dst, uint8_t ike_proto,
		     uint32_t *spi)
{
	struct nl_msg *m = netlink_client_msg(&nl, KIPSEC_CMD_SPI_ALLOC,
					      KIPSEC_GENL_VERSION, 0);

	*spi = 0;
	if (!m)
		return -ENOMEM;
	if (put_addr(m, KIPSEC_A_SA_DST, dst) ||
	    nla_put_u8(m, KIPSEC_A_SA_PROTO, ipproto(ike_proto)) ||
	    /* Long enough for a Quick Mode with retransmissions. */
	    nla_put_u32(m, KIPSEC_A_SPI_TIMEOUT, 120)) {
		netlink_msg_free_wiped(m);
		return -EMSGSIZE;
	}
	if (transact(m, read_spi, spi, "SPI allocation"))
		return -1;
	return *spi ? 0 : -EPROTO;
}

static int sa_del(const struct ip_addr *dst, uint8_t ike_proto, uint32_t spi)
{
	struct nl_msg *m = netlink_client_msg(&nl, KIPSEC_CMD_SA_DEL,
					      KIPSEC_GENL_VERSION, 0);

	if (!m)
		return -ENOMEM;
	if (nla_put_u32(m, KIPSEC_A_SA_SPI, spi) ||
	    put_addr(m, KIPSEC_A_SA_DST, dst) ||
	    nla_put_u8(m, KIPSEC_A_SA_PROTO, ipproto(ike_proto))) {
		netlink_msg_free_wiped(m);
		return -EMSGSIZE;
	}
	return transact(m, NULL, NULL, "SA delete");
}

void kernel_spi_release(const struct ip_addr *dst, uint8_t ike_proto,
			uint32_t spi)
{
	if (spi)
		sa_del(dst, ike_proto, spi);
}

static int put_lifetime(struct nl_msg *m, int type, uint64_t bytes,
			uint64_t seconds)
{
	struct nlattr *nest;

	if (!bytes && !seconds)
		return 0;
	nest = nla_nest_start(m, type);
	if (!nest)
		return -1;
	if (bytes && nla_put_u64(m, KIPSEC_A_LIFETIME_BYTES, bytes))
		return -1;
	if (seconds && nla_put_u64(m, KIPSEC_A_LIFETIME_SECONDS, seconds))
		return -1;
	return nla_nest_end(m, nest);
}

/* Key lengths of a phase-2 suite: cipher key, salt, integrity key. */
static void key_lengths(const struct ike_p2_suite *s, size_t *enc,
			size_t *salt, size_t *auth)
{
	*enc = s->protocol == IKE_PROTO_ESP ? s->key_bits / 8 : 0;
	*salt = s->protocol == IKE_PROTO_ESP &&
		s->transform == IKE_ESP_AES_GCM_16 ? 4 : 0;
	switch (s->auth_alg) {
	case IKE_AUTH_ALG_HMAC_SHA2_256:
		*auth = 32;
		break;
	case IKE_AUTH_ALG_HMAC_SHA:
		*auth = 20;
		break;
	default:
		*auth = 0;
	}
}

static uint16_t kernel_auth(uint16_t alg)
{
	return alg == IKE_AUTH_ALG_HMAC_SHA2_256 ? KIPSEC_AUTH_HMAC_SHA256_128 :
	       alg == IKE_AUTH_ALG_HMAC_SHA ? KIPSEC_AUTH_HMAC_SHA1_96 :
	       KIPSEC_AUTH_NONE;
}

/*
 * Adds one SA. Its keys come from KEYMAT for the SA's receiver's SPI
 * (RFC 2409 5.5), so inbound and outbound SAs have different keys.
 */
static int sa_add(const struct conn *c, const struct isakmp_sa *sa,
		  const struct exchange *x, const struct child_sa *child,
		  const struct child_proto *p, bool inbound)
{
	const struct ip_addr *src = inbound ? &sa->peer : &sa->local;
	const struct ip_addr *dst = inbound ? &sa->local : &sa->peer;
	uint32_t spi = inbound ? p->spi_in : p->spi_out;
	uint8_t spi_wire[4] = { spi >> 24, spi >> 16, spi >> 8, spi };
	struct ike_secret *keymat = NULL;
	struct ike_sa_keys keys;
	size_t enc, salt, auth;
	struct nl_msg *m;
	uint64_t hard_s = child->life.seconds, hard_b = child->life.kbytes * 1000;
	uint64_t soft_s = 0, soft_b = 0;
	struct ike_bytes gqm = { 0 };
	int rc = -1;

	key_lengths(&p->suite, &enc, &salt, &auth);
	if (x->gqm) {
		gqm.ptr = x->gqm->ptr;
		gqm.len = x->gqm->len;
	}
	if (ike_keymat(sa->suite.hash, sa->skeyid_d, gqm, p->suite.protocol,
		       (struct ike_bytes){ spi_wire, 4 },
		       (struct ike_bytes){ x->ni_b.data, x->ni_b.len },
		       (struct ike_bytes){ x->nr_b.data, x->nr_b.len },
		       ike_keymat_len(enc, salt, auth), &keymat) ||
	    ike_keymat_split(keymat, enc, salt, auth, &keys)) {
		log_error("%s: KEYMAT derivation failed", c->cfg->name);
		ike_secret_free(keymat);
		return -1;
	}
	/*
	 * Soft limits start the rekey: the margin before the hard time, and
	 * 90% of the byte limit (there is no byte margin key).
	 */
	if (hard_s)
		soft_s = hard_s > c->cfg->rekeymargin ?
			 hard_s - c->cfg->rekeymargin : hard_s * 9 / 10;
	if (hard_b)
		soft_b = hard_b / 10 * 9;
	m = netlink_client_msg(&nl, KIPSEC_CMD_SA_NEW, KIPSEC_GENL_VERSION, 0);
	if (!m)
		goto out;
	if (nla_put_u32(m, KIPSEC_A_SA_SPI, spi) ||
	    put_addr(m, KIPSEC_A_SA_DST, dst) ||
	    put_addr(m, KIPSEC_A_SA_SRC, src) ||
	    nla_put_u8(m, KIPSEC_A_SA_PROTO, ipproto(p->suite.protocol)) ||
	    nla_put_u8(m, KIPSEC_A_SA_MODE, c->cfg->tunnel ? KIPSEC_MODE_TUNNEL :
		       KIPSEC_MODE_TRANSPORT) ||
	    nla_put_u32(m, KIPSEC_A_SA_REQID, c->reqid))
		goto nomem;
	if (p->suite.protocol == IKE_PROTO_ESP &&
	    (nla_put_u16(m, KIPSEC_A_SA_ENC_ALG,
			 p->suite.transform == IKE_ESP_AES_GCM_16 ?
			 KIPSEC_ENC_AES_GCM_16 : KIPSEC_ENC_AES_CBC) ||
	     /* The salt follows the cipher key in KEYMAT and in kipsec. */
	     nla_put(m, KIPSEC_A_SA_ENC_KEY, (int)(enc + salt), keys.enc.ptr)))
		goto nomem;
	if (auth && (nla_put_u16(m, KIPSEC_A_SA_AUTH_ALG,
				 kernel_auth(p->suite.auth_alg)) ||
		     nla_put(m, KIPSEC_A_SA_AUTH_KEY, (int)auth, keys.auth.ptr)))
		goto nomem;
	if (put_lifetime(m, KIPSEC_A_SA_LIFETIME_SOFT, soft_b, soft_s) ||
	    put_lifetime(m, KIPSEC_A_SA_LIFETIME_HARD, hard_b, hard_s))
		goto nomem;
	rc = transact(m, NULL, NULL, inbound ? "inbound SA" : "outbound SA");
	goto out;
nomem:
	netlink_msg_free_wiped(m);
	log_error("%s: SA request does not fit a netlink message", c->cfg->name);
out:
	ike_secret_free(keymat);
	return rc;
}

int kernel_child_install(const struct conn *c, const struct isakmp_sa *sa,
			 const struct exchange *x, struct child_sa *child)
{
	size_t i;

	for (i = 0; i < child->n; i++) {
		if (sa_add(c, sa, x, child, &child->p[i], true))
			goto fail;
		if (sa_add(c, sa, x, child, &child->p[i], false)) {
			sa_del(&sa->local, child->p[i].suite.protocol,
			       child->p[i].spi_in);
			goto fail;
		}
	}
	return 0;
fail:
	while (i--) {
		sa_del(&sa->local, child->p[i].suite.protocol, child->p[i].spi_in);
		sa_del(&sa->peer, child->p[i].suite.protocol, child->p[i].spi_out);
	}
	return -1;
}

void kernel_child_delete(const struct conn *c, const struct child_sa *child)
{
	size_t i;

	for (i = 0; i < child->n; i++) {
		sa_del(&c->cfg->left, child->p[i].suite.protocol,
		       child->p[i].spi_in);
		sa_del(&c->cfg->right, child->p[i].suite.protocol,
		       child->p[i].spi_out);
	}
}
