// SPDX-License-Identifier: GPL-2.0
#include "ipsecctl/policy_info.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include <netlink/attr.h>
#include <netlink/genl/genl.h>

#include "common/format.h"
#include "common/kipsec_names.h"
#include "ipsecctl/info_common.h"
#include "kipsec.h"

static struct nla_policy pol_policy[KIPSEC_A_MAX + 1] = {
	[KIPSEC_A_POL_INDEX] = { .type = NLA_U32 },
	[KIPSEC_A_POL_DIR] = { .type = NLA_U8 },
	[KIPSEC_A_POL_PRIORITY] = { .type = NLA_U32 },
	[KIPSEC_A_POL_ACTION] = { .type = NLA_U8 },
	[KIPSEC_A_POL_SRC_PLEN] = { .type = NLA_U8 },
	[KIPSEC_A_POL_DST_PLEN] = { .type = NLA_U8 },
	[KIPSEC_A_POL_PROTO] = { .type = NLA_U8 },
	[KIPSEC_A_POL_SPORT_MIN] = { .type = NLA_U16 },
	[KIPSEC_A_POL_SPORT_MAX] = { .type = NLA_U16 },
	[KIPSEC_A_POL_DPORT_MIN] = { .type = NLA_U16 },
	[KIPSEC_A_POL_DPORT_MAX] = { .type = NLA_U16 },
	[KIPSEC_A_POL_TMPL_PROTO] = { .type = NLA_U8 },
	[KIPSEC_A_POL_TMPL_MODE] = { .type = NLA_U8 },
	[KIPSEC_A_POL_TMPL_REQID] = { .type = NLA_U32 },
	[KIPSEC_A_POL_TMPL_LEVEL] = { .type = NLA_U8 },
	[KIPSEC_A_POL_LIFETIME] = { .type = NLA_U32 },
	[KIPSEC_A_POL_EXPIRES_IN] = { .type = NLA_U32 },
};

static void decode_ports(struct nlattr **tb, int min_type,
			 struct ipsecctl_ports *p)
{
	if (!tb[min_type])
		return;
	p->has = true;
	p->min = nla_get_u16(tb[min_type]);
	p->max = tb[min_type + 1] ? nla_get_u16(tb[min_type + 1]) : p->min;
}

int policy_info_decode(struct nl_msg *msg, struct policy_info *pol)
{
	struct nlattr *tb[KIPSEC_A_MAX + 1];
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct ipsecctl_policy *p = &pol->p;

	memset(pol, 0, sizeof(*pol));
	if (genlmsg_parse(nlh, 0, tb, KIPSEC_A_MAX, pol_policy))
		return -EPROTO;
	if (!tb[KIPSEC_A_POL_INDEX] || !tb[KIPSEC_A_POL_DIR] ||
	    !tb[KIPSEC_A_POL_ACTION] || !tb[KIPSEC_A_POL_SRC] ||
	    !tb[KIPSEC_A_POL_DST])
		return -EPROTO;
	pol->index = nla_get_u32(tb[KIPSEC_A_POL_INDEX]);
	p->has_index = true;
	p->index = pol->index;
	p->dir = nla_get_u8(tb[KIPSEC_A_POL_DIR]);
	p->action = nla_get_u8(tb[KIPSEC_A_POL_ACTION]);
	if (tb[KIPSEC_A_POL_PRIORITY]) {
		p->has_priority = true;
		p->priority = nla_get_u32(tb[KIPSEC_A_POL_PRIORITY]);
	}
	if (info_decode_addr(tb[KIPSEC_A_POL_SRC], &p->src) ||
	    info_decode_addr(tb[KIPSEC_A_POL_DST], &p->dst) ||
	    info_decode_addr(tb[KIPSEC_A_POL_TMPL_SRC], &p->tmpl_src) ||
	    info_decode_addr(tb[KIPSEC_A_POL_TMPL_DST], &p->tmpl_dst))
		return -EPROTO;
	p->src_plen = tb[KIPSEC_A_POL_SRC_PLEN] ?
		      nla_get_u8(tb[KIPSEC_A_POL_SRC_PLEN]) :
		      (uint8_t)(ip_addr_len(&p->src) * 8);
	p->dst_plen = tb[KIPSEC_A_POL_DST_PLEN] ?
		      nla_get_u8(tb[KIPSEC_A_POL_DST_PLEN]) :
		      (uint8_t)(ip_addr_len(&p->dst) * 8);
	if (tb[KIPSEC_A_POL_PROTO]) {
		p->has_proto = true;
		p->proto = nla_get_u8(tb[KIPSEC_A_POL_PROTO]);
	}
	decode_ports(tb, KIPSEC_A_POL_SPORT_MIN, &p->sport);
	decode_ports(tb, KIPSEC_A_POL_DPORT_MIN, &p->dport);
	if (tb[KIPSEC_A_POL_TMPL_PROTO])
		p->tmpl_proto = nla_get_u8(tb[KIPSEC_A_POL_TMPL_PROTO]);
	if (tb[KIPSEC_A_POL_TMPL_MODE])
		p->tmpl_mode = nla_get_u8(tb[KIPSEC_A_POL_TMPL_MODE]);
	if (tb[KIPSEC_A_POL_TMPL_REQID]) {
		p->has_reqid = true;
		p->reqid = nla_get_u32(tb[KIPSEC_A_POL_TMPL_REQID]);
	}
	if (tb[KIPSEC_A_POL_TMPL_LEVEL])
		p->level = nla_get_u8(tb[KIPSEC_A_POL_TMPL_LEVEL]);
	if (tb[KIPSEC_A_POL_LIFETIME]) {
		p->has_lifetime = true;
		p->lifetime = nla_get_u32(tb[KIPSEC_A_POL_LIFETIME]);
		pol->expires_in = tb[KIPSEC_A_POL_EXPIRES_IN] ?
				  nla_get_u32(tb[KIPSEC_A_POL_EXPIRES_IN]) : 0;
	}
	return 0;
}

bool policy_info_expired(const struct policy_info *pol)
{
	return pol->p.has_lifetime && !pol->expires_in;
}

/* Names for values this build may not know are printed as numbers. */
static const char *dir_str(const struct ipsecctl_policy *p, char *buf,
			   size_t len)
{
	return info_name(kipsec_dir_name(p->dir), "", p->dir, buf, len);
}

/* The kernel sends no action or level without a name: "?" just in case. */
static const char *action_str(const struct ipsecctl_policy *p)
{
	return kipsec_action_name(p->action) ?: "?";
}

static const char *level_str(const struct ipsecctl_policy *p)
{
	return kipsec_level_name(p->level) ?: "?";
}

static const char *prefix_str(const struct ip_addr *a, uint8_t plen,
			      char *buf, size_t len)
{
	char addr[FORMAT_BUF_LEN];

	snprintf(buf, len, "%s/%u", ip_addr_format(a, addr, sizeof(addr)),
		 plen);
	return buf;
}

static const char *ports_str(const struct ipsecctl_ports *p, char *buf,
			     size_t len)
{
	if (!p->has)
		return "any";
	if (p->min == p->max)
		snprintf(buf, len, "%u", p->min);
	else
		snprintf(buf, len, "%u-%u", p->min, p->max);
	return buf;
}

static const char *proto_str(const struct ipsecctl_policy *p, char *buf,
			     size_t len)
{
	unsigned int v = p->has_proto ? p->proto : 0;

	return info_name(kipsec_ip_proto_name(v), "", v, buf, len);
}

static bool is_protect(const struct ipsecctl_policy *p)
{
	return p->action == KIPSEC_ACTION_PROTECT;
}

static const char *tmpl_proto_str(const struct ipsecctl_policy *p)
{
	return p->tmpl_proto == 51 ? "ah" : "esp";
}

static bool is_tunnel(const struct ipsecctl_policy *p)
{
	return p->tmpl_mode == KIPSEC_MODE_TUNNEL;
}

static const char *tmpl_mode_str(const struct ipsecctl_policy *p)
{
	return is_tunnel(p) ? "tunnel" : "transport";
}

void policy_print_tsv(FILE *out, const struct policy_info *pol)
{
	const struct ipsecctl_policy *p = &pol->p;
	char a[FORMAT_BUF_LEN + 8], b[FORMAT_BUF_LEN + 8], n[16], s[16], d[16];
	char ts[FORMAT_BUF_LEN], td[FORMAT_BUF_LEN];
	bool prot = is_protect(p);
	bool tun = prot && is_tunnel(p);

	fprintf(out, "%" PRIu32 "\t%s\t%" PRIu32 "\t%s\t%s\t%s\t%s\t%s\t%s\t",
		pol->index, dir_str(p, n, sizeof(n)), p->priority, prefix_str(&p->src, p->src_plen, a, sizeof(a)),
		prefix_str(&p->dst, p->dst_plen, b, sizeof(b)),
		proto_str(p, s, sizeof(s)), ports_str(&p->sport, d, sizeof(d)),
		ports_str(&p->dport, ts, sizeof(ts)), action_str(p));
	if (!prot)
		fputs("-\t-\t-\t-\t-\t-\t", out);
	else
		fprintf(out, "%s\t%s\t%s\t%s\t%" PRIu32 "\t%s\t",
			tmpl_proto_str(p), tmpl_mode_str(p),
			tun ? ip_addr_format(&p->tmpl_src, ts, sizeof(ts)) : "-",
			tun ? ip_addr_format(&p->tmpl_dst, td, sizeof(td)) : "-",
			p->reqid, level_str(p));
	/* Last, so that scripts reading the first 15 fields go on working. */
	if (p->has_lifetime)
		fprintf(out, "%" PRIu32 "\t%" PRIu32 "\n", p->lifetime,
			pol->expires_in);
	else
		fputs("-\t-\n", out);
}

/* "index N: policy add ...", which "policy add" takes back as it is. */
void policy_print_config(FILE *out, const struct policy_info *pol)
{
	const struct ipsecctl_policy *p = &pol->p;
	char a[FORMAT_BUF_LEN + 8], n[16];

	fprintf(out, "index %" PRIu32 ": policy add dir %s", pol->index,
		dir_str(p, n, sizeof(n)));
	fprintf(out, " src %s", prefix_str(&p->src, p->src_plen, a, sizeof(a)));
	fprintf(out, " dst %s", prefix_str(&p->dst, p->dst_plen, a, sizeof(a)));
	if (p->has_proto && p->proto)
		fprintf(out, " proto %s", proto_str(p, n, sizeof(n)));
	if (p->sport.has)
		fprintf(out, " sport %s", ports_str(&p->sport, n, sizeof(n)));
	if (p->dport.has)
		fprintf(out, " dport %s", ports_str(&p->dport, n, sizeof(n)));
	fprintf(out, " priority %" PRIu32 " action %s", p->priority,
		action_str(p));
	if (is_protect(p)) {
		fprintf(out, " %s", tmpl_proto_str(p));
		if (is_tunnel(p)) {
			fprintf(out, " tunnel %s",
				ip_addr_format(&p->tmpl_src, a, sizeof(a)));
			fprintf(out, " %s",
				ip_addr_format(&p->tmpl_dst, a, sizeof(a)));
		} else {
			fputs(" transport", out);
		}
		fprintf(out, " reqid %" PRIu32 " level %s", p->reqid,
			level_str(p));
	}
	/* The time left: the command makes a policy that ends with this. */
	if (p->has_lifetime)
		fprintf(out, " lifetime %" PRIu32, pol->expires_in);
	fputc('\n', out);
}

static void json_ports(struct json_writer *w, const char *key,
		       const struct ipsecctl_ports *p)
{
	if (!p->has)
		return;
	json_key(w, key);
	json_object_begin(w);
	json_key(w, "min");
	json_u64(w, p->min);
	json_key(w, "max");
	json_u64(w, p->max);
	json_object_end(w);
}

void policy_write_json(struct json_writer *w, const struct policy_info *pol)
{
	const struct ipsecctl_policy *p = &pol->p;
	char a[FORMAT_BUF_LEN], n[16];

	json_object_begin(w);
	json_key(w, "index");
	json_u64(w, pol->index);
	json_key(w, "dir");
	json_string(w, dir_str(p, n, sizeof(n)));
	json_key(w, "priority");
	json_u64(w, p->priority);
	json_key(w, "src");
	json_string(w, ip_addr_format(&p->src, a, sizeof(a)));
	json_key(w, "src_plen");
	json_u64(w, p->src_plen);
	json_key(w, "dst");
	json_string(w, ip_addr_format(&p->dst, a, sizeof(a)));
	json_key(w, "dst_plen");
	json_u64(w, p->dst_plen);
	json_key(w, "proto");
	json_u64(w, p->has_proto ? p->proto : 0);
	json_ports(w, "sport", &p->sport);
	json_ports(w, "dport", &p->dport);
	json_key(w, "action");
	json_string(w, info_name(kipsec_action_name(p->action), "",
				 p->action, n, sizeof(n)));
	if (is_protect(p)) {
		json_key(w, "tmpl");
		json_object_begin(w);
		json_key(w, "proto");
		json_string(w, tmpl_proto_str(p));
		json_key(w, "mode");
		json_string(w, tmpl_mode_str(p));
		if (is_tunnel(p)) {
			json_key(w, "src");
			json_string(w, ip_addr_format(&p->tmpl_src, a,
						      sizeof(a)));
			json_key(w, "dst");
			json_string(w, ip_addr_format(&p->tmpl_dst, a,
						      sizeof(a)));
		}
		json_key(w, "reqid");
		json_u64(w, p->reqid);
		json_key(w, "level");
		json_string(w, level_str(p));
		json_object_end(w);
	}
	if (p->has_lifetime) {
		json_key(w, "lifetime");
		json_u64(w, p->lifetime);
		json_key(w, "expires_in");
		json_u64(w, pol->expires_in);
	}
	json_object_end(w);
}

const struct table_column policy_table_columns[] = {
	{ "INDEX", TABLE_RIGHT },
	{ "DIR", TABLE_LEFT },
	{ "PRIO", TABLE_RIGHT },
	{ "SRC", TABLE_LEFT },
	{ "DST", TABLE_LEFT },
	{ "PROTO", TABLE_LEFT },
	{ "SPORT", TABLE_LEFT },
	{ "DPORT", TABLE_LEFT },
	{ "ACTION", TABLE_LEFT },
	{ "SA", TABLE_LEFT },
	{ "EXPIRES", TABLE_LEFT },
};

const size_t policy_table_ncolumns =
	sizeof(policy_table_columns) / sizeof(policy_table_columns[0]);

void policy_table_row(struct table *t, const struct policy_info *pol)
{
	const struct ipsecctl_policy *p = &pol->p;
	char a[FORMAT_BUF_LEN + 8], b[FORMAT_BUF_LEN], n[16];

	table_cellf(t, "%" PRIu32, pol->index);
	table_cell(t, dir_str(p, n, sizeof(n)));
	table_cellf(t, "%" PRIu32, p->priority);
	table_cell(t, prefix_str(&p->src, p->src_plen, a, sizeof(a)));
	table_cell(t, prefix_str(&p->dst, p->dst_plen, a, sizeof(a)));
	table_cell(t, proto_str(p, n, sizeof(n)));
	table_cell(t, ports_str(&p->sport, n, sizeof(n)));
	table_cell(t, ports_str(&p->dport, n, sizeof(n)));
	table_cell(t, action_str(p));
	if (!is_protect(p))
		table_cell(t, "-");
	else if (is_tunnel(p))
		table_cellf(t, "%s/tunnel/%s-%s reqid %" PRIu32 " %s",
			    tmpl_proto_str(p),
			    ip_addr_format(&p->tmpl_src, a, sizeof(a)),
			    ip_addr_format(&p->tmpl_dst, b, sizeof(b)),
			    p->reqid, level_str(p));
	else
		table_cellf(t, "%s/transport reqid %" PRIu32 " %s",
			    tmpl_proto_str(p), p->reqid, level_str(p));
	if (p->has_lifetime)
		table_cellf(t, "in %s", human_duration(pol->expires_in, a,
							sizeof(a)));
	else
		table_cell(t, "-");
}
