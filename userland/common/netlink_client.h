/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Request/response over a generic-netlink family with libnl, keeping what
 * libnl drops: the exact errno and the kernel's extended acknowledgement
 * (message text, offset of the rejected attribute, missing attribute).
 */
#ifndef KIPSEC_COMMON_NETLINK_CLIENT_H
#define KIPSEC_COMMON_NETLINK_CLIENT_H

#include <stdbool.h>
#include <stdint.h>

#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

struct netlink_client {
	struct nl_sock *sock;
	int family_id;
};

/* Why a request failed, with whatever the kernel said about it. */
struct netlink_error {
	int err;			/* positive errno; 0 when none */
	char msg[256];			/* NLMSGERR_ATTR_MSG, or libnl's text */
	bool has_offset;
	uint32_t offset;		/* of the rejected attribute in the request */
	bool has_missing_type;
	uint32_t missing_type;		/* attribute that was required */
	bool has_missing_nest;
	uint32_t missing_nest;		/* offset of the nest it was missing in */
};

/*
 * Connects and resolves the family. Returns 0, -ENOENT when the family is
 * not registered (module not loaded), or another negative errno.
 */
int netlink_client_open(struct netlink_client *c, const char *family);
void netlink_client_close(struct netlink_client *c);

/* A request for cmd with the generic-netlink header filled in. */
struct nl_msg *netlink_client_msg(struct netlink_client *c, uint8_t cmd,
				  uint8_t version, int nlm_flags);

/* Frees a request after wiping it: requests may carry key material. */
void netlink_msg_free_wiped(struct nl_msg *msg);

/* Called for each reply; a negative errno aborts the request with it. */
typedef int (*netlink_reply_fn)(struct nl_msg *reply, void *arg);

/*
 * Sends msg (which stays owned by the caller) and waits for its
 * acknowledgement, or for the end of a dump when msg has NLM_F_DUMP.
 * Returns 0 or a negative errno described in *e. A dump that the kernel
 * marked NLM_F_DUMP_INTR returns -EAGAIN after reading it to its end.
 */
int netlink_client_request(struct netlink_client *c, struct nl_msg *msg,
			   netlink_reply_fn on_reply, void *arg,
			   struct netlink_error *e);

/*
 * A dump that is restarted while the kernel reports it inconsistent, up to
 * max_attempts times; on_restart discards what the previous attempt
 * collected. Returns -EAGAIN if it never completed consistently.
 */
int netlink_client_dump(struct netlink_client *c, struct nl_msg *msg,
			netlink_reply_fn on_reply, void (*on_restart)(void *arg),
			void *arg, unsigned int max_attempts,
			struct netlink_error *e);

/*
 * Finds the attribute at byte offset `offset` of a generic-netlink request
 * with a family header of hdrlen bytes, as reported by NLMSGERR_ATTR_OFFS,
 * descending into nested attributes. Stores the attribute types from the
 * top level down in types[] and returns how many (0: not found).
 */
int netlink_attr_path_at(struct nl_msg *msg, int hdrlen, uint32_t offset,
			 int *types, int max_depth);

#endif
