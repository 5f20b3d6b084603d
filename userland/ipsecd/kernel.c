// SPDX-License-Identifier: GPL-2.0
/*
 * The kipsec side: SPI reservation for our inbound SAs, installation of
 * negotiated SA pairs and of policies over the "kipsec" generic-netlink
 * family (include/kipsec.h), and kipsec's events (soft and hard expiry,
 * ACQUIRE) on its multicast group, on a second socket that the poll()
 * loop watches. Requests carrying keys are wiped before being freed.
 */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include <netlink/attr.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>

#include "common/format.h"
#include "common/netlink_client.h"
#include "ipsecd/ipsecd.h"
#include "ipsecd/log.h"
#include "kipsec.h"

static struct netlink_client nl;
static bool nl_open;
static struct nl_sock *ev_sock;
static int ev_family;

/* Room for bursts of events (many SAs reaching a limit at once). */
#define EVENTS_RCVBUF (1 << 20)

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

/* What names an SA to kipsec: its SPI, destination and IP protocol. */
static int put_sa_id(struct nl_msg *m, uint32_t spi, const struct ip_addr *dst,
		     uint8_t ip_proto)
{
	return nla_put_u32(m, KIPSEC_A_SA_SPI, spi) ||
	       put_addr(m, KIPSEC_A_SA_DST, dst) ||
	       nla_put_u8(m, KIPSEC_A_SA_PROTO, ip_proto);
}

/* Sends m and frees it; an error equal to quiet (-ENOENT...) is not logged. */
static int transact_q(struct nl_msg *m, netlink_reply_fn fn, void *arg,
		      const char *what, int quiet)
{
	struct netlink_error e;
	int err = netlink_client_request(&nl, m, fn, arg, &e);

	if (err && err != quiet)
		log_error("kipsec %s: %s%s%s", what, e.msg, e.msg[0] ? ": " : "",
			  strerror(-err));
	netlink_msg_free_wiped(m);
	return err;
}

static int transact(struct nl_msg *m, netlink_reply_fn fn, void *arg,
		    const char *what)
{
	return transact_q(m, fn, arg, what, 0);
}

/* A u32 attribute of a reply; -EPROTO when it is not there. */
static int read_u32(struct nl_msg *reply, int type, uint32_t *out)
{
	struct nlattr *a = nlmsg_find_attr(nlmsg_hdr(reply), GENL_HDRLEN, type);

	if (!a || nla_len(a) < 4)
		return -EPROTO;
	*out = nla_get_u32(a);
	return 0;
}

static int read_spi(struct nl_msg *reply, void *arg)
{
	return read_u32(reply, KIPSEC_A_SA_SPI, arg);
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

static int sa_del_q(const struct ip_addr *dst, uint8_t ike_proto,
		    uint32_t spi, int quiet)
{
	struct nl_msg *m = netlink_client_msg(&nl, KIPSEC_CMD_SA_DEL,
					      KIPSEC_GENL_VERSION, 0);

	if (!m)
		return -ENOMEM;
	if (put_sa_id(m, spi, dst, ipproto(ike_proto))) {
		netlink_msg_free_wiped(m);
		return -EMSGSIZE;
	}
	return transact_q(m, NULL, NULL, "SA delete", quiet);
}

static int sa_del(const struct ip_addr *dst, uint8_t ike_proto, uint32_t spi)
{
	return sa_del_q(dst, ike_proto, spi, 0);
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
 * The configured margin before a hard limit, or a tenth of the limit when
 * none is set (marginbytes 0) or the peer cut the limit below it.
 */
static uint64_t soft_margin(uint64_t hard, uint64_t margin)
{
	return margin && margin < hard ? margin : hard / 10;
}

/*
 * The soft limits that start a rekey, drawn once per child as strongSwan
 * does (rekey_soft_limit() in config.c): the margin before the hard limit
 * (rekeymargin for time, marginbytes for bytes), plus a random part of up
 * to rekeyfuzz percent of the margin, so that the two ends of a
 * connection rarely reach their soft limits at the same moment.
 */
static void child_soft_limits(const struct conn *c, struct child_sa *child)
{
	uint64_t hard_s = child->life.seconds, hard_b = child->life.kbytes * 1000;
	uint64_t rnd[2];

	if (child->soft_set)
		return;
	child->soft_set = true;
	ike_random(rnd, sizeof(rnd));
	child->soft_seconds = rekey_soft_limit(hard_s,
		soft_margin(hard_s, c->cfg->rekeymargin), c->cfg->rekeyfuzz, rnd[0]);
	child->soft_bytes = rekey_soft_limit(hard_b,
		soft_margin(hard_b, c->cfg->marginbytes), c->cfg->rekeyfuzz, rnd[1]);
}

/*
 * Adds one SA. Its keys come from KEYMAT for the SA's receiver's SPI
 * (RFC 2409 5.5), so inbound and outbound SAs have different keys.
 */
static int sa_add(const struct conn *c, const struct isakmp_sa *sa,
		  const struct exchange *x, struct child_sa *child,
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
	uint64_t soft_s, soft_b;
	uint16_t esport, edport;
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
	child_soft_limits(c, child);
	soft_s = child->soft_seconds;
	soft_b = child->soft_bytes;
	m = netlink_client_msg(&nl, KIPSEC_CMD_SA_NEW, KIPSEC_GENL_VERSION, 0);
	if (!m)
		goto out;
	if (put_sa_id(m, spi, dst, ipproto(p->suite.protocol)) ||
	    put_addr(m, KIPSEC_A_SA_SRC, src) ||
	    nla_put_u8(m, KIPSEC_A_SA_MODE, c->cfg->tunnel ? KIPSEC_MODE_TUNNEL :
		       KIPSEC_MODE_TRANSPORT) ||
	    nla_put_u32(m, KIPSEC_A_SA_REQID, c->reqid) ||
	    nla_put_u32(m, KIPSEC_A_SA_REPLAY_WINDOW, c->cfg->replay_window))
		goto nomem;
	if (p->suite.protocol == IKE_PROTO_ESP &&
	    (nla_put_u16(m, KIPSEC_A_SA_ENC_ALG,
			 p->suite.transform == IKE_ESP_AES_GCM_16 ?
			 KIPSEC_ENC_AES_GCM_16 : KIPSEC_ENC_AES_CBC) ||
	     /* The salt follows the cipher key in KEYMAT and in kipsec. */
	     nla_put(m, KIPSEC_A_SA_ENC_KEY, (int)(enc + salt), keys.enc.ptr)))
		goto nomem;
	/* AH, alone or in a bundle, is always serial in kipsec. */
	if (c->cfg->parallel && p->suite.protocol == IKE_PROTO_ESP &&
	    nla_put_u32(m, KIPSEC_A_SA_FLAGS, KIPSEC_SA_F_PARALLEL))
		goto nomem;
	if (auth && (nla_put_u16(m, KIPSEC_A_SA_AUTH_ALG,
				 kernel_auth(p->suite.auth_alg)) ||
		     nla_put(m, KIPSEC_A_SA_AUTH_KEY, (int)auth, keys.auth.ptr)))
		goto nomem;
	/* ESP in UDP across a NAT (nat_t.c): the ports IKE uses. */
	if (nat_sa_encap(sa, &p->suite, inbound, &esport, &edport) &&
	    (nla_put_u16(m, KIPSEC_A_SA_ENCAP_SPORT, esport) ||
	     nla_put_u16(m, KIPSEC_A_SA_ENCAP_DPORT, edport)))
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
			 const struct exchange *x, struct child_sa *child,
			 bool in, bool out)
{
	size_t i;

	for (i = 0; i < child->n; i++) {
		if (in && sa_add(c, sa, x, child, &child->p[i], true))
			goto fail;
		if (out && sa_add(c, sa, x, child, &child->p[i], false)) {
			if (in)
				sa_del(&sa->local, child->p[i].suite.protocol,
				       child->p[i].spi_in);
			goto fail;
		}
	}
	return 0;
fail:
	while (i--) {
		if (in)
			sa_del(&sa->local, child->p[i].suite.protocol,
			       child->p[i].spi_in);
		if (out)
			sa_del(&sa->peer, child->p[i].suite.protocol,
			       child->p[i].spi_out);
	}
	return -1;
}

/*
 * kipsec may have deleted an SA on its own just now (hard limit, its event
 * still on its way): a missing SA is no error here.
 */
void kernel_child_delete_out(const struct conn *c, struct child_sa *child)
{
	size_t i;

	for (i = 0; i < child->n; i++) {
		if (!child->gone_out[i])
			sa_del_q(&c->peer, child->p[i].suite.protocol,
				 child->p[i].spi_out, -ENOENT);
		child->gone_out[i] = true;
	}
}

void kernel_child_delete(const struct conn *c, const struct child_sa *child)
{
	size_t i;

	for (i = 0; i < child->n; i++) {
		if (!child->gone_in[i])
			sa_del_q(&c->cfg->left, child->p[i].suite.protocol,
				 child->p[i].spi_in, -ENOENT);
		if (!child->gone_out[i])
			sa_del_q(&c->peer, child->p[i].suite.protocol,
				 child->p[i].spi_out, -ENOENT);
	}
}

/* new_src, new_dst: NULL to keep the SA's address. */
static int sa_set(const struct ip_addr *dst, uint32_t spi, uint16_t sport,
		  uint16_t dport, const struct ip_addr *new_src,
		  const struct ip_addr *new_dst)
{
	struct nl_msg *m = netlink_client_msg(&nl, KIPSEC_CMD_SA_SET,
					      KIPSEC_GENL_VERSION, 0);

	if (!m)
		return -ENOMEM;
	if (put_sa_id(m, spi, dst, IPPROTO_ESP) ||
	    nla_put_u16(m, KIPSEC_A_SA_ENCAP_SPORT, sport) ||
	    nla_put_u16(m, KIPSEC_A_SA_ENCAP_DPORT, dport) ||
	    (new_src && put_addr(m, KIPSEC_A_SA_NEW_SRC, new_src)) ||
	    (new_dst && put_addr(m, KIPSEC_A_SA_NEW_DST, new_dst))) {
		netlink_msg_free_wiped(m);
		return -EMSGSIZE;
	}
	return transact_q(m, NULL, NULL,
			  new_src || new_dst ? "SA address update" :
			  "SA port update", -ENOENT);
}

/*
 * In place (KIPSEC_CMD_SA_SET), not by adding the SAs again: a new
 * outbound SA would start its sequence numbers over, and the peer's
 * replay window would drop everything it sends. With old_peer, the SAs
 * still name that address for the peer, now sa->peer: they move to it,
 * and kipsec moves the tunnel policies of the old address pair with them.
 */
int kernel_child_move(const struct isakmp_sa *sa, const struct child_sa *child,
		      const struct ip_addr *old_peer)
{
	const struct ip_addr *to = old_peer ? &sa->peer : NULL;
	uint16_t sport, dport;
	int rc = 0;
	size_t i;

	for (i = 0; i < child->n; i++) {
		const struct child_proto *p = &child->p[i];

		if (!child->gone_in[i] &&
		    nat_sa_encap(sa, &p->suite, true, &sport, &dport) &&
		    sa_set(&sa->local, p->spi_in, sport, dport, to, NULL))
			rc = -1;
		if (!child->gone_out[i] &&
		    nat_sa_encap(sa, &p->suite, false, &sport, &dport) &&
		    sa_set(old_peer ? old_peer : &sa->peer, p->spi_out, sport,
			   dport, NULL, to))
			rc = -1;
	}
	return rc;
}

int kernel_child_set_encap(const struct conn *c, const struct isakmp_sa *sa,
			   const struct child_sa *child)
{
	(void)c;
	return kernel_child_move(sa, child, NULL);
}

/* ---- policies ---- */

static int put_selector(struct nl_msg *m, const struct kernel_policy *p)
{
	if (put_addr(m, KIPSEC_A_POL_SRC, &p->src.addr) ||
	    nla_put_u8(m, KIPSEC_A_POL_SRC_PLEN, (uint8_t)p->src.prefix) ||
	    put_addr(m, KIPSEC_A_POL_DST, &p->dst.addr) ||
	    nla_put_u8(m, KIPSEC_A_POL_DST_PLEN, (uint8_t)p->dst.prefix))
		return -1;
	if (p->proto && nla_put_u8(m, KIPSEC_A_POL_PROTO, p->proto))
		return -1;
	if (p->sport && (nla_put_u16(m, KIPSEC_A_POL_SPORT_MIN, p->sport) ||
			 nla_put_u16(m, KIPSEC_A_POL_SPORT_MAX, p->sport)))
		return -1;
	if (p->dport && (nla_put_u16(m, KIPSEC_A_POL_DPORT_MIN, p->dport) ||
			 nla_put_u16(m, KIPSEC_A_POL_DPORT_MAX, p->dport)))
		return -1;
	return 0;
}

static int read_index(struct nl_msg *reply, void *arg)
{
	return read_u32(reply, KIPSEC_A_POL_INDEX, arg);
}

static struct nl_msg *policy_msg(const struct kernel_policy *p)
{
	struct nl_msg *m = netlink_client_msg(&nl, KIPSEC_CMD_POLICY_NEW,
					      KIPSEC_GENL_VERSION, 0);

	if (!m)
		return NULL;
	if (nla_put_u8(m, KIPSEC_A_POL_DIR, p->dir) ||
	    nla_put_u8(m, KIPSEC_A_POL_ACTION, p->action) ||
	    nla_put_u32(m, KIPSEC_A_POL_PRIORITY, p->priority) ||
	    put_selector(m, p))
		goto fail;
	if (p->lifetime &&
	    nla_put_u32(m, KIPSEC_A_POL_LIFETIME, p->lifetime))
		goto fail;
	if (p->action == KIPSEC_ACTION_PROTECT &&
	    (nla_put_u8(m, KIPSEC_A_POL_TMPL_PROTO, p->tmpl_proto) ||
	     nla_put_u8(m, KIPSEC_A_POL_TMPL_MODE, p->tunnel ? KIPSEC_MODE_TUNNEL :
			KIPSEC_MODE_TRANSPORT) ||
	     nla_put_u32(m, KIPSEC_A_POL_TMPL_REQID, p->reqid) ||
	     nla_put_u8(m, KIPSEC_A_POL_TMPL_LEVEL, p->level) ||
	     (p->tunnel && (put_addr(m, KIPSEC_A_POL_TMPL_SRC, &p->tsrc) ||
			    put_addr(m, KIPSEC_A_POL_TMPL_DST, &p->tdst)))))
		goto fail;
	return m;
fail:
	nlmsg_free(m);
	return NULL;
}

/*
 * Deletes the policy of that direction, selector and priority; quiet: the
 * error that is no news (0: none).
 */
static int policy_del_selector(const struct kernel_policy *p, int quiet)
{
	struct nl_msg *m = netlink_client_msg(&nl, KIPSEC_CMD_POLICY_DEL,
					      KIPSEC_GENL_VERSION, 0);

	if (!m)
		return -ENOMEM;
	if (nla_put_u8(m, KIPSEC_A_POL_DIR, p->dir) ||
	    nla_put_u32(m, KIPSEC_A_POL_PRIORITY, p->priority) ||
	    put_selector(m, p)) {
		nlmsg_free(m);
		return -EMSGSIZE;
	}
	return transact_q(m, NULL, NULL, "policy delete", quiet);
}

int kernel_policy_del_leftover(const struct kernel_policy *p)
{
	/* Nothing left over is the usual case. */
	return policy_del_selector(p, -ENOENT);
}

/*
 * Adds a policy. One with the same direction, selector and priority is
 * left over from an ipsecd that did not stop cleanly: it is replaced.
 */
int kernel_policy_add(const struct kernel_policy *p, uint32_t *index)
{
	struct nl_msg *m;
	int attempt, err = -ENOMEM;

	*index = 0;
	for (attempt = 0; attempt < 2; attempt++) {
		m = policy_msg(p);
		if (!m) {
			log_error("policy request does not fit a netlink message");
			return -EMSGSIZE;
		}
		err = transact_q(m, read_index, index, "policy add",
				 attempt ? 0 : -EEXIST);
		if (err != -EEXIST)
			break;
		log_warn("replacing a policy left over in kipsec");
		if (policy_del_selector(p, 0))
			break;
	}
	if (!err && !*index)
		err = -EPROTO;
	return err;
}

void kernel_policy_del(uint32_t index)
{
	struct nl_msg *m;

	if (!index)
		return;
	m = netlink_client_msg(&nl, KIPSEC_CMD_POLICY_DEL, KIPSEC_GENL_VERSION, 0);
	if (!m)
		return;
	if (nla_put_u32(m, KIPSEC_A_POL_INDEX, index)) {
		nlmsg_free(m);
		return;
	}
	transact_q(m, NULL, NULL, "policy delete", -ENOENT);
}

static int read_packets(struct nl_msg *reply, void *arg)
{
	struct nlattr *stats = nlmsg_find_attr(nlmsg_hdr(reply), GENL_HDRLEN,
					       KIPSEC_A_SA_STATS);
	struct nlattr *a = stats ? nla_find(nla_data(stats), nla_len(stats),
					    KIPSEC_A_STATS_PACKETS) : NULL;

	if (!a || nla_len(a) < 8)
		return -EPROTO;
	*(uint64_t *)arg = nla_get_u64(a);
	return 0;
}

int kernel_sa_packets(const struct ip_addr *dst, uint8_t ike_proto,
		      uint32_t spi, uint64_t *packets)
{
	struct nl_msg *m = netlink_client_msg(&nl, KIPSEC_CMD_SA_GET,
					      KIPSEC_GENL_VERSION, 0);

	*packets = 0;
	if (!m)
		return -ENOMEM;
	if (put_sa_id(m, spi, dst, ipproto(ike_proto))) {
		netlink_msg_free_wiped(m);
		return -EMSGSIZE;
	}
	/* An SA that expired a moment ago is no error worth a log line. */
	return transact_q(m, read_packets, packets, "SA get", -ENOENT);
}

/* ---- events ---- */

static int attr_addr(struct nlattr *a, struct ip_addr *out)
{
	return a ? ip_addr_from_bytes(nla_data(a), (size_t)nla_len(a), out) :
		   -EINVAL;
}

static uint32_t attr_u32(struct nlattr *a)
{
	return a && nla_len(a) >= 4 ? nla_get_u32(a) : 0;
}

static uint8_t attr_u8(struct nlattr *a)
{
	return a && nla_len(a) >= 1 ? nla_get_u8(a) : 0;
}

static int on_event(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct genlmsghdr *gh;
	struct nlattr *tb[KIPSEC_A_MAX + 1];
	struct ip_addr dst;

	(void)arg;
	if (nlh->nlmsg_type != ev_family ||
	    !genlmsg_valid_hdr(nlh, 0) ||
	    genlmsg_parse(nlh, 0, tb, KIPSEC_A_MAX, NULL) < 0)
		return NL_SKIP;
	gh = nlmsg_data(nlh);
	switch (gh->cmd) {
	case KIPSEC_CMD_SA_SOFT_EXPIRE:
	case KIPSEC_CMD_SA_HARD_EXPIRE:
		if (!tb[KIPSEC_A_SA_SPI] || attr_addr(tb[KIPSEC_A_SA_DST], &dst) ||
		    !tb[KIPSEC_A_SA_PROTO]) {
			log_warn("kipsec: malformed expire event ignored");
			break;
		}
		conn_sa_expired(attr_u8(tb[KIPSEC_A_SA_PROTO]),
				attr_u32(tb[KIPSEC_A_SA_SPI]), &dst,
				gh->cmd == KIPSEC_CMD_SA_HARD_EXPIRE,
				attr_u8(tb[KIPSEC_A_SA_EXPIRE_REASON]));
		break;
	case KIPSEC_CMD_POLICY_DEL:
		/* kipsec ended a policy's lifetime: a fallback bypass's. */
		if (tb[KIPSEC_A_POL_LIFETIME] && tb[KIPSEC_A_POL_EXPIRES_IN] &&
		    !attr_u32(tb[KIPSEC_A_POL_EXPIRES_IN]))
			fallback_policy_expired(attr_u32(tb[KIPSEC_A_POL_INDEX]));
		break;
	case KIPSEC_CMD_ACQUIRE:
		conn_acquire(attr_u32(tb[KIPSEC_A_POL_TMPL_REQID]),
			     attr_u32(tb[KIPSEC_A_POL_INDEX]));
		break;
	case KIPSEC_CMD_SA_MAPPING: {
		struct ip_addr src;

		if (!tb[KIPSEC_A_SA_SPI] || attr_addr(tb[KIPSEC_A_SA_DST], &dst) ||
		    attr_addr(tb[KIPSEC_A_SA_SRC], &src) ||
		    !tb[KIPSEC_A_SA_ENCAP_SPORT] ||
		    nla_len(tb[KIPSEC_A_SA_ENCAP_SPORT]) < 2) {
			log_warn("kipsec: malformed mapping event ignored");
			break;
		}
		nat_mapping(attr_u32(tb[KIPSEC_A_SA_SPI]), &dst, &src,
			    nla_get_u16(tb[KIPSEC_A_SA_ENCAP_SPORT]));
		break;
	}
	default:
		/* Our own changes, echoed: nothing to do. */
		break;
	}
	return NL_OK;
}

int kernel_events_open(void)
{
	int group, err;

	ev_sock = nl_socket_alloc();
	if (!ev_sock)
		return -1;
	if (genl_connect(ev_sock) < 0)
		goto fail;
	ev_family = genl_ctrl_resolve(ev_sock, KIPSEC_GENL_NAME);
	group = genl_ctrl_resolve_grp(ev_sock, KIPSEC_GENL_NAME,
				      KIPSEC_MCGRP_EVENTS);
	if (ev_family < 0 || group < 0) {
		log_error("kipsec: no event group \"%s\"", KIPSEC_MCGRP_EVENTS);
		goto fail_quiet;
	}
	err = nl_socket_add_membership(ev_sock, group);
	if (err < 0) {
		log_error("kipsec: cannot join the event group: %s",
			  nl_geterror(err));
		goto fail_quiet;
	}
	/* Events carry their sender's sequence numbers, or none. */
	nl_socket_disable_seq_check(ev_sock);
	nl_socket_set_buffer_size(ev_sock, EVENTS_RCVBUF, 0);
	/* An event with a whole SA and its counters may exceed a page. */
	nl_socket_enable_msg_peek(ev_sock);
	nl_socket_modify_cb(ev_sock, NL_CB_VALID, NL_CB_CUSTOM, on_event, NULL);
	if (nl_socket_set_nonblocking(ev_sock) < 0)
		goto fail;
	D->events = nl_socket_get_fd(ev_sock);
	return 0;
fail:
	log_error("kipsec: cannot open the event socket");
fail_quiet:
	nl_socket_free(ev_sock);
	ev_sock = NULL;
	return -1;
}

void kernel_events_receive(void)
{
	int err;

	if (!ev_sock)
		return;
	for (;;) {
		err = nl_recvmsgs_default(ev_sock);
		if (err == -NLE_AGAIN)
			return;
		if (err == -NLE_NOMEM) {
			/* ENOBUFS: the kernel dropped events it could not queue. */
			log_warn("kipsec: events lost (receive buffer full)");
			continue;
		}
		if (err < 0) {
			log_error("kipsec: event socket: %s", nl_geterror(err));
			return;
		}
	}
}

void kernel_events_close(void)
{
	if (ev_sock)
		nl_socket_free(ev_sock);
	ev_sock = NULL;
	D->events = -1;
}
