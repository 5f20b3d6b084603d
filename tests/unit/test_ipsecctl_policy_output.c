// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of ipsecctl's policy decoding and output formats
 * (userland/ipsecctl/policy_info.c): scripts and the guest tests parse
 * these, and "policy get" must print what "policy add" takes back.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "ipsecctl/args.h"
#include "ipsecctl/policy_info.h"
#include "kipsec.h"
#include "tap.h"

static void put4(struct nl_msg *msg, int type, const char *s)
{
	struct in_addr a;

	inet_pton(AF_INET, s, &a);
	nla_put(msg, type, 4, &a);
}

static void put6(struct nl_msg *msg, int type, const char *s)
{
	struct in6_addr a;

	inet_pton(AF_INET6, s, &a);
	nla_put(msg, type, 16, &a);
}

/* A protect tunnel policy with every field, as the kernel sends it. */
static struct nl_msg *protect_reply(void)
{
	struct nl_msg *msg = nlmsg_alloc();

	genlmsg_put(msg, 0, 1, 0x20, 0, 0, KIPSEC_CMD_POLICY_GET, 1);
	nla_put_u32(msg, KIPSEC_A_POL_INDEX, 17);
	nla_put_u8(msg, KIPSEC_A_POL_DIR, KIPSEC_DIR_OUT);
	nla_put_u8(msg, KIPSEC_A_POL_ACTION, KIPSEC_ACTION_PROTECT);
	nla_put_u32(msg, KIPSEC_A_POL_PRIORITY, 10);
	put4(msg, KIPSEC_A_POL_SRC, "10.1.0.0");
	nla_put_u8(msg, KIPSEC_A_POL_SRC_PLEN, 24);
	put4(msg, KIPSEC_A_POL_DST, "10.2.0.0");
	nla_put_u8(msg, KIPSEC_A_POL_DST_PLEN, 16);
	nla_put_u8(msg, KIPSEC_A_POL_PROTO, IPPROTO_TCP);
	nla_put_u16(msg, KIPSEC_A_POL_SPORT_MIN, 1000);
	nla_put_u16(msg, KIPSEC_A_POL_SPORT_MAX, 2000);
	nla_put_u16(msg, KIPSEC_A_POL_DPORT_MIN, 443);
	nla_put_u16(msg, KIPSEC_A_POL_DPORT_MAX, 443);
	nla_put_u8(msg, KIPSEC_A_POL_TMPL_PROTO, IPPROTO_ESP);
	nla_put_u8(msg, KIPSEC_A_POL_TMPL_MODE, KIPSEC_MODE_TUNNEL);
	nla_put_u32(msg, KIPSEC_A_POL_TMPL_REQID, 5);
	nla_put_u8(msg, KIPSEC_A_POL_TMPL_LEVEL, KIPSEC_LEVEL_REQUEST);
	put6(msg, KIPSEC_A_POL_TMPL_SRC, "2001:db8::1");
	put6(msg, KIPSEC_A_POL_TMPL_DST, "2001:db8::2");
	return msg;
}

/* A bypass policy with only what the kernel always sends. */
static struct nl_msg *bypass_reply(void)
{
	struct nl_msg *msg = nlmsg_alloc();

	genlmsg_put(msg, 0, 1, 0x20, 0, 0, KIPSEC_CMD_POLICY_GET, 1);
	nla_put_u32(msg, KIPSEC_A_POL_INDEX, 3);
	nla_put_u8(msg, KIPSEC_A_POL_DIR, KIPSEC_DIR_FWD);
	nla_put_u8(msg, KIPSEC_A_POL_ACTION, KIPSEC_ACTION_BYPASS);
	nla_put_u32(msg, KIPSEC_A_POL_PRIORITY, 1000);
	put6(msg, KIPSEC_A_POL_SRC, "::");
	nla_put_u8(msg, KIPSEC_A_POL_SRC_PLEN, 0);
	put6(msg, KIPSEC_A_POL_DST, "2001:db8::");
	nla_put_u8(msg, KIPSEC_A_POL_DST_PLEN, 32);
	return msg;
}

enum fmt { FMT_TSV, FMT_CONFIG, FMT_JSON, FMT_TABLE };

static char *render(enum fmt fmt, const struct policy_info *pol)
{
	struct json_writer w;
	struct table t;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	switch (fmt) {
	case FMT_TSV:
		policy_print_tsv(f, pol);
		break;
	case FMT_CONFIG:
		policy_print_config(f, pol);
		break;
	case FMT_JSON:
		json_init(&w, f);
		policy_write_json(&w, pol);
		json_finish(&w);
		break;
	case FMT_TABLE:
		table_init(&t, policy_table_columns, policy_table_ncolumns);
		policy_table_row(&t, pol);
		table_print(&t, f);
		table_free(&t);
		break;
	}
	fclose(f);
	return text;
}

static void check_render(enum fmt fmt, const struct policy_info *pol,
			 const char *want, const char *name)
{
	char *text = render(fmt, pol);

	tap_is_str(text, want, name);
	free(text);
}

/* bypass_reply() with a lifetime of LIFETIME s, EXPIRES_IN s of it left. */
static struct nl_msg *lifetime_reply(uint32_t lifetime, uint32_t expires_in)
{
	struct nl_msg *msg = bypass_reply();

	nla_put_u32(msg, KIPSEC_A_POL_LIFETIME, lifetime);
	nla_put_u32(msg, KIPSEC_A_POL_EXPIRES_IN, expires_in);
	return msg;
}

/* ipsecd's clear-text fallback: a bypass with 95 s of 300 left. */
static struct nl_msg *fallback_reply(void)
{
	return lifetime_reply(300, 95);
}

/* Every field in every output form, byte for byte. */
static const struct render_case {
	struct nl_msg *(*reply)(void);
	enum fmt fmt;
	const char *want;
	const char *name;
} render_cases[] = {
	{ protect_reply, FMT_TSV,
	  "17\tout\t10\t10.1.0.0/24\t10.2.0.0/16\ttcp\t1000-2000\t443\tprotect\tesp\ttunnel\t2001:db8::1\t2001:db8::2\t5\trequest\t-\t-\n",
	  "tab-separated line; no lifetime: the last two fields \"-\"" },
	{ protect_reply, FMT_CONFIG,
	  "index 17: policy add dir out src 10.1.0.0/24 dst 10.2.0.0/16 proto tcp sport 1000-2000 dport 443 priority 10 action protect esp tunnel 2001:db8::1 2001:db8::2 reqid 5 level request\n",
	  "config syntax" },
	{ protect_reply, FMT_JSON,
	  "{\"index\":17,\"dir\":\"out\",\"priority\":10,\"src\":\"10.1.0.0\",\"src_plen\":24,\"dst\":\"10.2.0.0\",\"dst_plen\":16,\"proto\":6,\"sport\":{\"min\":1000,\"max\":2000},\"dport\":{\"min\":443,\"max\":443},\"action\":\"protect\",\"tmpl\":{\"proto\":\"esp\",\"mode\":\"tunnel\",\"src\":\"2001:db8::1\",\"dst\":\"2001:db8::2\",\"reqid\":5,\"level\":\"request\"}}\n",
	  "JSON" },
	{ bypass_reply, FMT_TSV,
	  "3\tfwd\t1000\t::/0\t2001:db8::/32\tany\tany\tany\tbypass\t-\t-\t-\t-\t-\t-\t-\t-\n",
	  "bypass: tab-separated line, template fields \"-\"" },
	{ bypass_reply, FMT_CONFIG,
	  "index 3: policy add dir fwd src ::/0 dst 2001:db8::/32 priority 1000 action bypass\n",
	  "bypass: config syntax" },
	{ bypass_reply, FMT_JSON,
	  "{\"index\":3,\"dir\":\"fwd\",\"priority\":1000,\"src\":\"::\",\"src_plen\":0,\"dst\":\"2001:db8::\",\"dst_plen\":32,\"proto\":0,\"action\":\"bypass\"}\n",
	  "bypass: JSON without ports or template" },
	{ protect_reply, FMT_TABLE,
	  "INDEX  DIR  PRIO  SRC          DST          PROTO  SPORT      DPORT  ACTION   SA                                                  EXPIRES\n"
	  "   17  out    10  10.1.0.0/24  10.2.0.0/16  tcp    1000-2000  443    protect  esp/tunnel/2001:db8::1-2001:db8::2 reqid 5 request  -\n",
	  "table: the template in one column" },
	{ fallback_reply, FMT_TABLE,
	  "INDEX  DIR  PRIO  SRC   DST            PROTO  SPORT  DPORT  ACTION  SA  EXPIRES\n"
	  "    3  fwd  1000  ::/0  2001:db8::/32  any    any    any    bypass  -   in 1m35s\n",
	  "table: no template, the time left" },
	{ fallback_reply, FMT_TSV,
	  "3\tfwd\t1000\t::/0\t2001:db8::/32\tany\tany\tany\tbypass\t-\t-\t-\t-\t-\t-\t300\t95\n",
	  "lifetime: lifetime and time left are fields 16 and 17" },
	{ fallback_reply, FMT_CONFIG,
	  "index 3: policy add dir fwd src ::/0 dst 2001:db8::/32 priority 1000 action bypass lifetime 95\n",
	  "lifetime: config syntax gives the time left" },
	{ fallback_reply, FMT_JSON,
	  "{\"index\":3,\"dir\":\"fwd\",\"priority\":1000,\"src\":\"::\",\"src_plen\":0,\"dst\":\"2001:db8::\",\"dst_plen\":32,\"proto\":0,\"action\":\"bypass\",\"lifetime\":300,\"expires_in\":95}\n",
	  "lifetime: JSON members last" },
};

static void test_render(void)
{
	for (size_t i = 0; i < sizeof(render_cases) / sizeof(render_cases[0]); i++) {
		const struct render_case *c = &render_cases[i];
		struct nl_msg *msg = c->reply();
		struct policy_info pol;

		if (policy_info_decode(msg, &pol))
			tap_ok(0, "%s: the reply decodes", c->name);
		else
			check_render(c->fmt, &pol, c->want, c->name);
		nlmsg_free(msg);
	}
}

/* "policy add ..." from what the config syntax of REPLY prints. */
static int parse_config(struct nl_msg *(*reply)(void),
			struct ipsecctl_request *req, struct policy_info *pol)
{
	struct nl_msg *msg = reply();
	char *text, *argv[64], *p;
	int argc = 0, res;

	policy_info_decode(msg, pol);
	nlmsg_free(msg);
	text = render(FMT_CONFIG, pol);
	argv[argc++] = "ipsecctl";
	p = strchr(text, ':') + 2;
	for (p = strtok(p, " \n"); p && argc < 63; p = strtok(NULL, " \n"))
		argv[argc++] = p;
	argv[argc] = NULL;
	res = ipsecctl_parse(argc, argv, req);
	free(text);
	return res;
}

static void test_protect(void)
{
	struct nl_msg *msg = protect_reply();
	struct policy_info pol;

	tap_is_int(policy_info_decode(msg, &pol), 0, "protect policy decodes");
	tap_is_int(pol.index, 17, "index");
	nlmsg_free(msg);
}

static void test_bypass(void)
{
	struct nl_msg *msg = bypass_reply();
	struct policy_info pol;
	char *text;

	tap_is_int(policy_info_decode(msg, &pol), 0, "bypass policy decodes");
	text = render(FMT_TABLE, &pol);
	tap_ok(text && strstr(text, "INDEX") && strstr(text, "bypass"),
	       "table has a header and the row");
	free(text);
	nlmsg_free(msg);
}

/* What "policy get" prints is what "policy add" takes. */
static void test_config_round_trip(void)
{
	struct ipsecctl_request req;
	struct policy_info pol;

	tap_is_int(parse_config(protect_reply, &req, &pol), IPSECCTL_PARSE_OK,
		   "config syntax parses as policy add");
	tap_ok(req.pol.dir == pol.p.dir && req.pol.priority == pol.p.priority &&
	       req.pol.src_plen == 24 && req.pol.dst_plen == 16 &&
	       req.pol.proto == IPPROTO_TCP && req.pol.sport.min == 1000 &&
	       req.pol.sport.max == 2000 && req.pol.dport.min == 443 &&
	       req.pol.tmpl_mode == KIPSEC_MODE_TUNNEL &&
	       !memcmp(&req.pol.tmpl_dst, &pol.p.tmpl_dst,
		       sizeof(pol.p.tmpl_dst)) &&
	       req.pol.reqid == 5 && req.pol.level == KIPSEC_LEVEL_REQUEST,
	       "and gives back the same policy");

	tap_is_int(parse_config(fallback_reply, &req, &pol), IPSECCTL_PARSE_OK,
		   "lifetime: config syntax parses as policy add");
	tap_ok(req.pol.has_lifetime && req.pol.lifetime == 95,
	       "and asks for the time left");
}

/* A lifetime, the time left of it, and whether that makes it expired. */
static const struct expiry_case {
	bool has_lifetime;
	uint32_t lifetime, expires_in;
	bool expired;
	const char *name;
} expiry_cases[] = {
	{ true, 300, 95, false, "lifetime 300, 95 s left, not expired" },
	{ true, 2, 0, true, "expires_in 0 with a lifetime: expired" },
	{ false, 0, 0, false, "no lifetime: never expired" },
};

static void test_lifetime(void)
{
	struct nl_msg *msg = fallback_reply();
	struct policy_info pol;
	char *text;

	tap_is_int(policy_info_decode(msg, &pol), 0,
		   "a policy with a lifetime decodes");
	nlmsg_free(msg);
	text = render(FMT_TABLE, &pol);
	tap_ok(text && strstr(text, "EXPIRES") && strstr(text, "in 1m35s"),
	       "table: an EXPIRES column with the time left");
	free(text);

	for (size_t i = 0; i < sizeof(expiry_cases) / sizeof(expiry_cases[0]); i++) {
		const struct expiry_case *c = &expiry_cases[i];

		msg = c->has_lifetime ? lifetime_reply(c->lifetime, c->expires_in) :
					bypass_reply();
		tap_ok(policy_info_decode(msg, &pol) == 0 &&
		       pol.p.has_lifetime == c->has_lifetime &&
		       (!c->has_lifetime || (pol.p.lifetime == c->lifetime &&
					     pol.expires_in == c->expires_in)) &&
		       policy_info_expired(&pol) == c->expired, "%s", c->name);
		nlmsg_free(msg);
	}
}

/*
 * Values this build has no name for: numbers, or "?" where the kernel
 * never sends them.
 */
static void test_unknown_values(void)
{
	struct nl_msg *msg = bypass_reply();
	struct policy_info pol;

	policy_info_decode(msg, &pol);
	nlmsg_free(msg);
	pol.p.dir = 9;
	pol.p.action = 8;
	pol.p.has_proto = true;
	pol.p.proto = 253;
	check_render(FMT_TSV, &pol,
		     "3\t9\t1000\t::/0\t2001:db8::/32\t253\tany\tany\t?\t-\t-\t-\t-\t-\t-\t-\t-\n",
		     "unknown dir, proto and action: tab-separated line");
	check_render(FMT_CONFIG, &pol,
		     "index 3: policy add dir 9 src ::/0 dst 2001:db8::/32 proto 253 priority 1000 action ?\n",
		     "unknown dir, proto and action: config syntax");
	check_render(FMT_JSON, &pol,
		     "{\"index\":3,\"dir\":\"9\",\"priority\":1000,\"src\":\"::\",\"src_plen\":0,\"dst\":\"2001:db8::\",\"dst_plen\":32,\"proto\":253,\"action\":\"8\"}\n",
		     "unknown dir, proto and action: JSON");
}

static void test_malformed(void)
{
	struct nl_msg *msg = nlmsg_alloc();
	struct policy_info pol;

	genlmsg_put(msg, 0, 1, 0x20, 0, 0, KIPSEC_CMD_POLICY_GET, 1);
	nla_put_u32(msg, KIPSEC_A_POL_INDEX, 3);
	tap_is_int(policy_info_decode(msg, &pol), -EPROTO,
		   "a reply without direction or selector is refused");
	nlmsg_free(msg);
}

int main(void)
{
	test_render();
	test_protect();
	test_bypass();
	test_config_round_trip();
	test_lifetime();
	test_unknown_values();
	test_malformed();
	return tap_done();
}
