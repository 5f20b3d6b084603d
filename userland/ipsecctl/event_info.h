/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Events of the "kipsec" multicast group as "ipsecctl monitor" prints
 * them: decoding and the two renderings (a line, a JSON object), kept away
 * from the socket so that they are unit-tested. SAs and policies inside
 * events are printed by sa_info.c and policy_info.c, as "sa list" and
 * "policy list" print them.
 */
#ifndef IPSECCTL_EVENT_INFO_H
#define IPSECCTL_EVENT_INFO_H

#include <stdint.h>
#include <stdio.h>

#include <netlink/msg.h>

#include "common/json.h"
#include "ipsecctl/policy_info.h"
#include "ipsecctl/sa_info.h"

enum event_kind {
	EVENT_UNKNOWN,		/* a command this build does not know */
	EVENT_SA,		/* sa_new, sa_del, sa_*_expire */
	EVENT_SA_FLUSH,
	EVENT_POLICY,		/* policy_new, policy_del, acquire */
	EVENT_POLICY_FLUSH,
};

struct event_info {
	uint8_t cmd;			/* enum kipsec_cmd */
	enum event_kind kind;
	uint8_t reason;			/* expire events: kipsec_expire_reason */
	uint8_t scope;			/* flushes: proto or dir; 0 for all */
	struct sa_info sa;
	struct policy_info pol;		/* acquire: the flow as selector */
};

/* Returns 0, or -EPROTO when the event is malformed. */
int event_info_decode(struct nl_msg *msg, struct event_info *ev);

/* "sa_new", "acquire", ...; "unknown-N" for a command from a newer kernel. */
const char *event_name(unsigned int cmd, char *buf, size_t len);
/* "bytes", "packets", "seconds"; "unknown-N" otherwise. */
const char *event_reason_name(unsigned int reason, char *buf, size_t len);

/* One line: the name, then tab-separated what the event carries. */
void event_print_line(FILE *out, const struct event_info *ev);
void event_write_json(struct json_writer *w, const struct event_info *ev);

#endif
