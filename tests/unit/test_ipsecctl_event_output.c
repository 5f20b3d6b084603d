// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of "ipsecctl monitor"'s event decoding and output
 * (userland/ipsecctl/event_info.c). An event's SA or policy must print
 * exactly as "sa list" and "policy list" print it, so those parts are
 * compared with sa_info.c's and policy_info.c's own renderings.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "ipsecctl/event_info.h"
#include "kipsec.h"
#include "tap.h"

static void put4(struct nl_msg *msg, int type, const char *s)
{
	struct in_addr a;

	inet_pton(AF_INET, s, &a);
	nla_put(msg, type, 4, &a);
}

static struct nl_msg *event(uint8_t cmd)
{
	struct nl_msg *msg = nlmsg_alloc();

	genlmsg_put(msg, 0, 0, 0x20, 0, 0, cmd, 1);
	return msg;
}

/* An expire event as the kernel sends it: the SA, then the reason. */
static struct nl_msg *expire_event(uint8_t cmd, uint8_t reason)
{
	struct nl_msg *msg = event(cmd);
	struct nlattr *nest;

	nla_put_u32(msg, KIPSEC_A_SA_SPI, 0x5501);
	put4(msg, KIPSEC_A_SA_DST, "192.0.2.2");
	put4(msg, KIPSEC_A_SA_SRC, "192.0.2.1");
	nla_put_u8(msg, KIPSEC_A_SA_PROTO, IPPROTO_ESP);
	nla_put_u8(msg, KIPSEC_A_SA_MODE, KIPSEC_MODE_TUNNEL);
	nla_put_u16(msg, KIPSEC_A_SA_ENC_ALG, KIPSEC_ENC_AES_GCM_16);
	nla_put_u16(msg, KIPSEC_A_SA_ENC_KEY_BITS, 128);
	nest = nla_nest_start(msg, KIPSEC_A_SA_LIFETIME_HARD);
	nla_put_u64(msg, KIPSEC_A_LIFETIME_PACKETS, 100);
	nla_nest_end(msg, nest);
	nest = nla_nest_start(msg, KIPSEC_A_SA_LIFETIME_CUR);
	nla_put_u64(msg, KIPSEC_A_LIFETIME_BYTES, 8400);
	nla_put_u64(msg, KIPSEC_A_LIFETIME_PACKETS, 100);
	nla_nest_end(msg, nest);
	nla_put_u64(msg, KIPSEC_A_SA_AGE, 4);
	nla_put_u8(msg, KIPSEC_A_SA_EXPIRE_REASON, reason);
	return msg;
}

/* An ACQUIRE: the policy, with the packet's flow as its selector. */
static struct nl_msg *acquire_event(void)
{
	struct nl_msg *msg = event(KIPSEC_CMD_ACQUIRE);

	nla_put_u32(msg, KIPSEC_A_POL_INDEX, 7);
	nla_put_u8(msg, KIPSEC_A_POL_DIR, KIPSEC_DIR_OUT);
	nla_put_u8(msg, KIPSEC_A_POL_ACTION, KIPSEC_ACTION_PROTECT);
	nla_put_u32(msg, KIPSEC_A_POL_PRIORITY, 1000);
	put4(msg, KIPSEC_A_POL_SRC, "10.1.0.5");
	nla_put_u8(msg, KIPSEC_A_POL_SRC_PLEN, 32);
	put4(msg, KIPSEC_A_POL_DST, "10.2.0.9");
	nla_put_u8(msg, KIPSEC_A_POL_DST_PLEN, 32);
	nla_put_u8(msg, KIPSEC_A_POL_PROTO, IPPROTO_UDP);
	nla_put_u16(msg, KIPSEC_A_POL_SPORT_MIN, 40000);
	nla_put_u16(msg, KIPSEC_A_POL_SPORT_MAX, 40000);
	nla_put_u16(msg, KIPSEC_A_POL_DPORT_MIN, 53);
	nla_put_u16(msg, KIPSEC_A_POL_DPORT_MAX, 53);
	nla_put_u8(msg, KIPSEC_A_POL_TMPL_PROTO, IPPROTO_ESP);
	nla_put_u8(msg, KIPSEC_A_POL_TMPL_MODE, KIPSEC_MODE_TUNNEL);
	nla_put_u32(msg, KIPSEC_A_POL_TMPL_REQID, 5);
	nla_put_u8(msg, KIPSEC_A_POL_TMPL_LEVEL, KIPSEC_LEVEL_REQUIRE);
	put4(msg, KIPSEC_A_POL_TMPL_SRC, "192.0.2.1");
	put4(msg, KIPSEC_A_POL_TMPL_DST, "192.0.2.2");
	return msg;
}

static char *line_of(const struct event_info *ev)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	event_print_line(f, ev);
	fclose(f);
	return text;
}

static char *json_of(const struct event_info *ev)
{
	struct json_writer w;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	json_init(&w, f);
	event_write_json(&w, ev);
	json_finish(&w);
	fclose(f);
	return text;
}

/* "PREFIX" followed by what print() makes of arg. */
static char *prefixed(const char *prefix, void (*print)(FILE *, const void *),
		      const void *arg)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	fputs(prefix, f);
	print(f, arg);
	fclose(f);
	return text;
}

static void print_sa(FILE *f, const void *sa)
{
	sa_print_tsv(f, sa);
}

static void print_sa_json(FILE *f, const void *sa)
{
	struct json_writer w;

	json_init(&w, f);
	sa_write_json(&w, sa);
	fflush(f);
}

static void print_policy(FILE *f, const void *pol)
{
	policy_print_tsv(f, pol);
}

static int starts_with(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

static void check(char *got, const char *want, const char *name)
{
	tap_is_str(got, want, name);
	free(got);
}

static void test_expire(void)
{
	struct nl_msg *msg = expire_event(KIPSEC_CMD_SA_HARD_EXPIRE,
					  KIPSEC_EXPIRE_PACKETS);
	struct event_info ev;
	char *want, *sa_json;

	tap_is_int(event_info_decode(msg, &ev), 0, "hard expire decodes");
	nlmsg_free(msg);
	tap_ok(ev.kind == EVENT_SA && ev.cmd == KIPSEC_CMD_SA_HARD_EXPIRE &&
	       ev.reason == KIPSEC_EXPIRE_PACKETS && ev.sa.spi == 0x5501,
	       "kind, reason and SA");
	tap_ok(ev.sa.used_bytes == 8400 && ev.sa.used_packets == 100,
	       "lifetime use decoded");

	want = prefixed("sa_hard_expire\tpackets\t", print_sa, &ev.sa);
	check(line_of(&ev), want, "line: name, reason, then the SA as sa list");
	free(want);

	sa_json = prefixed("", print_sa_json, &ev.sa);
	want = malloc(strlen(sa_json) + 128);
	sprintf(want, "{\"event\":\"sa_hard_expire\",\"reason\":\"packets\","
		"\"sa\":%s}\n", sa_json);
	check(json_of(&ev), want, "JSON: event, reason, sa as in sa list -j");
	free(want);
	free(sa_json);
}

static void test_soft_and_plain(void)
{
	struct nl_msg *msg = expire_event(KIPSEC_CMD_SA_SOFT_EXPIRE,
					  KIPSEC_EXPIRE_SECONDS);
	struct event_info ev;
	char *json;

	tap_is_int(event_info_decode(msg, &ev), 0, "soft expire decodes");
	nlmsg_free(msg);
	json = json_of(&ev);
	tap_ok(starts_with(json, "{\"event\":\"sa_soft_expire\",\"reason\":"
			   "\"seconds\",\"sa\":{\"spi\":21761,"),
	       "soft expire JSON starts with event, reason, sa");
	tap_ok(strstr(json, "\"lifetime_used\":{\"bytes\":8400,"
			    "\"packets\":100}") != NULL,
	       "JSON carries the lifetime use");
	free(json);

	/* SA_NEW carries no reason, and none is printed. */
	msg = expire_event(KIPSEC_CMD_SA_NEW, 0);
	tap_is_int(event_info_decode(msg, &ev), 0, "sa_new decodes");
	nlmsg_free(msg);
	json = json_of(&ev);
	tap_ok(starts_with(json, "{\"event\":\"sa_new\",\"sa\":{"),
	       "sa_new JSON has no reason");
	free(json);
	json = line_of(&ev);
	tap_ok(starts_with(json, "sa_new\t0x00005501\tesp\t"),
	       "sa_new line: name, then the SA");
	free(json);
}

static void test_flush(void)
{
	struct nl_msg *msg = event(KIPSEC_CMD_SA_FLUSH);
	struct event_info ev;

	tap_is_int(event_info_decode(msg, &ev), 0, "unrestricted sa flush");
	check(line_of(&ev), "sa_flush\tall\n", "sa flush line");
	check(json_of(&ev), "{\"event\":\"sa_flush\",\"proto\":\"all\"}\n",
	      "sa flush JSON");
	nla_put_u8(msg, KIPSEC_A_SA_PROTO, IPPROTO_AH);
	tap_is_int(event_info_decode(msg, &ev), 0, "AH-only sa flush");
	check(line_of(&ev), "sa_flush\tah\n", "AH flush line");
	nlmsg_free(msg);

	msg = event(KIPSEC_CMD_POLICY_FLUSH);
	nla_put_u8(msg, KIPSEC_A_POL_DIR, KIPSEC_DIR_FWD);
	tap_is_int(event_info_decode(msg, &ev), 0, "fwd policy flush");
	nlmsg_free(msg);
	check(line_of(&ev), "policy_flush\tfwd\n", "policy flush line");
	check(json_of(&ev), "{\"event\":\"policy_flush\",\"dir\":\"fwd\"}\n",
	      "policy flush JSON");
}

static void test_acquire(void)
{
	struct nl_msg *msg = acquire_event();
	struct event_info ev;
	char *want;

	tap_is_int(event_info_decode(msg, &ev), 0, "acquire decodes");
	nlmsg_free(msg);
	want = prefixed("acquire\t", print_policy, &ev.pol);
	check(line_of(&ev), want, "acquire line: name, then the policy");
	free(want);
	check(line_of(&ev),
	      "acquire\t7\tout\t1000\t10.1.0.5/32\t10.2.0.9/32\tudp\t40000\t53"
	      "\tprotect\tesp\ttunnel\t192.0.2.1\t192.0.2.2\t5\trequire\t-\t-\n",
	      "acquire line, field by field");
	check(json_of(&ev),
	      "{\"event\":\"acquire\",\"policy\":{\"index\":7,\"dir\":\"out\","
	      "\"priority\":1000,\"src\":\"10.1.0.5\",\"src_plen\":32,"
	      "\"dst\":\"10.2.0.9\",\"dst_plen\":32,\"proto\":17,"
	      "\"sport\":{\"min\":40000,\"max\":40000},"
	      "\"dport\":{\"min\":53,\"max\":53},\"action\":\"protect\","
	      "\"tmpl\":{\"proto\":\"esp\",\"mode\":\"tunnel\","
	      "\"src\":\"192.0.2.1\",\"dst\":\"192.0.2.2\",\"reqid\":5,"
	      "\"level\":\"require\"}}}\n",
	      "acquire JSON");
}

/* POLICY_DEL of a bypass policy with a lifetime of 30 s, EXPIRES_IN left. */
static struct nl_msg *policy_del_event(uint32_t expires_in)
{
	struct nl_msg *msg = event(KIPSEC_CMD_POLICY_DEL);

	nla_put_u32(msg, KIPSEC_A_POL_INDEX, 9);
	nla_put_u8(msg, KIPSEC_A_POL_DIR, KIPSEC_DIR_OUT);
	nla_put_u8(msg, KIPSEC_A_POL_ACTION, KIPSEC_ACTION_BYPASS);
	nla_put_u32(msg, KIPSEC_A_POL_PRIORITY, 999);
	put4(msg, KIPSEC_A_POL_SRC, "10.1.0.0");
	nla_put_u8(msg, KIPSEC_A_POL_SRC_PLEN, 24);
	put4(msg, KIPSEC_A_POL_DST, "10.2.0.0");
	nla_put_u8(msg, KIPSEC_A_POL_DST_PLEN, 24);
	nla_put_u32(msg, KIPSEC_A_POL_LIFETIME, 30);
	nla_put_u32(msg, KIPSEC_A_POL_EXPIRES_IN, expires_in);
	return msg;
}

/*
 * A policy deleted when its lifetime ran out (expires_in 0) is a
 * policy_expire event; one deleted before that a policy_del.
 */
static const struct policy_del_case {
	uint32_t expires_in;
	const char *event;	/* the name the line and the JSON start with */
	const char *tail;	/* the line after the name: the policy */
	const char *json;	/* the "policy" member */
	const char *name;
} policy_del_cases[] = {
	{ 0, "policy_expire",
	  "9\tout\t999\t10.1.0.0/24\t10.2.0.0/24\tany\tany\tany"
	  "\tbypass\t-\t-\t-\t-\t-\t-\t30\t0\n",
	  "{\"index\":9,\"dir\":\"out\",\"priority\":999,"
	  "\"src\":\"10.1.0.0\",\"src_plen\":24,\"dst\":\"10.2.0.0\","
	  "\"dst_plen\":24,\"proto\":0,\"action\":\"bypass\","
	  "\"lifetime\":30,\"expires_in\":0}",
	  "lifetime ran out" },
	{ 12, "policy_del",
	  "9\tout\t999\t10.1.0.0/24\t10.2.0.0/24\tany\tany\tany"
	  "\tbypass\t-\t-\t-\t-\t-\t-\t30\t12\n",
	  "{\"index\":9,\"dir\":\"out\",\"priority\":999,"
	  "\"src\":\"10.1.0.0\",\"src_plen\":24,\"dst\":\"10.2.0.0\","
	  "\"dst_plen\":24,\"proto\":0,\"action\":\"bypass\","
	  "\"lifetime\":30,\"expires_in\":12}",
	  "deleted before its lifetime ran out" },
};

static void test_policy_del(void)
{
	for (size_t i = 0; i < sizeof(policy_del_cases) / sizeof(policy_del_cases[0]); i++) {
		const struct policy_del_case *c = &policy_del_cases[i];
		struct nl_msg *msg = policy_del_event(c->expires_in);
		struct event_info ev;
		char name[128], prefix[32], *want;

		snprintf(name, sizeof(name), "%s: decodes", c->name);
		tap_is_int(event_info_decode(msg, &ev), 0, name);
		nlmsg_free(msg);

		snprintf(prefix, sizeof(prefix), "%s\t", c->event);
		want = prefixed(prefix, print_policy, &ev.pol);
		snprintf(name, sizeof(name), "%s: %s line: its name, then the policy",
			 c->name, c->event);
		check(line_of(&ev), want, name);
		free(want);

		want = malloc(strlen(prefix) + strlen(c->tail) + 1);
		sprintf(want, "%s%s", prefix, c->tail);
		snprintf(name, sizeof(name), "%s: %s line, field by field",
			 c->name, c->event);
		check(line_of(&ev), want, name);
		free(want);

		want = malloc(strlen(c->event) + strlen(c->json) + 32);
		sprintf(want, "{\"event\":\"%s\",\"policy\":%s}\n", c->event,
			c->json);
		snprintf(name, sizeof(name), "%s: %s JSON", c->name, c->event);
		check(json_of(&ev), want, name);
		free(want);
	}
}

static void test_unknown_and_malformed(void)
{
	struct nl_msg *msg = event(99);
	struct event_info ev;
	char buf[24];

	tap_is_int(event_info_decode(msg, &ev), 0,
		   "an event from a newer kernel decodes");
	nlmsg_free(msg);
	check(line_of(&ev), "unknown-99\n", "and prints its number");
	check(json_of(&ev), "{\"event\":\"unknown-99\"}\n", "also in JSON");
	tap_is_str(event_reason_name(9, buf, sizeof(buf)), "unknown-9",
		   "reason from a newer kernel");

	msg = event(KIPSEC_CMD_SA_DEL);
	nla_put_u32(msg, KIPSEC_A_SA_SPI, 0x5501);
	tap_is_int(event_info_decode(msg, &ev), -EPROTO,
		   "SA event without its identity");
	nlmsg_free(msg);

	msg = expire_event(KIPSEC_CMD_SA_SOFT_EXPIRE, 1);
	nla_put(msg, KIPSEC_A_SA_EXPIRE_REASON, 0, NULL);
	tap_ok(event_info_decode(msg, &ev) == 0,
	       "the first reason attribute is the one read");
	nlmsg_free(msg);

	msg = event(KIPSEC_CMD_POLICY_FLUSH);
	nla_put(msg, KIPSEC_A_POL_DIR, 0, NULL);
	tap_is_int(event_info_decode(msg, &ev), -EPROTO,
		   "empty flush scope attribute");
	nlmsg_free(msg);
}

int main(void)
{
	test_expire();
	test_soft_and_plain();
	test_flush();
	test_acquire();
	test_unknown_and_malformed();
	test_policy_del();
	return tap_done();
}
