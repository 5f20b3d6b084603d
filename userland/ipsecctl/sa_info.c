// SPDX-License-Identifier: GPL-2.0
#include "ipsecctl/sa_info.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include <netlink/attr.h>
#include <netlink/genl/genl.h>

#include "common/format.h"
#include "common/kipsec_names.h"
#include "ipsecctl/info_common.h"

static struct nla_policy sa_policy[KIPSEC_A_MAX + 1] = {
	[KIPSEC_A_SA_SPI] = { .type = NLA_U32 },
	[KIPSEC_A_SA_PROTO] = { .type = NLA_U8 },
	[KIPSEC_A_SA_MODE] = { .type = NLA_U8 },
	[KIPSEC_A_SA_REQID] = { .type = NLA_U32 },
	[KIPSEC_A_SA_ENC_ALG] = { .type = NLA_U16 },
	[KIPSEC_A_SA_AUTH_ALG] = { .type = NLA_U16 },
	[KIPSEC_A_SA_REPLAY_WINDOW] = { .type = NLA_U32 },
	[KIPSEC_A_SA_FLAGS] = { .type = NLA_U32 },
	[KIPSEC_A_SA_ENCAP_SPORT] = { .type = NLA_U16 },
	[KIPSEC_A_SA_ENCAP_DPORT] = { .type = NLA_U16 },
	[KIPSEC_A_SA_LIFETIME_SOFT] = { .type = NLA_NESTED },
	[KIPSEC_A_SA_LIFETIME_HARD] = { .type = NLA_NESTED },
	[KIPSEC_A_SA_ENC_KEY_BITS] = { .type = NLA_U16 },
	[KIPSEC_A_SA_AGE] = { .type = NLA_U64 },
	[KIPSEC_A_SA_STATS] = { .type = NLA_NESTED },
	[KIPSEC_A_SA_LIFETIME_CUR] = { .type = NLA_NESTED },
	[KIPSEC_A_SA_SEQ_OUT] = { .type = NLA_U64 },
};

static struct nla_policy lifetime_policy[KIPSEC_A_LIFETIME_MAX + 1] = {
	[KIPSEC_A_LIFETIME_BYTES] = { .type = NLA_U64 },
	[KIPSEC_A_LIFETIME_PACKETS] = { .type = NLA_U64 },
	[KIPSEC_A_LIFETIME_SECONDS] = { .type = NLA_U64 },
};

static int decode_lifetime(struct nlattr *nest, uint64_t *limits)
{
	struct nlattr *tb[KIPSEC_A_LIFETIME_MAX + 1];

	if (!nest)
		return 0;
	if (nla_parse_nested(tb, KIPSEC_A_LIFETIME_MAX, nest, lifetime_policy))
		return -EPROTO;
	if (tb[KIPSEC_A_LIFETIME_BYTES])
		limits[IPSECCTL_LIFETIME_BYTES] =
			nla_get_u64(tb[KIPSEC_A_LIFETIME_BYTES]);
	if (tb[KIPSEC_A_LIFETIME_PACKETS])
		limits[IPSECCTL_LIFETIME_PACKETS] =
			nla_get_u64(tb[KIPSEC_A_LIFETIME_PACKETS]);
	if (tb[KIPSEC_A_LIFETIME_SECONDS])
		limits[IPSECCTL_LIFETIME_SECONDS] =
			nla_get_u64(tb[KIPSEC_A_LIFETIME_SECONDS]);
	return 0;
}

/* Counters this build does not know are skipped, not refused. */
static int decode_stats(struct nlattr *nest, uint64_t *stats)
{
	struct nlattr *pos;
	int rem;

	if (!nest)
		return 0;
	nla_for_each_nested(pos, nest, rem) {
		int type = nla_type(pos);

		if (type < KIPSEC_STAT_FIRST || type > KIPSEC_A_STATS_MAX)
			continue;
		if (nla_len(pos) < (int)sizeof(uint64_t))
			return -EPROTO;
		stats[type - KIPSEC_STAT_FIRST] = nla_get_u64(pos);
	}
	return 0;
}

int sa_info_decode(struct nl_msg *msg, struct sa_info *sa)
{
	uint64_t used[IPSECCTL_LIFETIME_COUNT] = { 0 };
	struct nlattr *tb[KIPSEC_A_MAX + 1];
	struct nlmsghdr *nlh = nlmsg_hdr(msg);

	memset(sa, 0, sizeof(*sa));
	if (genlmsg_parse(nlh, 0, tb, KIPSEC_A_MAX, sa_policy))
		return -EPROTO;
	if (!tb[KIPSEC_A_SA_SPI] || !tb[KIPSEC_A_SA_DST] ||
	    !tb[KIPSEC_A_SA_PROTO])
		return -EPROTO;
	sa->spi = nla_get_u32(tb[KIPSEC_A_SA_SPI]);
	sa->proto = nla_get_u8(tb[KIPSEC_A_SA_PROTO]);
	if (info_decode_addr(tb[KIPSEC_A_SA_DST], &sa->dst) ||
	    info_decode_addr(tb[KIPSEC_A_SA_SRC], &sa->src))
		return -EPROTO;
	if (tb[KIPSEC_A_SA_MODE])
		sa->mode = nla_get_u8(tb[KIPSEC_A_SA_MODE]);
	if (tb[KIPSEC_A_SA_REQID])
		sa->reqid = nla_get_u32(tb[KIPSEC_A_SA_REQID]);
	if (tb[KIPSEC_A_SA_ENC_ALG])
		sa->enc_alg = nla_get_u16(tb[KIPSEC_A_SA_ENC_ALG]);
	if (tb[KIPSEC_A_SA_ENC_KEY_BITS])
		sa->enc_key_bits = nla_get_u16(tb[KIPSEC_A_SA_ENC_KEY_BITS]);
	if (tb[KIPSEC_A_SA_AUTH_ALG])
		sa->auth_alg = nla_get_u16(tb[KIPSEC_A_SA_AUTH_ALG]);
	if (tb[KIPSEC_A_SA_REPLAY_WINDOW])
		sa->replay_window = nla_get_u32(tb[KIPSEC_A_SA_REPLAY_WINDOW]);
	if (tb[KIPSEC_A_SA_FLAGS])
		sa->flags = nla_get_u32(tb[KIPSEC_A_SA_FLAGS]);
	if (tb[KIPSEC_A_SA_SEQ_OUT])
		sa->oseq = nla_get_u64(tb[KIPSEC_A_SA_SEQ_OUT]);
	if (tb[KIPSEC_A_SA_ENCAP_SPORT])
		sa->encap_sport = nla_get_u16(tb[KIPSEC_A_SA_ENCAP_SPORT]);
	if (tb[KIPSEC_A_SA_ENCAP_DPORT])
		sa->encap_dport = nla_get_u16(tb[KIPSEC_A_SA_ENCAP_DPORT]);
	if (tb[KIPSEC_A_SA_AGE])
		sa->age = nla_get_u64(tb[KIPSEC_A_SA_AGE]);
	if (decode_lifetime(tb[KIPSEC_A_SA_LIFETIME_SOFT], sa->soft) ||
	    decode_lifetime(tb[KIPSEC_A_SA_LIFETIME_HARD], sa->hard) ||
	    decode_lifetime(tb[KIPSEC_A_SA_LIFETIME_CUR], used) ||
	    decode_stats(tb[KIPSEC_A_SA_STATS], sa->stats))
		return -EPROTO;
	sa->used_bytes = used[IPSECCTL_LIFETIME_BYTES];
	sa->used_packets = used[IPSECCTL_LIFETIME_PACKETS];
	return 0;
}

/* Whether any byte or packet limit is set, which makes the use matter. */
static bool sa_has_counted_limit(const struct sa_info *sa)
{
	return sa->soft[IPSECCTL_LIFETIME_BYTES] ||
	       sa->soft[IPSECCTL_LIFETIME_PACKETS] ||
	       sa->hard[IPSECCTL_LIFETIME_BYTES] ||
	       sa->hard[IPSECCTL_LIFETIME_PACKETS];
}

int sa_info_compare(const void *pa, const void *pb)
{
	const struct sa_info *a = pa, *b = pb;
	int c;

	if (a->spi != b->spi)
		return a->spi < b->spi ? -1 : 1;
	if (a->dst.family != b->dst.family)
		return a->dst.family < b->dst.family ? -1 : 1;
	c = memcmp(a->dst.bytes, b->dst.bytes, sizeof(a->dst.bytes));
	if (c)
		return c;
	return (int)a->proto - (int)b->proto;
}

const char *sa_enc_name(const struct sa_info *sa, char *buf, size_t len)
{
	return info_name(kipsec_enc_alg_name(sa->enc_alg), "unknown-",
			 sa->enc_alg, buf, len);
}

const char *sa_auth_name(const struct sa_info *sa, char *buf, size_t len)
{
	return info_name(kipsec_auth_alg_name(sa->auth_alg), "unknown-",
			 sa->auth_alg, buf, len);
}

static const char *sa_proto_name(const struct sa_info *sa, char *buf,
				 size_t len)
{
	return info_name(kipsec_proto_name(sa->proto), "unknown-", sa->proto,
			 buf, len);
}

static const char *sa_mode_name(const struct sa_info *sa, char *buf,
				size_t len)
{
	return info_name(kipsec_mode_name(sa->mode), "unknown-", sa->mode, buf,
			 len);
}

void sa_print_tsv(FILE *out, const struct sa_info *sa)
{
	char src[FORMAT_BUF_LEN], dst[FORMAT_BUF_LEN];
	char proto[24], mode[24], enc[24], auth[24];
	int i;

	fprintf(out, "0x%08" PRIx32 "\t%s\t%s\t%s\t%s\t%s\t%u\t%s\t%" PRIu32
		"\t%" PRIu32 "\t%d\t%u\t%u",
		sa->spi, sa_proto_name(sa, proto, sizeof(proto)),
		sa_mode_name(sa, mode, sizeof(mode)),
		ip_addr_format(&sa->src, src, sizeof(src)),
		ip_addr_format(&sa->dst, dst, sizeof(dst)),
		sa_enc_name(sa, enc, sizeof(enc)), sa->enc_key_bits,
		sa_auth_name(sa, auth, sizeof(auth)), sa->reqid,
		sa->replay_window, !!(sa->flags & KIPSEC_SA_F_ESN),
		sa->encap_sport, sa->encap_dport);
	for (i = 0; i < IPSECCTL_LIFETIME_COUNT; i++)
		fprintf(out, "\t%" PRIu64, sa->soft[i]);
	for (i = 0; i < IPSECCTL_LIFETIME_COUNT; i++)
		fprintf(out, "\t%" PRIu64, sa->hard[i]);
	fprintf(out, "\t%" PRIu64, sa->age);
	for (i = 0; i < KIPSEC_STAT_COUNT; i++)
		fprintf(out, "\t%" PRIu64, sa->stats[i]);
	/* Appended last: scripts count fields. */
	fprintf(out, "\t%d\n", !!(sa->flags & KIPSEC_SA_F_PARALLEL));
}

static const char *const lifetime_words[IPSECCTL_LIFETIME_COUNT] = {
	"bytes", "packets", "seconds"
};

void sa_print_config(FILE *out, const struct sa_info *sa)
{
	char src[FORMAT_BUF_LEN], dst[FORMAT_BUF_LEN], age[FORMAT_BUF_LEN];
	char proto[24], mode[24], enc[24], auth[24];
	int i;

	fprintf(out, "sa add spi 0x%08" PRIx32 " src %s dst %s proto %s mode %s",
		sa->spi, ip_addr_format(&sa->src, src, sizeof(src)),
		ip_addr_format(&sa->dst, dst, sizeof(dst)),
		sa_proto_name(sa, proto, sizeof(proto)),
		sa_mode_name(sa, mode, sizeof(mode)));
	/* The key size stands where the key would be: keys never leave. */
	if (sa->enc_alg != KIPSEC_ENC_NONE) {
		fprintf(out, " enc %s", sa_enc_name(sa, enc, sizeof(enc)));
		if (sa->enc_key_bits)
			fprintf(out, " %u", sa->enc_key_bits);
	}
	if (sa->auth_alg != KIPSEC_AUTH_NONE)
		fprintf(out, " auth %s", sa_auth_name(sa, auth, sizeof(auth)));
	if (sa->reqid)
		fprintf(out, " reqid %" PRIu32, sa->reqid);
	fprintf(out, " replay-window %" PRIu32, sa->replay_window);
	if (sa->flags & KIPSEC_SA_F_ESN)
		fputs(" esn", out);
	if (sa->flags & KIPSEC_SA_F_PARALLEL)
		fputs(" parallel", out);
	if (sa->oseq)
		fprintf(out, " oseq %" PRIu64, sa->oseq);
	if (sa->encap_sport || sa->encap_dport)
		fprintf(out, " encap-sport %u encap-dport %u", sa->encap_sport,
			sa->encap_dport);
	for (i = 0; i < IPSECCTL_LIFETIME_COUNT; i++)
		if (sa->soft[i])
			fprintf(out, " soft-%s %" PRIu64, lifetime_words[i],
				sa->soft[i]);
	for (i = 0; i < IPSECCTL_LIFETIME_COUNT; i++)
		if (sa->hard[i])
			fprintf(out, " hard-%s %" PRIu64, lifetime_words[i],
				sa->hard[i]);
	fprintf(out, "\n\tage %s packets %" PRIu64 " bytes %" PRIu64 "\n\t",
		human_duration(sa->age, age, sizeof(age)),
		sa->stats[KIPSEC_A_STATS_PACKETS - KIPSEC_STAT_FIRST],
		sa->stats[KIPSEC_A_STATS_BYTES - KIPSEC_STAT_FIRST]);
	if (sa_has_counted_limit(sa))
		fprintf(out, "lifetime-used bytes %" PRIu64 " packets %" PRIu64
			"\n\t", sa->used_bytes, sa->used_packets);
	for (i = KIPSEC_A_STATS_DROP_REPLAY - KIPSEC_STAT_FIRST;
	     i < KIPSEC_STAT_COUNT; i++)
		fprintf(out, "%s%s %" PRIu64,
			i == KIPSEC_A_STATS_DROP_REPLAY - KIPSEC_STAT_FIRST ?
			"" : " ", kipsec_stat_names[i], sa->stats[i]);
	fputc('\n', out);
}

static void write_lifetime_json(struct json_writer *w, const char *key,
				const uint64_t *limits)
{
	int i;

	json_key(w, key);
	json_object_begin(w);
	for (i = 0; i < IPSECCTL_LIFETIME_COUNT; i++) {
		json_key(w, lifetime_words[i]);
		json_u64(w, limits[i]);
	}
	json_object_end(w);
}

void sa_write_json(struct json_writer *w, const struct sa_info *sa)
{
	char addr[FORMAT_BUF_LEN], name[24];
	int i;

	json_object_begin(w);
	json_key(w, "spi");
	json_u64(w, sa->spi);
	json_key(w, "proto");
	json_string(w, sa_proto_name(sa, name, sizeof(name)));
	json_key(w, "mode");
	json_string(w, sa_mode_name(sa, name, sizeof(name)));
	json_key(w, "src");
	json_string(w, ip_addr_format(&sa->src, addr, sizeof(addr)));
	json_key(w, "dst");
	json_string(w, ip_addr_format(&sa->dst, addr, sizeof(addr)));
	json_key(w, "enc");
	json_string(w, sa_enc_name(sa, name, sizeof(name)));
	json_key(w, "enc_key_bits");
	json_u64(w, sa->enc_key_bits);
	json_key(w, "auth");
	json_string(w, sa_auth_name(sa, name, sizeof(name)));
	json_key(w, "reqid");
	json_u64(w, sa->reqid);
	json_key(w, "replay_window");
	json_u64(w, sa->replay_window);
	json_key(w, "esn");
	json_bool(w, sa->flags & KIPSEC_SA_F_ESN);
	json_key(w, "parallel");
	json_bool(w, sa->flags & KIPSEC_SA_F_PARALLEL);
	json_key(w, "oseq");
	json_u64(w, sa->oseq);
	json_key(w, "encap_sport");
	json_u64(w, sa->encap_sport);
	json_key(w, "encap_dport");
	json_u64(w, sa->encap_dport);
	write_lifetime_json(w, "lifetime_soft", sa->soft);
	write_lifetime_json(w, "lifetime_hard", sa->hard);
	json_key(w, "lifetime_used");
	json_object_begin(w);
	json_key(w, "bytes");
	json_u64(w, sa->used_bytes);
	json_key(w, "packets");
	json_u64(w, sa->used_packets);
	json_object_end(w);
	json_key(w, "age");
	json_u64(w, sa->age);
	json_key(w, "stats");
	json_object_begin(w);
	for (i = 0; i < KIPSEC_STAT_COUNT; i++) {
		json_key(w, kipsec_stat_names[i]);
		json_u64(w, sa->stats[i]);
	}
	json_object_end(w);
	json_object_end(w);
}

const struct table_column sa_table_columns[] = {
	{ "SPI", TABLE_LEFT },
	{ "PROTO", TABLE_LEFT },
	{ "MODE", TABLE_LEFT },
	{ "SRC", TABLE_LEFT },
	{ "DST", TABLE_LEFT },
	{ "ENC", TABLE_LEFT },
	{ "AUTH", TABLE_LEFT },
	{ "REQID", TABLE_RIGHT },
	{ "PACKETS", TABLE_RIGHT },
	{ "BYTES", TABLE_RIGHT },
	{ "DROPS", TABLE_RIGHT },
	{ "AGE", TABLE_RIGHT },
};

const size_t sa_table_ncolumns =
	sizeof(sa_table_columns) / sizeof(sa_table_columns[0]);

void sa_table_row(struct table *t, const struct sa_info *sa)
{
	char buf[FORMAT_BUF_LEN], name[24];
	uint64_t drops = 0;
	int i;

	for (i = KIPSEC_A_STATS_DROP_REPLAY - KIPSEC_STAT_FIRST;
	     i < KIPSEC_STAT_COUNT; i++)
		drops += sa->stats[i];
	table_cellf(t, "0x%08" PRIx32, sa->spi);
	table_cell(t, sa_proto_name(sa, name, sizeof(name)));
	if (sa->flags & KIPSEC_SA_F_PARALLEL)
		table_cellf(t, "%s,parallel", sa_mode_name(sa, name, sizeof(name)));
	else
		table_cell(t, sa_mode_name(sa, name, sizeof(name)));
	table_cell(t, ip_addr_format(&sa->src, buf, sizeof(buf)));
	table_cell(t, ip_addr_format(&sa->dst, buf, sizeof(buf)));
	if (sa->enc_alg == KIPSEC_ENC_NONE)
		table_cell(t, "-");
	else if (sa->enc_key_bits)
		table_cellf(t, "%s/%u", sa_enc_name(sa, name, sizeof(name)),
			    sa->enc_key_bits);
	else
		table_cell(t, sa_enc_name(sa, name, sizeof(name)));
	table_cell(t, sa->auth_alg == KIPSEC_AUTH_NONE ? "-" :
		      sa_auth_name(sa, name, sizeof(name)));
	if (sa->reqid)
		table_cellf(t, "%" PRIu32, sa->reqid);
	else
		table_cell(t, "-");
	table_cell(t, human_count(sa->stats[KIPSEC_A_STATS_PACKETS -
					    KIPSEC_STAT_FIRST],
				  buf, sizeof(buf)));
	table_cell(t, human_bytes(sa->stats[KIPSEC_A_STATS_BYTES -
					    KIPSEC_STAT_FIRST],
				  buf, sizeof(buf)));
	table_cell(t, human_count(drops, buf, sizeof(buf)));
	table_cell(t, human_duration(sa->age, buf, sizeof(buf)));
}
