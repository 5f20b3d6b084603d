// SPDX-License-Identifier: GPL-2.0
#include "common/netlink_client.h"

#include <errno.h>
#include <linux/netlink.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <netlink/genl/ctrl.h>
#include <netlink/msg.h>
#include <sodium.h>

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

int netlink_client_open(struct netlink_client *c, const char *family)
{
	int one = 1, fd, err;

	memset(c, 0, sizeof(*c));
	c->sock = nl_socket_alloc();
	if (!c->sock)
		return -ENOMEM;
	err = genl_connect(c->sock);
	if (err < 0) {
		netlink_client_close(c);
		return -EIO;
	}
	fd = nl_socket_get_fd(c->sock);
	if (setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one)) ||
	    /*
	     * Without CAP_ACK an error echoes the whole request back, keys
	     * included; the request is still here to resolve offsets against.
	     */
	    setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one))) {
		err = -errno;
		netlink_client_close(c);
		return err;
	}
	/* Dumps of many SAs fill messages beyond libnl's default buffer. */
	nl_socket_enable_msg_peek(c->sock);
	c->family_id = genl_ctrl_resolve(c->sock, family);
	if (c->family_id < 0) {
		err = c->family_id == -NLE_OBJ_NOTFOUND ? -ENOENT : -EIO;
		netlink_client_close(c);
		return err;
	}
	return 0;
}

void netlink_client_close(struct netlink_client *c)
{
	if (c->sock)
		nl_socket_free(c->sock);
	c->sock = NULL;
}

struct nl_msg *netlink_client_msg(struct netlink_client *c, uint8_t cmd,
				  uint8_t version, int nlm_flags)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (!msg)
		return NULL;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, c->family_id, 0,
			 nlm_flags, cmd, version)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

void netlink_msg_free_wiped(struct nl_msg *msg)
{
	struct nlmsghdr *nlh;

	if (!msg)
		return;
	nlh = nlmsg_hdr(msg);
	sodium_memzero(nlh, nlh->nlmsg_len);
	nlmsg_free(msg);
}

struct request_state {
	uint32_t seq;
	bool done;
	bool interrupted;
	int err;		/* negative errno */
	netlink_reply_fn on_reply;
	void *arg;
	struct netlink_error *e;
};

/* Reads the extended-ack TLVs that start at attrs and end with nlh. */
static void parse_ext_ack(const struct nlmsghdr *nlh, const void *attrs,
			  struct netlink_error *e)
{
	const char *end = (const char *)nlh + nlh->nlmsg_len;
	const char *start = attrs;
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) || start >= end)
		return;
	if (nla_parse(tb, NLMSGERR_ATTR_MAX, (struct nlattr *)attrs,
		      (int)(end - start), NULL) < 0)
		return;
	if (tb[NLMSGERR_ATTR_MSG] && nla_len(tb[NLMSGERR_ATTR_MSG]) > 0) {
		int len = nla_len(tb[NLMSGERR_ATTR_MSG]);
		const char *text = nla_data(tb[NLMSGERR_ATTR_MSG]);

		/* The string is NUL-terminated by contract; don't trust it. */
		len = (int)strnlen(text, (size_t)len);
		if ((size_t)len >= sizeof(e->msg))
			len = sizeof(e->msg) - 1;
		memcpy(e->msg, text, (size_t)len);
		e->msg[len] = '\0';
	}
	if (tb[NLMSGERR_ATTR_OFFS] &&
	    nla_len(tb[NLMSGERR_ATTR_OFFS]) >= (int)sizeof(uint32_t)) {
		e->has_offset = true;
		e->offset = nla_get_u32(tb[NLMSGERR_ATTR_OFFS]);
	}
	if (tb[NLMSGERR_ATTR_MISS_TYPE] &&
	    nla_len(tb[NLMSGERR_ATTR_MISS_TYPE]) >= (int)sizeof(uint32_t)) {
		e->has_missing_type = true;
		e->missing_type = nla_get_u32(tb[NLMSGERR_ATTR_MISS_TYPE]);
	}
	if (tb[NLMSGERR_ATTR_MISS_NEST] &&
	    nla_len(tb[NLMSGERR_ATTR_MISS_NEST]) >= (int)sizeof(uint32_t)) {
		e->has_missing_nest = true;
		e->missing_nest = nla_get_u32(tb[NLMSGERR_ATTR_MISS_NEST]);
	}
}

static int on_error(struct sockaddr_nl *nla, struct nlmsgerr *nlerr, void *arg)
{
	struct request_state *st = arg;
	/* libnl hands over nlmsg_data() of the NLMSG_ERROR message. */
	const struct nlmsghdr *nlh =
		(const struct nlmsghdr *)((const char *)nlerr - NLMSG_HDRLEN);
	size_t echoed = sizeof(*nlerr);

	(void)nla;
	if (nlh->nlmsg_seq != st->seq)
		return NL_SKIP;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		echoed += nlerr->msg.nlmsg_len - NLMSG_HDRLEN;
	if (NLMSG_HDRLEN + NLMSG_ALIGN(echoed) <= nlh->nlmsg_len)
		parse_ext_ack(nlh, (const char *)nlerr + NLMSG_ALIGN(echoed),
			      st->e);
	st->err = nlerr->error < 0 ? nlerr->error : -EPROTO;
	st->done = true;
	return NL_STOP;
}

static int on_ack(struct nl_msg *msg, void *arg)
{
	struct request_state *st = arg;

	(void)msg;
	st->done = true;
	return NL_STOP;
}

/* NLMSG_DONE carries the dump's final status and may carry an ext-ack. */
static int on_finish(struct nl_msg *msg, void *arg)
{
	struct request_state *st = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	int status;

	st->done = true;
	if (nlmsg_datalen(nlh) >= (int)sizeof(int)) {
		memcpy(&status, nlmsg_data(nlh), sizeof(status));
		if (status < 0) {
			st->err = status;
			parse_ext_ack(nlh, (char *)nlmsg_data(nlh) +
					   NLMSG_ALIGN(sizeof(int)), st->e);
		}
	}
	return NL_STOP;
}

static int on_valid(struct nl_msg *msg, void *arg)
{
	struct request_state *st = arg;
	int err;

	if (!st->on_reply || st->err)
		return NL_OK;
	err = st->on_reply(msg, st->arg);
	if (err < 0) {
		/*
		 * Keep reading to the end, so that the socket holds no stale
		 * replies; only the first failure is reported.
		 */
		st->err = err;
	}
	return NL_OK;
}

static int on_dump_interrupted(struct nl_msg *msg, void *arg)
{
	struct request_state *st = arg;

	(void)msg;
	st->interrupted = true;
	return NL_OK;
}

/* Replies left over from an abandoned request carry an older sequence. */
static int on_seq_check(struct nl_msg *msg, void *arg)
{
	struct request_state *st = arg;

	return nlmsg_hdr(msg)->nlmsg_seq == st->seq ? NL_OK : NL_SKIP;
}

int netlink_client_request(struct netlink_client *c, struct nl_msg *msg,
			   netlink_reply_fn on_reply, void *arg,
			   struct netlink_error *e)
{
	struct request_state st = {
		.on_reply = on_reply,
		.arg = arg,
		.e = e,
	};
	struct nl_cb *cb;
	int r;

	memset(e, 0, sizeof(*e));
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb) {
		e->err = ENOMEM;
		return -ENOMEM;
	}
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, &st);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, &st);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, &st);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, on_finish, &st);
	nl_cb_set(cb, NL_CB_DUMP_INTR, NL_CB_CUSTOM, on_dump_interrupted, &st);
	nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, on_seq_check, &st);

	/* A resent request must get a fresh sequence number. */
	nlmsg_hdr(msg)->nlmsg_seq = NL_AUTO_SEQ;
	r = nl_send_auto(c->sock, msg);
	if (r < 0) {
		st.err = -EIO;
		snprintf(e->msg, sizeof(e->msg), "netlink send: %s",
			 nl_geterror(r));
		goto out;
	}
	st.seq = nlmsg_hdr(msg)->nlmsg_seq;
	while (!st.done) {
		r = nl_recvmsgs(c->sock, cb);
		if (r < 0 && !st.done) {
			st.err = -EIO;
			snprintf(e->msg, sizeof(e->msg), "netlink receive: %s",
				 nl_geterror(r));
			break;
		}
	}
	if (!st.err && st.interrupted)
		st.err = -EAGAIN;
out:
	nl_cb_put(cb);
	e->err = -st.err;
	return st.err;
}

int netlink_client_dump(struct netlink_client *c, struct nl_msg *msg,
			netlink_reply_fn on_reply, void (*on_restart)(void *arg),
			void *arg, unsigned int max_attempts,
			struct netlink_error *e)
{
	unsigned int attempt;
	int err = -EAGAIN;

	for (attempt = 0; attempt < max_attempts; attempt++) {
		if (attempt && on_restart)
			on_restart(arg);
		err = netlink_client_request(c, msg, on_reply, arg, e);
		if (err != -EAGAIN)
			return err;
	}
	snprintf(e->msg, sizeof(e->msg),
		 "dump kept being interrupted by changes (%u attempts)",
		 max_attempts);
	return err;
}

int netlink_attr_path_at(struct nl_msg *msg, int hdrlen, uint32_t offset,
			 int *types, int max_depth)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	const char *base = (const char *)nlh;
	struct nlattr *attrs = genlmsg_attrdata(nlmsg_data(nlh), hdrlen);
	int len = genlmsg_attrlen(nlmsg_data(nlh), hdrlen);
	int depth = 0;

	while (depth < max_depth) {
		struct nlattr *pos, *inside = NULL;
		int rem;

		nla_for_each_attr(pos, attrs, len, rem) {
			uint32_t start = (uint32_t)((const char *)pos - base);
			uint32_t size = (uint32_t)nla_total_size(nla_len(pos));

			if (offset >= start && offset < start + size) {
				inside = pos;
				break;
			}
		}
		if (!inside)
			return depth;
		types[depth++] = nla_type(inside);
		if (offset == (uint32_t)((const char *)inside - base))
			return depth;
		/* Inside the payload: only a nest has attributes to descend to. */
		attrs = nla_data(inside);
		len = nla_len(inside);
	}
	return depth;
}
