// SPDX-License-Identifier: GPL-2.0
/*
 * ipsecctl monitor: kipsec's events (ACQUIRE, soft and hard expiry, SA
 * and policy changes) printed as they arrive, one line or one JSON object
 * each, flushed at once for whoever reads the pipe.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>

#include "ipsecctl/event_info.h"
#include "ipsecctl/ipsecctl.h"
#include "kipsec.h"

/* Room for bursts, such as a flush announced SA by SA by a daemon. */
#define MONITOR_RCVBUF (1 << 20)

struct monitor {
	const struct context *ctx;
	int status;
};

static int print_event(struct nl_msg *msg, void *arg)
{
	struct monitor *m = arg;
	struct event_info ev;
	struct json_writer w;

	if (nlmsg_hdr(msg)->nlmsg_type != m->ctx->nl.family_id)
		return NL_SKIP;
	if (event_info_decode(msg, &ev)) {
		fprintf(stderr, "ipsecctl: monitor: malformed event skipped\n");
		return NL_SKIP;
	}
	if (m->ctx->format == OUTPUT_JSON) {
		json_init(&w, stdout);
		event_write_json(&w, &ev);
		json_finish(&w);
	} else {
		event_print_line(stdout, &ev);
	}
	/* A reader at the other end of a pipe wants each event as it comes. */
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "ipsecctl: writing output: %s\n",
			strerror(errno));
		m->status = EXIT_FAILURE_STATUS;
		return NL_STOP;
	}
	return NL_OK;
}

int cmd_monitor(struct context *ctx)
{
	struct nl_sock *sock = ctx->nl.sock;
	struct monitor m = { .ctx = ctx, .status = EXIT_OK };
	int group, err;

	group = genl_ctrl_resolve_grp(sock, KIPSEC_GENL_NAME,
				      KIPSEC_MCGRP_EVENTS);
	if (group < 0) {
		fprintf(stderr, "ipsecctl: monitor: no multicast group \"%s\": %s\n",
			KIPSEC_MCGRP_EVENTS, nl_geterror(group));
		return EXIT_FAILURE_STATUS;
	}
	err = nl_socket_add_membership(sock, group);
	if (err < 0) {
		fprintf(stderr, "ipsecctl: monitor: joining the event group: %s%s\n",
			nl_geterror(err), err == -NLE_PERM ?
			" (needs CAP_NET_ADMIN over the network namespace)" : "");
		return EXIT_FAILURE_STATUS;
	}
	/* Events carry their sender's sequence numbers, or none. */
	nl_socket_disable_seq_check(sock);
	nl_socket_set_buffer_size(sock, MONITOR_RCVBUF, 0);
	nl_socket_modify_cb(sock, NL_CB_VALID, NL_CB_CUSTOM, print_event, &m);
	while (m.status == EXIT_OK) {
		err = nl_recvmsgs_default(sock);
		if (err == -NLE_NOMEM) {
			/* ENOBUFS: the kernel dropped events it could not queue. */
			fputs("ipsecctl: monitor: events lost (receive buffer full)\n",
			      stderr);
			continue;
		}
		if (err < 0) {
			fprintf(stderr, "ipsecctl: monitor: netlink receive: %s\n",
				nl_geterror(err));
			return EXIT_FAILURE_STATUS;
		}
	}
	return m.status;
}
