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

static void test_protect(void)
{
	struct nl_msg *msg = protect_reply();
	struct policy_info pol;

	tap_is_int(policy_info_decode(msg, &pol), 0, "protect policy decodes");
	tap_is_int(pol.index, 17, "index");
	check_render(FMT_TSV, &pol,
		     "17\tout\t10\t10.1.0.0/24\t10.2.0.0/16\ttcp\t1000-2000\t443\tprotect\tesp\ttunnel\t2001:db8::1\t2001:db8::2\t5\trequest\t-\t-\n",
		     "tab-separated line; no lifetime: the last two fields \"-\"");
	check_render(FMT_CONFIG, &pol,
		     "index 17: policy add dir out src 10.1.0.0/24 dst 10.2.0.0/16 proto tcp sport 1000-2000 dport 443 priority 10 action protect esp tunnel 2001:db8::1 2001:db8::2 reqid 5 level request\n",
		     "config syntax");
	check_render(FMT_JSON, &pol,
		     "{\"index\":17,\"dir\":\"out\",\"priority\":10,\"src\":\"10.1.0.0\",\"src_plen\":24,\"dst\":\"10.2.0.0\",\"dst_plen\":16,\"proto\":6,\"sport\":{\"min\":1000,\"max\":2000},\"dport\":{\"min\":443,\"max\":443},\"action\":\"protect\",\"tmpl\":{\"proto\":\"esp\",\"mode\":\"tunnel\",\"src\":\"2001:db8::1\",\"dst\":\"2001:db8::2\",\"reqid\":5,\"level\":\"request\"}}\n",
		     "JSON");
	nlmsg_free(msg);
}

static void test_bypass(void)
{
	struct nl_msg *msg = bypass_reply();
	struct policy_info pol;
	char *text;

	tap_is_int(policy_info_decode(msg, &pol), 0, "bypass policy decodes");
	check_render(FMT_TSV, &pol,
		     "3\tfwd\t1000\t::/0\t2001:db8::/32\tany\tany\tany\tbypass\t-\t-\t-\t-\t-\t-\t-\t-\n",
		     "bypass: tab-separated line, template fields \"-\"");
	check_render(FMT_CONFIG, &pol,
		     "index 3: policy add dir fwd src ::/0 dst 2001:db8::/32 priority 1000 action bypass\n",
		     "bypass: config syntax");
	check_render(FMT_JSON, &pol,
		     "{\"index\":3,\"dir\":\"fwd\",\"priority\":1000,\"src\":\"::\",\"src_plen\":0,\"dst\":\"2001:db8::\",\"dst_plen\":32,\"proto\":0,\"action\":\"bypass\"}\n",
		     "bypass: JSON without ports or template");
	text = render(FMT_TABLE, &pol);
	tap_ok(text && strstr(text, "INDEX") && strstr(text, "bypass"),
	       "table has a header and the row");
	free(text);
	nlmsg_free(msg);
}

/* What "policy get" prints is what "policy add" takes. */
static void test_config_round_trip(void)
{
	struct nl_msg *msg = protect_reply();
	struct ipsecctl_request req;
	struct policy_info pol;
	char *text, *argv[64], *p;
	int argc = 0;

	policy_info_decode(msg, &pol);
	text = render(FMT_CONFIG, &pol);
	argv[argc++] = "ipsecctl";
	p = strchr(text, ':') + 2;
	for (p = strtok(p, " \n"); p && argc < 63; p = strtok(NULL, " \n"))
		argv[argc++] = p;
	argv[argc] = NULL;
	tap_is_int(ipsecctl_parse(argc, argv, &req), IPSECCTL_PARSE_OK,
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
	free(text);
	nlmsg_free(msg);
}

/* A bypass with a lifetime: ipsecd's clear-text fallback. */
static void test_lifetime(void)
{
	struct nl_msg *msg = bypass_reply();
	struct ipsecctl_request req;
	struct policy_info pol;
	char *text, *argv[64], *p;
	int argc = 0;

	nla_put_u32(msg, KIPSEC_A_POL_LIFETIME, 300);
	nla_put_u32(msg, KIPSEC_A_POL_EXPIRES_IN, 95);
	tap_is_int(policy_info_decode(msg, &pol), 0,
		   "a policy with a lifetime decodes");
	tap_ok(pol.p.has_lifetime && pol.p.lifetime == 300 &&
	       pol.expires_in == 95 && !policy_info_expired(&pol),
	       "lifetime 300, 95 s left, not expired");
	check_render(FMT_TSV, &pol,
		     "3\tfwd\t1000\t::/0\t2001:db8::/32\tany\tany\tany\tbypass\t-\t-\t-\t-\t-\t-\t300\t95\n",
		     "lifetime: lifetime and time left are fields 16 and 17");
	check_render(FMT_CONFIG, &pol,
		     "index 3: policy add dir fwd src ::/0 dst 2001:db8::/32 priority 1000 action bypass lifetime 95\n",
		     "lifetime: config syntax gives the time left");
	check_render(FMT_JSON, &pol,
		     "{\"index\":3,\"dir\":\"fwd\",\"priority\":1000,\"src\":\"::\",\"src_plen\":0,\"dst\":\"2001:db8::\",\"dst_plen\":32,\"proto\":0,\"action\":\"bypass\",\"lifetime\":300,\"expires_in\":95}\n",
		     "lifetime: JSON members last");
	text = render(FMT_TABLE, &pol);
	tap_ok(text && strstr(text, "EXPIRES") && strstr(text, "in 1m35s"),
	       "table: an EXPIRES column with the time left");
	free(text);

	text = render(FMT_CONFIG, &pol);
	argv[argc++] = "ipsecctl";
	p = strchr(text, ':') + 2;
	for (p = strtok(p, " \n"); p && argc < 63; p = strtok(NULL, " \n"))
		argv[argc++] = p;
	argv[argc] = NULL;
	tap_is_int(ipsecctl_parse(argc, argv, &req), IPSECCTL_PARSE_OK,
		   "lifetime: config syntax parses as policy add");
	tap_ok(req.pol.has_lifetime && req.pol.lifetime == 95,
	       "and asks for the time left");
	free(text);
	nlmsg_free(msg);

	msg = bypass_reply();
	nla_put_u32(msg, KIPSEC_A_POL_LIFETIME, 2);
	nla_put_u32(msg, KIPSEC_A_POL_EXPIRES_IN, 0);
	policy_info_decode(msg, &pol);
	tap_ok(policy_info_expired(&pol), "expires_in 0 with a lifetime: expired");
	nlmsg_free(msg);
	msg = bypass_reply();
	policy_info_decode(msg, &pol);
	tap_ok(!pol.p.has_lifetime && !policy_info_expired(&pol),
	       "no lifetime: never expired");
	nlmsg_free(msg);
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
	test_protect();
	test_bypass();
	test_config_round_trip();
	test_lifetime();
	test_malformed();
	return tap_done();
}
