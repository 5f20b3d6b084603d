// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of ipsecctl's SA decoding and output formats
 * (userland/ipsecctl/sa_info.c): scripts and the guest tests parse these.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "ipsecctl/sa_info.h"
#include "tap.h"

/* A reply as the kernel sends it for an SA with every field set. */
static struct nl_msg *full_reply(void)
{
	struct nl_msg *msg = nlmsg_alloc();
	struct in_addr src, dst;
	struct nlattr *nest;
	int i;

	inet_pton(AF_INET, "192.0.2.1", &src);
	inet_pton(AF_INET, "192.0.2.2", &dst);
	genlmsg_put(msg, 0, 1, 0x20, 0, 0, KIPSEC_CMD_SA_GET, 1);
	nla_put_u32(msg, KIPSEC_A_SA_SPI, 0x1000);
	nla_put(msg, KIPSEC_A_SA_DST, 4, &dst);
	nla_put(msg, KIPSEC_A_SA_SRC, 4, &src);
	nla_put_u8(msg, KIPSEC_A_SA_PROTO, IPPROTO_ESP);
	nla_put_u8(msg, KIPSEC_A_SA_MODE, KIPSEC_MODE_TUNNEL);
	nla_put_u32(msg, KIPSEC_A_SA_REQID, 7);
	nla_put_u16(msg, KIPSEC_A_SA_ENC_ALG, KIPSEC_ENC_AES_GCM_16);
	nla_put_u16(msg, KIPSEC_A_SA_ENC_KEY_BITS, 128);
	nla_put_u32(msg, KIPSEC_A_SA_REPLAY_WINDOW, 64);
	nla_put_u32(msg, KIPSEC_A_SA_FLAGS,
		    KIPSEC_SA_F_ESN | KIPSEC_SA_F_PARALLEL);
	nla_put_u64(msg, KIPSEC_A_SA_SEQ_OUT, 0x100000005ULL);
	nla_put_u16(msg, KIPSEC_A_SA_ENCAP_SPORT, 4500);
	nla_put_u16(msg, KIPSEC_A_SA_ENCAP_DPORT, 4501);
	nest = nla_nest_start(msg, KIPSEC_A_SA_LIFETIME_SOFT);
	nla_put_u64(msg, KIPSEC_A_LIFETIME_BYTES, 90000000);
	nla_put_u64(msg, KIPSEC_A_LIFETIME_SECONDS, 3000);
	nla_nest_end(msg, nest);
	nest = nla_nest_start(msg, KIPSEC_A_SA_LIFETIME_HARD);
	nla_put_u64(msg, KIPSEC_A_LIFETIME_BYTES, 100000000);
	nla_put_u64(msg, KIPSEC_A_LIFETIME_PACKETS, 1000000);
	nla_put_u64(msg, KIPSEC_A_LIFETIME_SECONDS, 3600);
	nla_nest_end(msg, nest);
	nest = nla_nest_start(msg, KIPSEC_A_SA_LIFETIME_CUR);
	nla_put_u64(msg, KIPSEC_A_LIFETIME_BYTES, 1536);
	nla_put_u64(msg, KIPSEC_A_LIFETIME_PACKETS, 10);
	nla_nest_end(msg, nest);
	nla_put_u64(msg, KIPSEC_A_SA_AGE, 192);
	nest = nla_nest_start(msg, KIPSEC_A_SA_STATS);
	for (i = KIPSEC_STAT_FIRST; i <= KIPSEC_A_STATS_MAX; i++)
		nla_put_u64(msg, i, i == KIPSEC_A_STATS_BYTES ? 1536 :
				    (uint64_t)(i - KIPSEC_STAT_FIRST + 1) * 10);
	/* A counter from a newer kernel is skipped, not refused. */
	nla_put_u64(msg, KIPSEC_A_STATS_MAX + 1, 999);
	nla_nest_end(msg, nest);
	return msg;
}

/* An AH SA with only what the kernel always sends. */
static struct nl_msg *ah_reply(void)
{
	struct nl_msg *msg = nlmsg_alloc();
	struct in6_addr src, dst;

	inet_pton(AF_INET6, "2001:db8::1", &src);
	inet_pton(AF_INET6, "2001:db8::2", &dst);
	genlmsg_put(msg, 0, 1, 0x20, 0, 0, KIPSEC_CMD_SA_GET, 1);
	nla_put_u32(msg, KIPSEC_A_SA_SPI, 0xc0ffee01);
	nla_put(msg, KIPSEC_A_SA_DST, 16, &dst);
	nla_put(msg, KIPSEC_A_SA_SRC, 16, &src);
	nla_put_u8(msg, KIPSEC_A_SA_PROTO, IPPROTO_AH);
	nla_put_u8(msg, KIPSEC_A_SA_MODE, KIPSEC_MODE_TRANSPORT);
	nla_put_u16(msg, KIPSEC_A_SA_AUTH_ALG, KIPSEC_AUTH_HMAC_SHA1_96);
	nla_put_u32(msg, KIPSEC_A_SA_REPLAY_WINDOW, 0);
	nla_put_u64(msg, KIPSEC_A_SA_AGE, 5);
	return msg;
}

typedef void (*printer)(FILE *out, const struct sa_info *sa);

static char *render(printer print, const struct sa_info *sa)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	print(f, sa);
	fclose(f);
	return text;
}

static void json_printer(FILE *out, const struct sa_info *sa)
{
	struct json_writer w;

	json_init(&w, out);
	sa_write_json(&w, sa);
	json_finish(&w);
}

static void table_printer(FILE *out, const struct sa_info *sa)
{
	struct table t;

	table_init(&t, sa_table_columns, sa_table_ncolumns);
	sa_table_row(&t, sa);
	table_print(&t, out);
	table_free(&t);
}

static void check_render(printer print, const struct sa_info *sa,
			 const char *want, const char *name)
{
	char *text = render(print, sa);

	tap_is_str(text, want, name);
	free(text);
}

/* What print makes of sa starts with want. */
static void check_prefix(printer print, const struct sa_info *sa,
			 const char *want, const char *name)
{
	char *text = render(print, sa);

	if (!tap_ok(text && !strncmp(text, want, strlen(want)), "%s", name))
		printf("#   got \"%s\", want it to start with \"%s\"\n",
		       text ? text : "(null)", want);
	free(text);
}

static void test_full(void)
{
	struct nl_msg *msg = full_reply();
	struct sa_info sa;

	tap_is_int(sa_info_decode(msg, &sa), 0, "full reply decodes");
	nlmsg_free(msg);
	tap_ok(sa.spi == 0x1000 && sa.proto == IPPROTO_ESP &&
	       sa.mode == KIPSEC_MODE_TUNNEL && sa.reqid == 7 &&
	       sa.enc_alg == KIPSEC_ENC_AES_GCM_16 && sa.enc_key_bits == 128 &&
	       sa.replay_window == 64 && sa.flags == (KIPSEC_SA_F_ESN | KIPSEC_SA_F_PARALLEL) &&
	       sa.oseq == 0x100000005ULL &&
	       sa.encap_sport == 4500 && sa.encap_dport == 4501 &&
	       sa.age == 192, "scalar fields");
	tap_ok(sa.soft[0] == 90000000 && sa.soft[1] == 0 && sa.soft[2] == 3000,
	       "soft lifetime, absent packets limit is 0");
	tap_ok(sa.hard[0] == 100000000 && sa.hard[1] == 1000000 &&
	       sa.hard[2] == 3600, "hard lifetime");
	tap_ok(sa.used_bytes == 1536 && sa.used_packets == 10,
	       "lifetime use");
	tap_ok(sa.stats[0] == 10 && sa.stats[1] == 1536 &&
	       sa.stats[KIPSEC_STAT_COUNT - 1] == KIPSEC_STAT_COUNT * 10,
	       "counters");

	check_render(sa_print_tsv, &sa,
		     "0x00001000\tesp\ttunnel\t192.0.2.1\t192.0.2.2\t"
		     "aes-gcm-16\t128\tnone\t7\t64\t1\t4500\t4501\t"
		     "90000000\t0\t3000\t100000000\t1000000\t3600\t192\t"
		     "10\t1536\t30\t40\t50\t60\t70\t80\t90\t100\t110\t120\t1\n",
		     "tab-separated line");
	check_render(sa_print_config, &sa,
		     "sa add spi 0x00001000 src 192.0.2.1 dst 192.0.2.2 "
		     "proto esp mode tunnel enc aes-gcm-16 128 reqid 7 "
		     "replay-window 64 esn parallel oseq 4294967301 encap-sport 4500 "
		     "encap-dport 4501 "
		     "soft-bytes 90000000 soft-seconds 3000 "
		     "hard-bytes 100000000 hard-packets 1000000 "
		     "hard-seconds 3600\n"
		     "\tage 3m12s packets 10 bytes 1536\n"
		     "\tlifetime-used bytes 1536 packets 10\n"
		     "\tdrop_replay 30 drop_integrity 40 drop_policy 50 "
		     "drop_malformed 60 drop_seq_overflow 70 drop_no_sa 80 "
		     "drop_nomem 90 drop_out_no_sa 100 drop_no_route 110 "
		     "drop_expired 120\n",
		     "config syntax");
	check_render(json_printer, &sa,
		     "{\"spi\":4096,\"proto\":\"esp\",\"mode\":\"tunnel\","
		     "\"src\":\"192.0.2.1\",\"dst\":\"192.0.2.2\","
		     "\"enc\":\"aes-gcm-16\",\"enc_key_bits\":128,"
		     "\"auth\":\"none\",\"reqid\":7,\"replay_window\":64,"
		     "\"esn\":true,\"parallel\":true,\"oseq\":4294967301,\"encap_sport\":4500,\"encap_dport\":4501,"
		     "\"lifetime_soft\":{\"bytes\":90000000,\"packets\":0,"
		     "\"seconds\":3000},\"lifetime_hard\":{\"bytes\":100000000,"
		     "\"packets\":1000000,\"seconds\":3600},"
		     "\"lifetime_used\":{\"bytes\":1536,\"packets\":10},"
		     "\"age\":192,"
		     "\"stats\":{\"packets\":10,\"bytes\":1536,"
		     "\"drop_replay\":30,\"drop_integrity\":40,"
		     "\"drop_policy\":50,\"drop_malformed\":60,"
		     "\"drop_seq_overflow\":70,\"drop_no_sa\":80,"
		     "\"drop_nomem\":90,\"drop_out_no_sa\":100,"
		     "\"drop_no_route\":110,\"drop_expired\":120}}\n",
		     "JSON object");
	check_render(table_printer, &sa,
		     "SPI         PROTO  MODE             SRC        DST        "
		     "ENC             AUTH  REQID  PACKETS   BYTES  DROPS    AGE\n"
		     "0x00001000  esp    tunnel,parallel  192.0.2.1  192.0.2.2  "
		     "aes-gcm-16/128  -         7       10  1.5KiB    750  3m12s\n",
		     "table row");
}

static void test_ah(void)
{
	struct nl_msg *msg = ah_reply();
	struct sa_info sa;

	tap_is_int(sa_info_decode(msg, &sa), 0, "minimal AH reply decodes");
	nlmsg_free(msg);
	check_render(sa_print_tsv, &sa,
		     "0xc0ffee01\tah\ttransport\t2001:db8::1\t2001:db8::2\t"
		     "none\t0\thmac-sha1-96\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t5"
		     "\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\n",
		     "AH tab-separated line");
	check_render(sa_print_config, &sa,
		     "sa add spi 0xc0ffee01 src 2001:db8::1 dst 2001:db8::2 "
		     "proto ah mode transport auth hmac-sha1-96 "
		     "replay-window 0\n"
		     "\tage 5s packets 0 bytes 0\n"
		     "\tdrop_replay 0 drop_integrity 0 drop_policy 0 "
		     "drop_malformed 0 drop_seq_overflow 0 drop_no_sa 0 "
		     "drop_nomem 0 drop_out_no_sa 0 drop_no_route 0 "
		     "drop_expired 0\n",
		     "AH config syntax");
}

static void test_unknown_values(void)
{
	struct sa_info sa;
	char buf[24];

	memset(&sa, 0, sizeof(sa));
	sa.enc_alg = 77;
	sa.auth_alg = 88;
	tap_is_str(sa_enc_name(&sa, buf, sizeof(buf)), "unknown-77",
		   "enc from a newer kernel");
	tap_is_str(sa_auth_name(&sa, buf, sizeof(buf)), "unknown-88",
		   "auth from a newer kernel");

	/*
	 * Every name this build lacks, in every output form, up to the last
	 * name: the counters after it are pinned by test_full().
	 */
	sa.spi = 0x2000;
	sa.proto = 99;
	sa.mode = 7;
	ip_addr_parse("192.0.2.1", &sa.src);
	ip_addr_parse("192.0.2.2", &sa.dst);
	check_prefix(sa_print_tsv, &sa,
		     "0x00002000\tunknown-99\tunknown-7\t192.0.2.1\t192.0.2.2\tunknown-77\t0\tunknown-88\t0\t",
		     "unknown names: tab-separated line");
	check_prefix(sa_print_config, &sa,
		     "sa add spi 0x00002000 src 192.0.2.1 dst 192.0.2.2 proto unknown-99 mode unknown-7 enc unknown-77 auth unknown-88 replay-window 0\n",
		     "unknown names: config syntax");
	check_prefix(json_printer, &sa,
		     "{\"spi\":8192,\"proto\":\"unknown-99\",\"mode\":\"unknown-7\",\"src\":\"192.0.2.1\",\"dst\":\"192.0.2.2\",\"enc\":\"unknown-77\",\"enc_key_bits\":0,\"auth\":\"unknown-88\",",
		     "unknown names: JSON");
}

static void test_malformed(void)
{
	struct nl_msg *msg = nlmsg_alloc();
	struct sa_info sa;
	uint8_t five[5] = { 0 };

	genlmsg_put(msg, 0, 1, 0x20, 0, 0, KIPSEC_CMD_SA_GET, 1);
	nla_put_u32(msg, KIPSEC_A_SA_SPI, 0x1000);
	nla_put_u8(msg, KIPSEC_A_SA_PROTO, IPPROTO_ESP);
	tap_is_int(sa_info_decode(msg, &sa), -EPROTO, "reply without dst");
	nla_put(msg, KIPSEC_A_SA_DST, 5, five);
	tap_is_int(sa_info_decode(msg, &sa), -EPROTO, "5-byte address");
	nlmsg_free(msg);

	msg = nlmsg_alloc();
	genlmsg_put(msg, 0, 1, 0x20, 0, 0, KIPSEC_CMD_SA_GET, 1);
	nla_put_u16(msg, KIPSEC_A_SA_SPI, 1);
	tap_is_int(sa_info_decode(msg, &sa), -EPROTO, "short spi attribute");
	nlmsg_free(msg);
}

static void test_order(void)
{
	struct sa_info s[3];

	memset(s, 0, sizeof(s));
	s[0].spi = 300;
	s[1].spi = 300;
	s[2].spi = 256;
	ip_addr_parse("10.0.0.2", &s[0].dst);
	ip_addr_parse("10.0.0.1", &s[1].dst);
	ip_addr_parse("10.0.0.9", &s[2].dst);
	qsort(s, 3, sizeof(s[0]), sa_info_compare);
	tap_ok(s[0].spi == 256 && s[1].dst.bytes[3] == 1 &&
	       s[2].dst.bytes[3] == 2, "sorted by spi, then dst");
}

int main(void)
{
	test_full();
	test_ah();
	test_unknown_values();
	test_malformed();
	test_order();
	return tap_done();
}
