// SPDX-License-Identifier: GPL-2.0
/*
 * One request to kipsec: built, sent, answered, and on failure reported
 * as "ipsecctl: CMD: ATTRIBUTE: kernel message: error", the attribute
 * found from the kernel's extended ack in the request we sent.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <netlink/attr.h>

#include "common/kipsec_names.h"
#include "ipsecctl/ipsecctl.h"
#include "kipsec.h"

/* "KIPSEC_A_SA_LIFETIME_SOFT/KIPSEC_A_LIFETIME_BYTES" for a path of types. */
static void attr_path_name(const int *types, int depth, char *buf, size_t len)
{
	size_t used = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < depth && used < len; i++) {
		const char *name = NULL;

		if (i == 0)
			name = kipsec_attr_name((unsigned int)types[0]);
		else if (i == 1 && (types[0] == KIPSEC_A_SA_LIFETIME_SOFT ||
				    types[0] == KIPSEC_A_SA_LIFETIME_HARD))
			name = kipsec_lifetime_attr_name((unsigned int)types[1]);
		if (name)
			used += (size_t)snprintf(buf + used, len - used, "%s%s",
						 i ? "/" : "", name);
		else
			used += (size_t)snprintf(buf + used, len - used,
						 "%sattribute %d", i ? "/" : "",
						 types[i]);
	}
}

/*
 * Prints "ipsecctl: CMD: [ATTRIBUTE: ][kernel message: ]strerror". The
 * attribute comes from the ext-ack offset resolved against our request,
 * unless the kernel's message already names it.
 */
void report_error(const struct context *ctx, struct nl_msg *request,
		  const struct netlink_error *e, int err)
{
	char attr[160] = "";
	int types[4], depth = 0;

	if (request && e->has_offset)
		depth = netlink_attr_path_at(request, 0, e->offset, types, 4);
	if (depth) {
		attr_path_name(types, depth, attr, sizeof(attr));
	} else if (e->has_missing_type) {
		int path_depth = 0;

		if (request && e->has_missing_nest)
			path_depth = netlink_attr_path_at(request, 0,
							  e->missing_nest,
							  types, 3);
		types[path_depth] = (int)e->missing_type;
		attr_path_name(types, path_depth + 1, attr, sizeof(attr));
		strncat(attr, " missing", sizeof(attr) - strlen(attr) - 1);
	}
	if (attr[0] && e->msg[0] && strstr(e->msg, attr))
		attr[0] = '\0';

	fprintf(stderr, "ipsecctl: %s: ", ctx->req->name);
	if (attr[0])
		fprintf(stderr, "%s: ", attr);
	if (e->msg[0])
		fprintf(stderr, "%s: ", e->msg);
	fprintf(stderr, "%s", strerror(-err));
	if (err == -EPERM || err == -EACCES)
		fputs(" (needs CAP_NET_ADMIN over the network namespace)",
		      stderr);
	fputc('\n', stderr);
}

int put_addr(struct nl_msg *msg, int type, const struct ip_addr *a)
{
	return nla_put(msg, type, (int)ip_addr_len(a), a->bytes);
}

/*
 * Sends one request and reports any failure. The request is always freed,
 * wiped first since it may carry keys.
 */
int transact(struct context *ctx, struct nl_msg *msg,
	     netlink_reply_fn on_reply, void *arg)
{
	struct netlink_error e;
	int err;

	err = netlink_client_request(&ctx->nl, msg, on_reply, arg, &e);
	if (err)
		report_error(ctx, msg, &e, err);
	netlink_msg_free_wiped(msg);
	return err ? EXIT_FAILURE_STATUS : EXIT_OK;
}

struct nl_msg *new_request(struct context *ctx, uint8_t cmd, int flags)
{
	struct nl_msg *msg = netlink_client_msg(&ctx->nl, cmd,
						KIPSEC_GENL_VERSION, flags);

	if (!msg)
		fprintf(stderr, "ipsecctl: %s: out of memory\n", ctx->req->name);
	return msg;
}

int fail_building(struct context *ctx, struct nl_msg *msg)
{
	fprintf(stderr, "ipsecctl: %s: request does not fit a netlink message\n",
		ctx->req->name);
	netlink_msg_free_wiped(msg);
	return EXIT_FAILURE_STATUS;
}
