// SPDX-License-Identifier: GPL-2.0
/*
 * "ipsecctl policy ...": the grammar of security policies. Like args.c it
 * only turns argv into a request; the kernel judges what needs its state
 * (duplicates, unknown indexes) and the port/protocol rule, with an
 * extended-ack message naming the attribute.
 */
#include "ipsecctl/args.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/kipsec_names.h"
#include "kipsec.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define usage ipsecctl_usage

enum pol_keyword {
	PK_INDEX,
	PK_DIR,
	PK_SRC,
	PK_DST,
	PK_PROTO,
	PK_SPORT,
	PK_DPORT,
	PK_PRIORITY,
	PK_ACTION,
	PK_REQID,
	PK_LEVEL,
	PK_LIFETIME,
	PK_COUNT,
};

#define PK(k) (1U << (k))

static const char *const pol_keyword_names[PK_COUNT] = {
	[PK_INDEX] = "index",
	[PK_DIR] = "dir",
	[PK_SRC] = "src",
	[PK_DST] = "dst",
	[PK_PROTO] = "proto",
	[PK_SPORT] = "sport",
	[PK_DPORT] = "dport",
	[PK_PRIORITY] = "priority",
	[PK_ACTION] = "action",
	[PK_REQID] = "reqid",
	[PK_LEVEL] = "level",
	[PK_LIFETIME] = "lifetime",
};

#define PK_SELECTOR (PK(PK_DIR) | PK(PK_SRC) | PK(PK_DST) | PK(PK_PROTO) | \
		     PK(PK_SPORT) | PK(PK_DPORT) | PK(PK_PRIORITY))

/* "ADDR" or "ADDR/LEN"; without a length, the whole address. */
static int parse_prefix(const char *s, struct ip_addr *addr, uint8_t *plen)
{
	char buf[64];
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	uint16_t len;
	unsigned int max;

	if (alen >= sizeof(buf))
		return -1;
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	if (ip_addr_parse(buf, addr))
		return -1;
	max = addr->family == AF_INET ? 32 : 128;
	if (!slash) {
		*plen = (uint8_t)max;
		return 0;
	}
	/* Decimal only: "/0x18" is not how anyone writes a prefix. */
	if (!slash[1] || strspn(slash + 1, "0123456789") != strlen(slash + 1) ||
	    num_parse_u16(slash + 1, &len) || len > max)
		return -1;
	*plen = (uint8_t)len;
	return 0;
}

/* "P" or "LO-HI". */
static int parse_ports(const char *s, struct ipsecctl_ports *p)
{
	char buf[16];
	const char *dash = strchr(s, '-');

	if (!dash) {
		if (num_parse_u16(s, &p->min))
			return -1;
		p->max = p->min;
	} else {
		if ((size_t)(dash - s) >= sizeof(buf))
			return -1;
		memcpy(buf, s, (size_t)(dash - s));
		buf[dash - s] = '\0';
		if (num_parse_u16(buf, &p->min) ||
		    num_parse_u16(dash + 1, &p->max))
			return -1;
	}
	if (p->max < p->min)
		return -1;
	p->has = true;
	return 0;
}

/* After "action protect": { esp | ah } { tunnel SRC DST | transport }. */
static enum ipsecctl_parse_result parse_protect(struct ipsecctl_request *req,
						struct ipsecctl_cursor *cur)
{
	struct ipsecctl_policy *p = &req->pol;
	const char *word, *local, *remote;

	word = ipsecctl_cursor_take(cur);
	if (!word)
		return usage(req, "\"action protect\" needs esp or ah");
	if (!strcmp(word, "esp"))
		p->tmpl_proto = IPPROTO_ESP;
	else if (!strcmp(word, "ah"))
		p->tmpl_proto = IPPROTO_AH;
	else
		return usage(req, "bad value \"%s\" after \"action protect\" (expected esp or ah)",
			     word);

	word = ipsecctl_cursor_take(cur);
	if (!word)
		return usage(req, "\"action protect\" needs tunnel or transport after %s",
			     p->tmpl_proto == IPPROTO_ESP ? "esp" : "ah");
	if (!strcmp(word, "transport")) {
		p->tmpl_mode = KIPSEC_MODE_TRANSPORT;
		return IPSECCTL_PARSE_OK;
	}
	if (strcmp(word, "tunnel"))
		return usage(req, "bad value \"%s\" for the mode (expected tunnel or transport)",
			     word);
	p->tmpl_mode = KIPSEC_MODE_TUNNEL;
	local = ipsecctl_cursor_take(cur);
	remote = ipsecctl_cursor_take(cur);
	if (!remote)
		return usage(req, "\"tunnel\" needs the local and the remote endpoint");
	if (ip_addr_parse(local, &p->tmpl_src))
		return usage(req, "bad tunnel endpoint \"%s\" (expected an IPv4 or IPv6 address)",
			     local);
	if (ip_addr_parse(remote, &p->tmpl_dst))
		return usage(req, "bad tunnel endpoint \"%s\" (expected an IPv4 or IPv6 address)",
			     remote);
	if (p->tmpl_src.family != p->tmpl_dst.family)
		return usage(req, "the tunnel endpoints are of different address families");
	return IPSECCTL_PARSE_OK;
}

static enum ipsecctl_parse_result parse_value(struct ipsecctl_request *req,
					      struct ipsecctl_cursor *cur,
					      unsigned int keyword,
					      const char *value)
{
	enum pol_keyword kw = (enum pol_keyword)keyword;
	struct ipsecctl_policy *p = &req->pol;
	int err = 0;

	switch (kw) {
	case PK_INDEX:
		p->has_index = true;
		err = num_parse_u32(value, &p->index) || !p->index;
		break;
	case PK_DIR:
		if (kipsec_dir_lookup(value, &p->dir))
			return usage(req, "bad value \"%s\" for \"dir\" (expected out, in or fwd)",
				     value);
		break;
	case PK_SRC:
		err = parse_prefix(value, &p->src, &p->src_plen);
		break;
	case PK_DST:
		err = parse_prefix(value, &p->dst, &p->dst_plen);
		break;
	case PK_PROTO:
		p->has_proto = true;
		if (!kipsec_ip_proto_lookup(value, &p->proto))
			break;
		{
			uint16_t n;

			err = num_parse_u16(value, &n) || n > 255;
			p->proto = (uint8_t)n;
		}
		break;
	case PK_SPORT:
		err = parse_ports(value, &p->sport);
		break;
	case PK_DPORT:
		err = parse_ports(value, &p->dport);
		break;
	case PK_PRIORITY:
		p->has_priority = true;
		err = num_parse_u32(value, &p->priority);
		break;
	case PK_ACTION:
		if (kipsec_action_lookup(value, &p->action))
			return usage(req, "bad value \"%s\" for \"action\" (expected bypass, discard or protect)",
				     value);
		if (p->action == KIPSEC_ACTION_PROTECT)
			return parse_protect(req, cur);
		break;
	case PK_REQID:
		p->has_reqid = true;
		err = num_parse_u32(value, &p->reqid);
		break;
	case PK_LEVEL:
		if (kipsec_level_lookup(value, &p->level))
			return usage(req, "bad value \"%s\" for \"level\" (expected require or request)",
				     value);
		break;
	case PK_LIFETIME:
		/* 0 is left to the kernel, which names what is wrong with it. */
		p->has_lifetime = true;
		err = num_parse_u32(value, &p->lifetime);
		break;
	case PK_COUNT:
		break;
	}
	if (err)
		return usage(req, "bad value \"%s\" for \"%s\"", value,
			     pol_keyword_names[kw]);
	return IPSECCTL_PARSE_OK;
}

static enum ipsecctl_parse_result check_command(struct ipsecctl_request *req,
						unsigned int seen)
{
	const struct ipsecctl_policy *p = &req->pol;
	const unsigned int sel_required = PK(PK_DIR) | PK(PK_SRC) | PK(PK_DST);
	unsigned int kw;

	if (p->src.family && p->dst.family && p->src.family != p->dst.family)
		return usage(req, "\"src\" and \"dst\" are of different address families");

	switch (req->cmd) {
	case IPSECCTL_CMD_POLICY_ADD:
		for (kw = 0; kw < PK_COUNT; kw++)
			if (((sel_required | PK(PK_ACTION)) & PK(kw)) &&
			    !(seen & PK(kw)))
				return usage(req, "missing \"%s\"",
					     pol_keyword_names[kw]);
		if (p->action != KIPSEC_ACTION_PROTECT &&
		    (seen & (PK(PK_REQID) | PK(PK_LEVEL))))
			return usage(req, "\"%s\" is for \"action protect\" only",
				     seen & PK(PK_REQID) ? "reqid" : "level");
		break;
	case IPSECCTL_CMD_POLICY_DEL:
		if (seen & PK(PK_INDEX)) {
			if (seen & ~PK(PK_INDEX))
				return usage(req, "give \"index\" or the selector, not both");
			break;
		}
		for (kw = 0; kw < PK_COUNT; kw++)
			if ((sel_required & PK(kw)) && !(seen & PK(kw)))
				return usage(req, "missing \"index\" or \"%s\"",
					     pol_keyword_names[kw]);
		break;
	case IPSECCTL_CMD_POLICY_GET:
		if (!(seen & PK(PK_INDEX)))
			return usage(req, "missing \"index\"");
		break;
	default:
		break;
	}
	return IPSECCTL_PARSE_OK;
}

static const struct ipsecctl_keywords pol_keywords = {
	.names = pol_keyword_names,
	.count = PK_COUNT,
	.value = parse_value,
	.check = check_command,
};

/* What each command requires, check_command() judges: "del" takes either. */
static const struct ipsecctl_command pol_commands[] = {
	{ "add", NULL, IPSECCTL_CMD_POLICY_ADD, IPSECCTL_HELP_POLICY_ADD,
	  "policy add", &pol_keywords, PK_SELECTOR | PK(PK_ACTION) |
	  PK(PK_REQID) | PK(PK_LEVEL) | PK(PK_LIFETIME), 0 },
	{ "del", "delete", IPSECCTL_CMD_POLICY_DEL, IPSECCTL_HELP_POLICY_DEL,
	  "policy del", &pol_keywords, PK_SELECTOR | PK(PK_INDEX), 0 },
	{ "get", NULL, IPSECCTL_CMD_POLICY_GET, IPSECCTL_HELP_POLICY_GET,
	  "policy get", &pol_keywords, PK(PK_INDEX), 0 },
	{ "list", "show", IPSECCTL_CMD_POLICY_LIST, IPSECCTL_HELP_POLICY_LIST,
	  "policy list", NULL, 0, 0 },
	{ "flush", NULL, IPSECCTL_CMD_POLICY_FLUSH, IPSECCTL_HELP_POLICY_FLUSH,
	  "policy flush", &pol_keywords, PK(PK_DIR), 0 },
};

/* "ipsecctl policy" alone lists, as "ipsecctl sa" does. */
const struct ipsecctl_object ipsecctl_policy_object = {
	"policy", IPSECCTL_HELP_POLICY, pol_commands, ARRAY_SIZE(pol_commands),
	&pol_commands[3]
};

#define POLICY_ADD_USAGE							\
	"Usage: ipsecctl [-j] policy add dir { out | in | fwd }\n"		\
	"           src PREFIX dst PREFIX [ proto PROTO ] [ sport PORTS ]\n"	\
	"           [ dport PORTS ] [ priority N ]\n"				\
	"           action { bypass | discard | protect { esp | ah }\n"		\
	"                    { tunnel LOCAL REMOTE | transport }\n"		\
	"                    [ reqid N ] [ level { require | request } ] }\n"	\
	"           [ lifetime SECONDS ]\n"

#define POLICY_TSV_FIELDS							\
	"  Without -j and when stdout is not a terminal: one policy per line,\n" \
	"  tab-separated, no header. Fields, in this order:\n"			\
	"     1 index      2 dir        3 priority   4 src (ADDR/LEN)\n"	\
	"     5 dst        6 proto      7 sport      8 dport\n"			\
	"     9 action    10 tmpl_proto 11 mode     12 tunnel_src\n"		\
	"    13 tunnel_dst 14 reqid     15 level    16 lifetime\n"		\
	"    17 expires_in\n"							\
	"  proto is \"any\" or a name or number; ports \"any\", P or LO-HI;\n"	\
	"  fields 10-15 are \"-\" unless the action is protect, 12-13 unless\n"	\
	"  the mode is tunnel; 16-17 (seconds: the lifetime given, the time\n"	\
	"  left) are \"-\" for a policy without a lifetime.\n"

static const char help_policy[] =
	"Usage: ipsecctl [-j] policy { add | del | get | list | flush } [ARGS]\n"
	"\n"
	"  policy add dir DIR src PREFIX dst PREFIX [ proto PROTO ]\n"
	"             [ sport PORTS ] [ dport PORTS ] [ priority N ]\n"
	"             action { bypass | discard | protect { esp | ah }\n"
	"             { tunnel LOCAL REMOTE | transport } [ reqid N ]\n"
	"             [ level { require | request } ] } [ lifetime SECONDS ]\n"
	"  policy del index N\n"
	"  policy del dir DIR src PREFIX dst PREFIX [ proto PROTO ]\n"
	"             [ sport PORTS ] [ dport PORTS ] [ priority N ]\n"
	"  policy get index N\n"
	"  policy list              (alias: show; also \"ipsecctl policy\")\n"
	"  policy flush [ dir DIR ]\n"
	"\n"
	"\"ipsecctl policy COMMAND --help\" describes each command.\n";

static const char help_policy_add[] =
	POLICY_ADD_USAGE
	"\n"
	"Adds a security policy and prints its index.\n"
	"\n"
	"  dir            out (leaving: sent or forwarded), in (arrived for\n"
	"                 this host), fwd (arrived, to be forwarded)\n"
	"  src, dst       ADDR or ADDR/LEN, both IPv4 or both IPv6;\n"
	"                 0.0.0.0/0 or ::/0 for any\n"
	"  proto PROTO    any (default), tcp, udp, icmp, icmpv6, sctp,\n"
	"                 udplite, gre, esp, ah, or a number 0-255\n"
	"  sport, dport   P or LO-HI; only with tcp, udp, sctp or udplite\n"
	"  priority N     lower first (default 1000); equal priorities in\n"
	"                 the order they were added\n"
	"  action         bypass: in clear; discard: dropped; protect:\n"
	"                 through an SA of this template:\n"
	"    esp | ah       the SA's protocol\n"
	"    tunnel LOCAL REMOTE | transport  the SA's mode and, for tunnel\n"
	"                   mode, its outer addresses\n"
	"    reqid N        the SA's reqid (default 0: any)\n"
	"    level          require (default): no SA, no traffic; request:\n"
	"                   without an SA, in clear while one is negotiated\n"
	"  lifetime SECONDS\n"
	"                 kipsec deletes the policy itself that long after it\n"
	"                 was added (boot clock, at least 1), and announces it\n"
	"                 (\"ipsecctl monitor\": policy_expire); any action.\n"
	"                 Default: none, the policy stays until deleted.\n";

static const char help_policy_del[] =
	"Usage: ipsecctl policy del index N\n"
	"       ipsecctl policy del dir DIR src PREFIX dst PREFIX\n"
	"           [ proto PROTO ] [ sport PORTS ] [ dport PORTS ]\n"
	"           [ priority N ]\n"
	"\n"
	"Deletes a policy by the index \"policy add\" printed, or by its\n"
	"direction and selector (the first in lookup order, or the one of\n"
	"that priority).\n";

static const char help_policy_get[] =
	"Usage: ipsecctl [-j] policy get index N\n"
	"\n"
	"Shows one policy. On a terminal: as the \"policy add\" command that\n"
	"would make it, after \"index N:\"; for a policy with a lifetime,\n"
	"\"lifetime\" is the time left, so that the command makes a policy\n"
	"that ends when this one does.\n"
	POLICY_TSV_FIELDS
	"  -j: one JSON object, as the elements of \"policy list -j\".\n";

static const char help_policy_list[] =
	"Usage: ipsecctl [-j] policy list\n"
	"\n"
	"Shows every policy of the namespace in lookup order: out, in, fwd,\n"
	"each by priority, then by the order they were added.\n"
	"Aliases: show, and \"ipsecctl policy\" alone.\n"
	"  On a terminal: a table with the columns INDEX DIR PRIO SRC DST\n"
	"  PROTO SPORT DPORT ACTION SA (template: proto/mode[/endpoints]\n"
	"  reqid level) EXPIRES (time left of a lifetime, \"-\" for none).\n"
	POLICY_TSV_FIELDS
	"  -j: a JSON array of objects with the members index, dir, priority,\n"
	"  src, src_plen, dst, dst_plen, proto (number, 0 for any), sport and\n"
	"  dport (objects: min, max; absent for any), action, and for protect\n"
	"  tmpl (object: proto, mode, reqid, level, and src and dst in tunnel\n"
	"  mode), and, for a policy with a lifetime, lifetime and expires_in\n"
	"  (seconds).\n";

static const char help_policy_flush[] =
	"Usage: ipsecctl policy flush [ dir { out | in | fwd } ]\n"
	"\n"
	"Deletes every policy of the namespace, or those of one direction.\n";

const char *ipsecctl_policy_help_text(enum ipsecctl_help help)
{
	switch (help) {
	case IPSECCTL_HELP_POLICY_ADD:
		return help_policy_add;
	case IPSECCTL_HELP_POLICY_DEL:
		return help_policy_del;
	case IPSECCTL_HELP_POLICY_GET:
		return help_policy_get;
	case IPSECCTL_HELP_POLICY_LIST:
		return help_policy_list;
	case IPSECCTL_HELP_POLICY_FLUSH:
		return help_policy_flush;
	default:
		return help_policy;
	}
}
