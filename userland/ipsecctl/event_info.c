// SPDX-License-Identifier: GPL-2.0
#include "ipsecctl/event_info.h"

#include <errno.h>
#include <string.h>

#include <netlink/attr.h>
#include <netlink/genl/genl.h>

#include "common/kipsec_names.h"
#include "ipsecctl/info_common.h"
#include "kipsec.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const char *const event_names[] = {
	[KIPSEC_CMD_SA_NEW] = "sa_new",
	[KIPSEC_CMD_SA_DEL] = "sa_del",
	[KIPSEC_CMD_SA_FLUSH] = "sa_flush",
	[KIPSEC_CMD_POLICY_NEW] = "policy_new",
	[KIPSEC_CMD_POLICY_DEL] = "policy_del",
	[KIPSEC_CMD_POLICY_FLUSH] = "policy_flush",
	[KIPSEC_CMD_SA_SOFT_EXPIRE] = "sa_soft_expire",
	[KIPSEC_CMD_SA_HARD_EXPIRE] = "sa_hard_expire",
	[KIPSEC_CMD_ACQUIRE] = "acquire",
	[KIPSEC_CMD_SA_SET] = "sa_set",
	[KIPSEC_CMD_SA_MAPPING] = "sa_mapping",
};

static const char *const reason_names[] = {
	[KIPSEC_EXPIRE_BYTES] = "bytes",
	[KIPSEC_EXPIRE_PACKETS] = "packets",
	[KIPSEC_EXPIRE_SECONDS] = "seconds",
	[KIPSEC_EXPIRE_SEQ_OVERFLOW] = "seq-overflow",
};

static const char *name_in(const char *const *names, size_t n,
			   unsigned int v, char *buf, size_t len)
{
	return info_name(v < n ? names[v] : NULL, "unknown-", v, buf, len);
}

/*
 * kipsec announces a policy whose lifetime ran out as POLICY_DEL; it is
 * shown under its own name, as an SA's hard expiry is.
 */
static const char *event_display_name(const struct event_info *ev,
				      char *buf, size_t len)
{
	if (ev->cmd == KIPSEC_CMD_POLICY_DEL && policy_info_expired(&ev->pol))
		return "policy_expire";
	return event_name(ev->cmd, buf, len);
}

const char *event_name(unsigned int cmd, char *buf, size_t len)
{
	return name_in(event_names, ARRAY_SIZE(event_names), cmd, buf, len);
}

const char *event_reason_name(unsigned int reason, char *buf, size_t len)
{
	return name_in(reason_names, ARRAY_SIZE(reason_names), reason, buf,
		       len);
}

static enum event_kind kind_of(uint8_t cmd)
{
	switch (cmd) {
	case KIPSEC_CMD_SA_NEW:
	case KIPSEC_CMD_SA_DEL:
	case KIPSEC_CMD_SA_SOFT_EXPIRE:
	case KIPSEC_CMD_SA_HARD_EXPIRE:
	case KIPSEC_CMD_SA_SET:
		return EVENT_SA;
	case KIPSEC_CMD_SA_FLUSH:
		return EVENT_SA_FLUSH;
	case KIPSEC_CMD_POLICY_NEW:
	case KIPSEC_CMD_POLICY_DEL:
	case KIPSEC_CMD_ACQUIRE:
		return EVENT_POLICY;
	case KIPSEC_CMD_POLICY_FLUSH:
		return EVENT_POLICY_FLUSH;
	default:
		return EVENT_UNKNOWN;
	}
}

/* A u8 attribute of the top level, if present and well-formed. */
static int get_u8(struct nlmsghdr *nlh, int type, uint8_t *out)
{
	struct nlattr *a = nlmsg_find_attr(nlh, GENL_HDRLEN, type);

	if (!a)
		return 0;
	if (nla_len(a) < (int)sizeof(uint8_t))
		return -EPROTO;
	*out = nla_get_u8(a);
	return 0;
}

int event_info_decode(struct nl_msg *msg, struct event_info *ev)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct genlmsghdr *gnlh;

	memset(ev, 0, sizeof(*ev));
	if (!genlmsg_valid_hdr(nlh, 0))
		return -EPROTO;
	gnlh = nlmsg_data(nlh);
	ev->cmd = gnlh->cmd;
	ev->kind = kind_of(ev->cmd);
	switch (ev->kind) {
	case EVENT_SA:
		if (get_u8(nlh, KIPSEC_A_SA_EXPIRE_REASON, &ev->reason))
			return -EPROTO;
		return sa_info_decode(msg, &ev->sa);
	case EVENT_SA_FLUSH:
		return get_u8(nlh, KIPSEC_A_SA_PROTO, &ev->scope);
	case EVENT_POLICY:
		return policy_info_decode(msg, &ev->pol);
	case EVENT_POLICY_FLUSH:
		return get_u8(nlh, KIPSEC_A_POL_DIR, &ev->scope);
	case EVENT_UNKNOWN:
		break;
	}
	return 0;
}

static bool is_expire(const struct event_info *ev)
{
	return ev->cmd == KIPSEC_CMD_SA_SOFT_EXPIRE ||
	       ev->cmd == KIPSEC_CMD_SA_HARD_EXPIRE;
}

/* What a flush was restricted to: "esp", "out", ...; "all" when nothing. */
static const char *flush_scope(const struct event_info *ev, char *buf,
			       size_t len)
{
	const char *name;

	if (!ev->scope)
		return "all";
	name = ev->kind == EVENT_SA_FLUSH ? kipsec_proto_name(ev->scope) :
					    kipsec_dir_name(ev->scope);
	if (name)
		return name;
	snprintf(buf, len, "%u", ev->scope);
	return buf;
}

void event_print_line(FILE *out, const struct event_info *ev)
{
	char name[24], reason[24];

	fputs(event_display_name(ev, name, sizeof(name)), out);
	switch (ev->kind) {
	case EVENT_SA:
		fputc('\t', out);
		if (is_expire(ev))
			fprintf(out, "%s\t", event_reason_name(ev->reason,
							       reason,
							       sizeof(reason)));
		sa_print_tsv(out, &ev->sa);
		return;
	case EVENT_POLICY:
		fputc('\t', out);
		policy_print_tsv(out, &ev->pol);
		return;
	case EVENT_SA_FLUSH:
	case EVENT_POLICY_FLUSH:
		fprintf(out, "\t%s", flush_scope(ev, reason, sizeof(reason)));
		break;
	case EVENT_UNKNOWN:
		break;
	}
	fputc('\n', out);
}

void event_write_json(struct json_writer *w, const struct event_info *ev)
{
	char buf[24];

	json_object_begin(w);
	json_key(w, "event");
	json_string(w, event_display_name(ev, buf, sizeof(buf)));
	switch (ev->kind) {
	case EVENT_SA:
		if (is_expire(ev)) {
			json_key(w, "reason");
			json_string(w, event_reason_name(ev->reason, buf,
							 sizeof(buf)));
		}
		json_key(w, "sa");
		sa_write_json(w, &ev->sa);
		break;
	case EVENT_POLICY:
		json_key(w, "policy");
		policy_write_json(w, &ev->pol);
		break;
	case EVENT_SA_FLUSH:
		json_key(w, "proto");
		json_string(w, flush_scope(ev, buf, sizeof(buf)));
		break;
	case EVENT_POLICY_FLUSH:
		json_key(w, "dir");
		json_string(w, flush_scope(ev, buf, sizeof(buf)));
		break;
	case EVENT_UNKNOWN:
		break;
	}
	json_object_end(w);
}
