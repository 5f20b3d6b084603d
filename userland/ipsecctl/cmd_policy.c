// SPDX-License-Identifier: GPL-2.0
/*
 * ipsecctl policy add|del|flush|get|list: the security policies in kipsec,
 * selector, action and template put into requests; what comes back
 * printed by policy_info.c.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include <netlink/attr.h>
#include <netlink/genl/genl.h>

#include "ipsecctl/ipsecctl.h"
#include "ipsecctl/policy_info.h"
#include "kipsec.h"

static int policy_decode(struct nl_msg *reply, void *item)
{
	return policy_info_decode(reply, item) ? -EPROTO : 0;
}

static void policy_json(struct json_writer *w, const void *item)
{
	policy_write_json(w, item);
}

static void policy_tsv(FILE *out, const void *item)
{
	policy_print_tsv(out, item);
}

static void policy_config(FILE *out, const void *item)
{
	policy_print_config(out, item);
}

static void policy_row(struct table *t, const void *item)
{
	policy_table_row(t, item);
}

/* The kernel dumps policies in lookup order, which is the order to show. */
static const struct object_kind policy_kind = {
	.plural = "policies",
	.size = sizeof(struct policy_info),
	.decode = policy_decode,
	.write_json = policy_json,
	.print_tsv = policy_tsv,
	.print_config = policy_config,
	.table_row = policy_row,
	.columns = policy_table_columns,
	.ncolumns = &policy_table_ncolumns,
};

static int put_prefix(struct nl_msg *msg, int addr_type, int plen_type,
		      const struct ip_addr *a, uint8_t plen)
{
	return put_addr(msg, addr_type, a) || nla_put_u8(msg, plen_type, plen);
}

static int put_ports(struct nl_msg *msg, int min_type,
		     const struct ipsecctl_ports *p)
{
	if (!p->has)
		return 0;
	return nla_put_u16(msg, min_type, p->min) ||
	       nla_put_u16(msg, min_type + 1, p->max);
}

/* Direction and selector: POLICY_NEW, and POLICY_DEL without an index. */
static int put_selector(struct nl_msg *msg, const struct ipsecctl_policy *p)
{
	if (nla_put_u8(msg, KIPSEC_A_POL_DIR, p->dir) ||
	    put_prefix(msg, KIPSEC_A_POL_SRC, KIPSEC_A_POL_SRC_PLEN, &p->src,
		       p->src_plen) ||
	    put_prefix(msg, KIPSEC_A_POL_DST, KIPSEC_A_POL_DST_PLEN, &p->dst,
		       p->dst_plen))
		return -1;
	if (p->has_proto && nla_put_u8(msg, KIPSEC_A_POL_PROTO, p->proto))
		return -1;
	if (put_ports(msg, KIPSEC_A_POL_SPORT_MIN, &p->sport) ||
	    put_ports(msg, KIPSEC_A_POL_DPORT_MIN, &p->dport))
		return -1;
	if (p->has_priority &&
	    nla_put_u32(msg, KIPSEC_A_POL_PRIORITY, p->priority))
		return -1;
	return 0;
}

static int put_policy_add(struct nl_msg *msg, const struct ipsecctl_policy *p)
{
	if (put_selector(msg, p) ||
	    nla_put_u8(msg, KIPSEC_A_POL_ACTION, p->action))
		return -1;
	if (p->has_lifetime &&
	    nla_put_u32(msg, KIPSEC_A_POL_LIFETIME, p->lifetime))
		return -1;
	if (p->action != KIPSEC_ACTION_PROTECT)
		return 0;
	if (nla_put_u8(msg, KIPSEC_A_POL_TMPL_PROTO, p->tmpl_proto) ||
	    nla_put_u8(msg, KIPSEC_A_POL_TMPL_MODE, p->tmpl_mode))
		return -1;
	if (p->tmpl_mode == KIPSEC_MODE_TUNNEL &&
	    (put_addr(msg, KIPSEC_A_POL_TMPL_SRC, &p->tmpl_src) ||
	     put_addr(msg, KIPSEC_A_POL_TMPL_DST, &p->tmpl_dst)))
		return -1;
	if (p->has_reqid &&
	    nla_put_u32(msg, KIPSEC_A_POL_TMPL_REQID, p->reqid))
		return -1;
	if (p->level && nla_put_u8(msg, KIPSEC_A_POL_TMPL_LEVEL, p->level))
		return -1;
	return 0;
}

struct pol_index_reply {
	bool received;
	uint32_t index;
};

static int read_pol_index(struct nl_msg *reply, void *arg)
{
	struct pol_index_reply *r = arg;
	struct nlattr *a;

	a = nlmsg_find_attr(nlmsg_hdr(reply), GENL_HDRLEN, KIPSEC_A_POL_INDEX);
	if (a && nla_len(a) >= (int)sizeof(uint32_t)) {
		r->index = nla_get_u32(a);
		r->received = true;
	}
	return 0;
}

int cmd_policy_add(struct context *ctx)
{
	struct nl_msg *msg = new_request(ctx, KIPSEC_CMD_POLICY_NEW, 0);
	struct pol_index_reply r = { 0 };
	struct json_writer w;
	int status;

	if (!msg)
		return EXIT_FAILURE_STATUS;
	if (put_policy_add(msg, &ctx->req->pol))
		return fail_building(ctx, msg);
	status = transact(ctx, msg, read_pol_index, &r);
	if (status != EXIT_OK)
		return status;
	if (!r.received) {
		fprintf(stderr, "ipsecctl: %s: kernel sent no index\n",
			ctx->req->name);
		return EXIT_FAILURE_STATUS;
	}
	if (ctx->format == OUTPUT_JSON) {
		json_init(&w, stdout);
		json_object_begin(&w);
		json_key(&w, "index");
		json_u64(&w, r.index);
		json_object_end(&w);
		return json_finish(&w) ? EXIT_FAILURE_STATUS : EXIT_OK;
	}
	printf("%" PRIu32 "\n", r.index);
	return EXIT_OK;
}

int cmd_policy_del(struct context *ctx)
{
	struct nl_msg *msg = new_request(ctx, KIPSEC_CMD_POLICY_DEL, 0);
	const struct ipsecctl_policy *p = &ctx->req->pol;
	int err;

	if (!msg)
		return EXIT_FAILURE_STATUS;
	if (p->has_index)
		err = nla_put_u32(msg, KIPSEC_A_POL_INDEX, p->index);
	else
		err = put_selector(msg, p);
	if (err)
		return fail_building(ctx, msg);
	return transact(ctx, msg, NULL, NULL);
}

int cmd_policy_flush(struct context *ctx)
{
	struct nl_msg *msg = new_request(ctx, KIPSEC_CMD_POLICY_FLUSH, 0);

	if (!msg)
		return EXIT_FAILURE_STATUS;
	if (ctx->req->pol.dir &&
	    nla_put_u8(msg, KIPSEC_A_POL_DIR, ctx->req->pol.dir))
		return fail_building(ctx, msg);
	return transact(ctx, msg, NULL, NULL);
}

int cmd_policy_get(struct context *ctx)
{
	struct nl_msg *msg = new_request(ctx, KIPSEC_CMD_POLICY_GET, 0);

	if (!msg)
		return EXIT_FAILURE_STATUS;
	if (nla_put_u32(msg, KIPSEC_A_POL_INDEX, ctx->req->pol.index))
		return fail_building(ctx, msg);
	return get_object(ctx, msg, &policy_kind);
}

int cmd_policy_list(struct context *ctx)
{
	return list_objects(ctx, KIPSEC_CMD_POLICY_GET, &policy_kind);
}
