// SPDX-License-Identifier: GPL-2.0
/*
 * ipsecctl sa add|del|set|flush|get|list and spi: SAs in kipsec, their
 * identity (SPI, destination, protocol), algorithms, keys, options and
 * lifetimes put into requests; what comes back printed by sa_info.c.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include <netlink/attr.h>
#include <netlink/genl/genl.h>

#include "common/kipsec_names.h"
#include "ipsecctl/ipsecctl.h"
#include "ipsecctl/sa_info.h"
#include "kipsec.h"

static int put_lifetime(struct nl_msg *msg, int type,
			const struct ipsecctl_lifetimes *lt)
{
	static const int attr_of[IPSECCTL_LIFETIME_COUNT] = {
		[IPSECCTL_LIFETIME_BYTES] = KIPSEC_A_LIFETIME_BYTES,
		[IPSECCTL_LIFETIME_PACKETS] = KIPSEC_A_LIFETIME_PACKETS,
		[IPSECCTL_LIFETIME_SECONDS] = KIPSEC_A_LIFETIME_SECONDS,
	};
	struct nlattr *nest;
	int i, present = 0;

	for (i = 0; i < IPSECCTL_LIFETIME_COUNT; i++)
		present |= lt->has[i];
	if (!present)
		return 0;
	nest = nla_nest_start(msg, type);
	if (!nest)
		return -1;
	for (i = 0; i < IPSECCTL_LIFETIME_COUNT; i++)
		if (lt->has[i] && nla_put_u64(msg, attr_of[i], lt->value[i]))
			return -1;
	return nla_nest_end(msg, nest);
}

static int put_sa_id(struct nl_msg *msg, const struct ipsecctl_request *req)
{
	return nla_put_u32(msg, KIPSEC_A_SA_SPI, req->spi) ||
	       put_addr(msg, KIPSEC_A_SA_DST, &req->dst) ||
	       nla_put_u8(msg, KIPSEC_A_SA_PROTO, req->proto);
}

static int put_sa_add(struct nl_msg *msg, const struct ipsecctl_request *req)
{
	if (put_sa_id(msg, req) || put_addr(msg, KIPSEC_A_SA_SRC, &req->src) ||
	    nla_put_u8(msg, KIPSEC_A_SA_MODE, req->mode))
		return -1;
	if (req->has_reqid && nla_put_u32(msg, KIPSEC_A_SA_REQID, req->reqid))
		return -1;
	if (req->has_enc &&
	    (nla_put_u16(msg, KIPSEC_A_SA_ENC_ALG, req->enc_alg) ||
	     nla_put(msg, KIPSEC_A_SA_ENC_KEY, (int)req->enc_key_len,
		     req->enc_key)))
		return -1;
	if (req->has_auth &&
	    (nla_put_u16(msg, KIPSEC_A_SA_AUTH_ALG, req->auth_alg) ||
	     nla_put(msg, KIPSEC_A_SA_AUTH_KEY, (int)req->auth_key_len,
		     req->auth_key)))
		return -1;
	if (req->has_replay_window &&
	    nla_put_u32(msg, KIPSEC_A_SA_REPLAY_WINDOW, req->replay_window))
		return -1;
	if (req->flags && nla_put_u32(msg, KIPSEC_A_SA_FLAGS, req->flags))
		return -1;
	if (req->has_oseq &&
	    nla_put_u64(msg, KIPSEC_A_SA_SEQ_OUT, req->oseq))
		return -1;
	if (req->has_encap &&
	    (nla_put_u16(msg, KIPSEC_A_SA_ENCAP_SPORT, req->encap_sport) ||
	     nla_put_u16(msg, KIPSEC_A_SA_ENCAP_DPORT, req->encap_dport)))
		return -1;
	if (put_lifetime(msg, KIPSEC_A_SA_LIFETIME_SOFT, &req->soft) ||
	    put_lifetime(msg, KIPSEC_A_SA_LIFETIME_HARD, &req->hard))
		return -1;
	return 0;
}

static int put_spi_alloc(struct nl_msg *msg, const struct ipsecctl_request *req)
{
	if (put_addr(msg, KIPSEC_A_SA_DST, &req->dst) ||
	    nla_put_u8(msg, KIPSEC_A_SA_PROTO, req->proto))
		return -1;
	if (req->has_spi_min && nla_put_u32(msg, KIPSEC_A_SPI_MIN, req->spi_min))
		return -1;
	if (req->has_spi_max && nla_put_u32(msg, KIPSEC_A_SPI_MAX, req->spi_max))
		return -1;
	if (req->has_spi_timeout &&
	    nla_put_u32(msg, KIPSEC_A_SPI_TIMEOUT, (uint32_t)req->spi_timeout))
		return -1;
	return 0;
}

int cmd_sa_add(struct context *ctx)
{
	struct nl_msg *msg = new_request(ctx, KIPSEC_CMD_SA_NEW, 0);

	if (!msg)
		return EXIT_FAILURE_STATUS;
	if (put_sa_add(msg, ctx->req))
		return fail_building(ctx, msg);
	return transact(ctx, msg, NULL, NULL);
}

int cmd_sa_del(struct context *ctx)
{
	struct nl_msg *msg = new_request(ctx, KIPSEC_CMD_SA_DEL, 0);

	if (!msg)
		return EXIT_FAILURE_STATUS;
	if (put_sa_id(msg, ctx->req))
		return fail_building(ctx, msg);
	return transact(ctx, msg, NULL, NULL);
}

int cmd_sa_set(struct context *ctx)
{
	const struct ipsecctl_request *req = ctx->req;
	struct nl_msg *msg = new_request(ctx, KIPSEC_CMD_SA_SET, 0);

	if (!msg)
		return EXIT_FAILURE_STATUS;
	if (put_sa_id(msg, req) ||
	    (req->has_encap &&
	     (nla_put_u16(msg, KIPSEC_A_SA_ENCAP_SPORT, req->encap_sport) ||
	      nla_put_u16(msg, KIPSEC_A_SA_ENCAP_DPORT, req->encap_dport))) ||
	    (req->new_src.family &&
	     put_addr(msg, KIPSEC_A_SA_NEW_SRC, &req->new_src)) ||
	    (req->new_dst.family &&
	     put_addr(msg, KIPSEC_A_SA_NEW_DST, &req->new_dst)))
		return fail_building(ctx, msg);
	return transact(ctx, msg, NULL, NULL);
}

int cmd_sa_flush(struct context *ctx)
{
	struct nl_msg *msg = new_request(ctx, KIPSEC_CMD_SA_FLUSH, 0);

	if (!msg)
		return EXIT_FAILURE_STATUS;
	if (ctx->req->proto &&
	    nla_put_u8(msg, KIPSEC_A_SA_PROTO, ctx->req->proto))
		return fail_building(ctx, msg);
	return transact(ctx, msg, NULL, NULL);
}

static int sa_decode(struct nl_msg *reply, void *item)
{
	return sa_info_decode(reply, item);
}

static void sa_json(struct json_writer *w, const void *item)
{
	sa_write_json(w, item);
}

static void sa_tsv(FILE *out, const void *item)
{
	sa_print_tsv(out, item);
}

static void sa_config(FILE *out, const void *item)
{
	sa_print_config(out, item);
}

static void sa_row(struct table *t, const void *item)
{
	sa_table_row(t, item);
}

static const struct object_kind sa_kind = {
	.plural = "SAs",
	.size = sizeof(struct sa_info),
	.decode = sa_decode,
	.compare = sa_info_compare,
	.write_json = sa_json,
	.print_tsv = sa_tsv,
	.print_config = sa_config,
	.table_row = sa_row,
	.columns = sa_table_columns,
	.ncolumns = &sa_table_ncolumns,
};

int cmd_sa_get(struct context *ctx)
{
	struct nl_msg *msg = new_request(ctx, KIPSEC_CMD_SA_GET, 0);

	if (!msg)
		return EXIT_FAILURE_STATUS;
	if (put_sa_id(msg, ctx->req))
		return fail_building(ctx, msg);
	return get_object(ctx, msg, &sa_kind);
}

int cmd_sa_list(struct context *ctx)
{
	return list_objects(ctx, KIPSEC_CMD_SA_GET, &sa_kind);
}

struct spi_reply {
	bool received;
	uint32_t spi;
};

static int read_spi(struct nl_msg *reply, void *arg)
{
	struct spi_reply *r = arg;
	struct nlattr *spi = nlmsg_find_attr(nlmsg_hdr(reply), GENL_HDRLEN,
					     KIPSEC_A_SA_SPI);

	if (!spi || nla_len(spi) < (int)sizeof(uint32_t))
		return -EPROTO;
	r->spi = nla_get_u32(spi);
	r->received = true;
	return 0;
}

int cmd_spi_alloc(struct context *ctx)
{
	struct nl_msg *msg = new_request(ctx, KIPSEC_CMD_SPI_ALLOC, 0);
	struct spi_reply reply = { 0 };
	char dst[FORMAT_BUF_LEN];
	struct json_writer w;
	int status;

	if (!msg)
		return EXIT_FAILURE_STATUS;
	if (put_spi_alloc(msg, ctx->req))
		return fail_building(ctx, msg);
	status = transact(ctx, msg, read_spi, &reply);
	if (status != EXIT_OK)
		return status;
	if (!reply.received) {
		fprintf(stderr, "ipsecctl: %s: kernel sent no SPI\n",
			ctx->req->name);
		return EXIT_FAILURE_STATUS;
	}
	if (ctx->format != OUTPUT_JSON) {
		printf("0x%08" PRIx32 "\n", reply.spi);
		return EXIT_OK;
	}
	json_init(&w, stdout);
	json_object_begin(&w);
	json_key(&w, "spi");
	json_u64(&w, reply.spi);
	json_key(&w, "dst");
	json_string(&w, ip_addr_format(&ctx->req->dst, dst, sizeof(dst)));
	json_key(&w, "proto");
	json_string(&w, kipsec_proto_name(ctx->req->proto));
	json_object_end(&w);
	json_finish(&w);
	return EXIT_OK;
}
