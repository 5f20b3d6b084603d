// SPDX-License-Identifier: GPL-2.0
/*
 * ipsecctl: controls kipsec SAs and policies over the "kipsec"
 * generic-netlink family. The command line is parsed in args.c and
 * args_policy.c; output formats are in sa_info.c and policy_info.c and
 * documented in README.md and --help.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <netlink/attr.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <sodium.h>

#include "common/format.h"
#include "common/json.h"
#include "common/kipsec_names.h"
#include "common/netlink_client.h"
#include "common/table.h"
#include "ipsecctl/args.h"
#include "ipsecctl/event_info.h"
#include "ipsecctl/policy_info.h"
#include "ipsecctl/sa_info.h"
#include "kipsec.h"

/* Restarts of an SA dump that changes under it before giving up. */
#define DUMP_ATTEMPTS 10

enum exit_status {
	EXIT_OK = 0,
	EXIT_FAILURE_STATUS = 1,
	EXIT_USAGE = 2,
};

enum output_format {
	OUTPUT_TABLE,		/* a terminal */
	OUTPUT_TSV,		/* a pipe or file: stable, for scripts */
	OUTPUT_JSON,
};

struct context {
	const struct ipsecctl_request *req;
	enum output_format format;
	struct netlink_client nl;
};

/* "KIPSEC_A_SA_LIFETIME_SOFT/KIPSEC_A_LIFETIME_BYTES" for a path of types. */
static void attr_path_name(const int *types, int depth, char *buf, size_t len)
{
	size_t used = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < depth && used < len; i++) {
		const char *name = NULL;

		if (i == 0)
			name = kipsec_attr_name((unsigned int)types[0]);
		else if (i == 1 && (types[0] == KIPSEC_A_SA_LIFETIME_SOFT ||
				    types[0] == KIPSEC_A_SA_LIFETIME_HARD))
			name = kipsec_lifetime_attr_name((unsigned int)types[1]);
		if (name)
			used += (size_t)snprintf(buf + used, len - used, "%s%s",
						 i ? "/" : "", name);
		else
			used += (size_t)snprintf(buf + used, len - used,
						 "%sattribute %d", i ? "/" : "",
						 types[i]);
	}
}

/*
 * Prints "ipsecctl: CMD: [ATTRIBUTE: ][kernel message: ]strerror". The
 * attribute comes from the ext-ack offset resolved against our request,
 * unless the kernel's message already names it.
 */
static void report_error(const struct context *ctx, struct nl_msg *request,
			 const struct netlink_error *e, int err)
{
	char attr[160] = "";
	int types[4], depth = 0;

	if (request && e->has_offset)
		depth = netlink_attr_path_at(request, 0, e->offset, types, 4);
	if (depth) {
		attr_path_name(types, depth, attr, sizeof(attr));
	} else if (e->has_missing_type) {
		int path_depth = 0;

		if (request && e->has_missing_nest)
			path_depth = netlink_attr_path_at(request, 0,
							  e->missing_nest,
							  types, 3);
		types[path_depth] = (int)e->missing_type;
		attr_path_name(types, path_depth + 1, attr, sizeof(attr));
		strncat(attr, " missing", sizeof(attr) - strlen(attr) - 1);
	}
	if (attr[0] && e->msg[0] && strstr(e->msg, attr))
		attr[0] = '\0';

	fprintf(stderr, "ipsecctl: %s: ", ctx->req->name);
	if (attr[0])
		fprintf(stderr, "%s: ", attr);
	if (e->msg[0])
		fprintf(stderr, "%s: ", e->msg);
	fprintf(stderr, "%s", strerror(-err));
	if (err == -EPERM || err == -EACCES)
		fputs(" (needs CAP_NET_ADMIN over the network namespace)",
		      stderr);
	fputc('\n', stderr);
}

static int put_addr(struct nl_msg *msg, int type, const struct ip_addr *a)
{
	return nla_put(msg, type, (int)ip_addr_len(a), a->bytes);
}

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

/*
 * Sends one request and reports any failure. The request is always freed,
 * wiped first since it may carry keys.
 */
static int transact(struct context *ctx, struct nl_msg *msg,
		    netlink_reply_fn on_reply, void *arg)
{
	struct netlink_error e;
	int err;

	err = netlink_client_request(&ctx->nl, msg, on_reply, arg, &e);
	if (err)
		report_error(ctx, msg, &e, err);
	netlink_msg_free_wiped(msg);
	return err ? EXIT_FAILURE_STATUS : EXIT_OK;
}

static struct nl_msg *new_request(struct context *ctx, uint8_t cmd, int flags)
{
	struct nl_msg *msg = netlink_client_msg(&ctx->nl, cmd,
						KIPSEC_GENL_VERSION, flags);

	if (!msg)
		fprintf(stderr, "ipsecctl: %s: out of memory\n", ctx->req->name);
	return msg;
}

static int fail_building(struct context *ctx, struct nl_msg *msg)
{
	fprintf(stderr, "ipsecctl: %s: request does not fit a netlink message\n",
		ctx->req->name);
	netlink_msg_free_wiped(msg);
	return EXIT_FAILURE_STATUS;
}

static int cmd_sa_add(struct context *ctx)
{
	struct nl_msg *msg = new_request(ctx, KIPSEC_CMD_SA_NEW, 0);

	if (!msg)
		return EXIT_FAILURE_STATUS;
	if (put_sa_add(msg, ctx->req))
		return fail_building(ctx, msg);
	return transact(ctx, msg, NULL, NULL);
}

static int cmd_sa_del(struct context *ctx)
{
	struct nl_msg *msg = new_request(ctx, KIPSEC_CMD_SA_DEL, 0);

	if (!msg)
		return EXIT_FAILURE_STATUS;
	if (put_sa_id(msg, ctx->req))
		return fail_building(ctx, msg);
	return transact(ctx, msg, NULL, NULL);
}

static int cmd_sa_set(struct context *ctx)
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

static int cmd_sa_flush(struct context *ctx)
{
	struct nl_msg *msg = new_request(ctx, KIPSEC_CMD_SA_FLUSH, 0);

	if (!msg)
		return EXIT_FAILURE_STATUS;
	if (ctx->req->proto &&
	    nla_put_u8(msg, KIPSEC_A_SA_PROTO, ctx->req->proto))
		return fail_building(ctx, msg);
	return transact(ctx, msg, NULL, NULL);
}

/*
 * SAs and policies: what "get" and "list" need to know of each kind, so
 * that both are collected, checked and printed by the same code.
 */
struct object_kind {
	const char *plural;		/* for messages: "SAs" */
	size_t size;
	int (*decode)(struct nl_msg *reply, void *item);
	/* NULL: shown in the order the kernel dumps them. */
	int (*compare)(const void *a, const void *b);
	void (*write_json)(struct json_writer *w, const void *item);
	void (*print_tsv)(FILE *out, const void *item);
	void (*print_config)(FILE *out, const void *item);
	void (*table_row)(struct table *t, const void *item);
	const struct table_column *columns;
	const size_t *ncolumns;
};

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

struct object_list {
	const struct object_kind *kind;
	char *items;
	size_t count;
	size_t capacity;
};

static const void *object_at(const struct object_list *list, size_t i)
{
	return list->items + i * list->kind->size;
}

static int collect_object(struct nl_msg *reply, void *arg)
{
	struct object_list *list = arg;
	int err;

	if (list->count == list->capacity) {
		size_t want = list->capacity ? list->capacity * 2 : 64;
		char *items = reallocarray(list->items, want, list->kind->size);

		if (!items)
			return -ENOMEM;
		list->items = items;
		list->capacity = want;
	}
	err = list->kind->decode(reply, list->items +
				 list->count * list->kind->size);
	if (err)
		return err;
	list->count++;
	return 0;
}

/* A dump that restarts starts its collection again. */
static void forget_collected_objects(void *arg)
{
	struct object_list *list = arg;

	list->count = 0;
}

/*
 * One object ("get") prints as configuration on a terminal, a list as a
 * table; scripts get the same lines or JSON either way.
 */
static int print_objects(const struct context *ctx,
			 const struct object_list *list, bool single)
{
	const struct object_kind *kind = list->kind;
	struct json_writer w;
	struct table t;
	size_t i;
	int err = 0;

	switch (ctx->format) {
	case OUTPUT_JSON:
		json_init(&w, stdout);
		if (!single)
			json_array_begin(&w);
		for (i = 0; i < list->count; i++)
			kind->write_json(&w, object_at(list, i));
		if (!single)
			json_array_end(&w);
		err = json_finish(&w);
		break;
	case OUTPUT_TSV:
		for (i = 0; i < list->count; i++)
			kind->print_tsv(stdout, object_at(list, i));
		break;
	case OUTPUT_TABLE:
		if (single) {
			for (i = 0; i < list->count; i++)
				kind->print_config(stdout, object_at(list, i));
			break;
		}
		table_init(&t, kind->columns, *kind->ncolumns);
		for (i = 0; i < list->count; i++)
			kind->table_row(&t, object_at(list, i));
		err = table_print(&t, stdout);
		table_free(&t);
		break;
	}
	if (err) {
		fprintf(stderr, "ipsecctl: %s: out of memory\n", ctx->req->name);
		return EXIT_FAILURE_STATUS;
	}
	return EXIT_OK;
}

/* Sends @msg, a request for exactly one object, and prints the reply. */
static int get_object(struct context *ctx, struct nl_msg *msg,
		      const struct object_kind *kind)
{
	struct object_list list = { .kind = kind };
	int status;

	status = transact(ctx, msg, collect_object, &list);
	if (status == EXIT_OK && list.count != 1) {
		fprintf(stderr, "ipsecctl: %s: kernel sent %zu %s, expected one\n",
			ctx->req->name, list.count, kind->plural);
		status = EXIT_FAILURE_STATUS;
	}
	if (status == EXIT_OK)
		status = print_objects(ctx, &list, true);
	free(list.items);
	return status;
}

/* Dumps every object of @kind that @cmd gets, and prints them. */
static int list_objects(struct context *ctx, uint8_t cmd,
			const struct object_kind *kind)
{
	struct nl_msg *msg = new_request(ctx, cmd, NLM_F_DUMP);
	struct object_list list = { .kind = kind };
	struct netlink_error e;
	int status = EXIT_OK, err;

	if (!msg)
		return EXIT_FAILURE_STATUS;
	err = netlink_client_dump(&ctx->nl, msg, collect_object,
				  forget_collected_objects, &list,
				  DUMP_ATTEMPTS, &e);
	if (err) {
		report_error(ctx, msg, &e, err);
		status = EXIT_FAILURE_STATUS;
	}
	netlink_msg_free_wiped(msg);
	if (status == EXIT_OK) {
		if (kind->compare)
			qsort(list.items, list.count, kind->size,
			      kind->compare);
		status = print_objects(ctx, &list, false);
	}
	free(list.items);
	return status;
}

static int cmd_sa_get(struct context *ctx)
{
	struct nl_msg *msg = new_request(ctx, KIPSEC_CMD_SA_GET, 0);

	if (!msg)
		return EXIT_FAILURE_STATUS;
	if (put_sa_id(msg, ctx->req))
		return fail_building(ctx, msg);
	return get_object(ctx, msg, &sa_kind);
}

static int cmd_sa_list(struct context *ctx)
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

static int cmd_spi_alloc(struct context *ctx)
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

/* sa_count, spi_reserved, then the counters in uAPI order. */
/* sa_count, spi_reserved, the counters, then policy_count. */
#define NS_STAT_COUNT (3 + KIPSEC_STAT_COUNT)
#define NS_STAT_POLICIES (NS_STAT_COUNT - 1)

struct ns_stats {
	bool received;
	uint64_t value[NS_STAT_COUNT];
};

static int read_ns_stats(struct nl_msg *reply, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(reply);
	struct ns_stats *st = arg;
	struct nlattr *a, *pos;
	int rem;

	a = nlmsg_find_attr(nlh, GENL_HDRLEN, KIPSEC_A_STATS_SA_COUNT);
	if (a && nla_len(a) >= (int)sizeof(uint32_t))
		st->value[0] = nla_get_u32(a);
	a = nlmsg_find_attr(nlh, GENL_HDRLEN, KIPSEC_A_STATS_SPI_RESERVED);
	if (a && nla_len(a) >= (int)sizeof(uint32_t))
		st->value[1] = nla_get_u32(a);
	a = nlmsg_find_attr(nlh, GENL_HDRLEN, KIPSEC_A_STATS_POLICY_COUNT);
	if (a && nla_len(a) >= (int)sizeof(uint32_t))
		st->value[NS_STAT_POLICIES] = nla_get_u32(a);
	a = nlmsg_find_attr(nlh, GENL_HDRLEN, KIPSEC_A_STATS);
	if (a) {
		nla_for_each_nested(pos, a, rem) {
			int type = nla_type(pos);

			if (type < KIPSEC_STAT_FIRST ||
			    type > KIPSEC_A_STATS_MAX ||
			    nla_len(pos) < (int)sizeof(uint64_t))
				continue;
			st->value[2 + type - KIPSEC_STAT_FIRST] =
				nla_get_u64(pos);
		}
	}
	st->received = true;
	return 0;
}

static int cmd_stats(struct context *ctx)
{
	struct nl_msg *msg = new_request(ctx, KIPSEC_CMD_STATS_GET, 0);
	const char *names[NS_STAT_COUNT] = { "sa_count", "spi_reserved" };
	struct ns_stats st = { 0 };
	struct json_writer w;
	int status, i;

	if (!msg)
		return EXIT_FAILURE_STATUS;
	for (i = 0; i < KIPSEC_STAT_COUNT; i++)
		names[2 + i] = kipsec_stat_names[i];
	names[NS_STAT_POLICIES] = "policy_count";
	status = transact(ctx, msg, read_ns_stats, &st);
	if (status != EXIT_OK)
		return status;
	if (!st.received) {
		fprintf(stderr, "ipsecctl: %s: kernel sent no statistics\n",
			ctx->req->name);
		return EXIT_FAILURE_STATUS;
	}
	if (ctx->format == OUTPUT_JSON) {
		json_init(&w, stdout);
		json_object_begin(&w);
		for (i = 0; i < NS_STAT_COUNT; i++) {
			json_key(&w, names[i]);
			json_u64(&w, st.value[i]);
		}
		json_object_end(&w);
		json_finish(&w);
		return EXIT_OK;
	}
	for (i = 0; i < NS_STAT_COUNT; i++) {
		if (ctx->format == OUTPUT_TSV)
			printf("%s\t%" PRIu64 "\n", names[i], st.value[i]);
		else
			printf("%-18s %" PRIu64 "\n", names[i], st.value[i]);
	}
	return EXIT_OK;
}

/* Policies ------------------------------------------------------------- */

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

static int cmd_policy_add(struct context *ctx)
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

static int cmd_policy_del(struct context *ctx)
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

static int cmd_policy_flush(struct context *ctx)
{
	struct nl_msg *msg = new_request(ctx, KIPSEC_CMD_POLICY_FLUSH, 0);

	if (!msg)
		return EXIT_FAILURE_STATUS;
	if (ctx->req->pol.dir &&
	    nla_put_u8(msg, KIPSEC_A_POL_DIR, ctx->req->pol.dir))
		return fail_building(ctx, msg);
	return transact(ctx, msg, NULL, NULL);
}

static int cmd_policy_get(struct context *ctx)
{
	struct nl_msg *msg = new_request(ctx, KIPSEC_CMD_POLICY_GET, 0);

	if (!msg)
		return EXIT_FAILURE_STATUS;
	if (nla_put_u32(msg, KIPSEC_A_POL_INDEX, ctx->req->pol.index))
		return fail_building(ctx, msg);
	return get_object(ctx, msg, &policy_kind);
}

static int cmd_policy_list(struct context *ctx)
{
	return list_objects(ctx, KIPSEC_CMD_POLICY_GET, &policy_kind);
}

/* Monitor ---------------------------------------------------------------- */

/* Room for bursts, such as a flush announced SA by SA by a daemon. */
#define MONITOR_RCVBUF (1 << 20)

struct monitor {
	const struct context *ctx;
	int status;
};

static int print_event(struct nl_msg *msg, void *arg)
{
	struct monitor *m = arg;
	struct event_info ev;
	struct json_writer w;

	if (nlmsg_hdr(msg)->nlmsg_type != m->ctx->nl.family_id)
		return NL_SKIP;
	if (event_info_decode(msg, &ev)) {
		fprintf(stderr, "ipsecctl: monitor: malformed event skipped\n");
		return NL_SKIP;
	}
	if (m->ctx->format == OUTPUT_JSON) {
		json_init(&w, stdout);
		event_write_json(&w, &ev);
		json_finish(&w);
	} else {
		event_print_line(stdout, &ev);
	}
	/* A reader at the other end of a pipe wants each event as it comes. */
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "ipsecctl: writing output: %s\n",
			strerror(errno));
		m->status = EXIT_FAILURE_STATUS;
		return NL_STOP;
	}
	return NL_OK;
}

static int cmd_monitor(struct context *ctx)
{
	struct nl_sock *sock = ctx->nl.sock;
	struct monitor m = { .ctx = ctx, .status = EXIT_OK };
	int group, err;

	group = genl_ctrl_resolve_grp(sock, KIPSEC_GENL_NAME,
				      KIPSEC_MCGRP_EVENTS);
	if (group < 0) {
		fprintf(stderr, "ipsecctl: monitor: no multicast group \"%s\": %s\n",
			KIPSEC_MCGRP_EVENTS, nl_geterror(group));
		return EXIT_FAILURE_STATUS;
	}
	err = nl_socket_add_membership(sock, group);
	if (err < 0) {
		fprintf(stderr, "ipsecctl: monitor: joining the event group: %s%s\n",
			nl_geterror(err), err == -NLE_PERM ?
			" (needs CAP_NET_ADMIN over the network namespace)" : "");
		return EXIT_FAILURE_STATUS;
	}
	/* Events carry their sender's sequence numbers, or none. */
	nl_socket_disable_seq_check(sock);
	nl_socket_set_buffer_size(sock, MONITOR_RCVBUF, 0);
	nl_socket_modify_cb(sock, NL_CB_VALID, NL_CB_CUSTOM, print_event, &m);
	while (m.status == EXIT_OK) {
		err = nl_recvmsgs_default(sock);
		if (err == -NLE_NOMEM) {
			/* ENOBUFS: the kernel dropped events it could not queue. */
			fputs("ipsecctl: monitor: events lost (receive buffer full)\n",
			      stderr);
			continue;
		}
		if (err < 0) {
			fprintf(stderr, "ipsecctl: monitor: netlink receive: %s\n",
				nl_geterror(err));
			return EXIT_FAILURE_STATUS;
		}
	}
	return m.status;
}

/*
 * ike/up/down/rekey/reload go to ipsecd, not to the kernel: one request line on its
 * control socket, answered by "OK ..." or "ERROR ..." and a body that
 * ipsecd has already rendered in the format asked for.
 */
static int run_daemon(struct context *ctx)
{
	const struct ipsecctl_request *req = ctx->req;
	const char *path = req->socket_path ? req->socket_path :
			   getenv("IPSECD_SOCKET") ? getenv("IPSECD_SOCKET") :
			   IPSECCTL_DEFAULT_SOCKET;
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char line[1024], request[128];
	bool first = true, ok = false;
	FILE *in;
	int fd;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "ipsecctl: %s: socket path too long\n", req->name);
		return EXIT_FAILURE_STATUS;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	if (req->cmd == IPSECCTL_CMD_IKE_LIST)
		snprintf(request, sizeof(request), "list %s\n",
			 ctx->format == OUTPUT_JSON ? "json" :
			 ctx->format == OUTPUT_TSV ? "tsv" : "table");
	else if (req->cmd == IPSECCTL_CMD_RELOAD)
		snprintf(request, sizeof(request), "reload\n");
	else
		snprintf(request, sizeof(request), "%s %s\n",
			 req->cmd == IPSECCTL_CMD_UP ? "up" :
			 req->cmd == IPSECCTL_CMD_REKEY ? "rekey" : "down",
			 req->conn_name);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun))) {
		fprintf(stderr, "ipsecctl: %s: cannot reach ipsecd at %s: %s\n",
			req->name, path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return EXIT_FAILURE_STATUS;
	}
	if (write(fd, request, strlen(request)) != (ssize_t)strlen(request)) {
		fprintf(stderr, "ipsecctl: %s: writing to ipsecd: %s\n", req->name,
			strerror(errno));
		close(fd);
		return EXIT_FAILURE_STATUS;
	}
	in = fdopen(fd, "r");
	if (!in) {
		close(fd);
		return EXIT_FAILURE_STATUS;
	}
	while (fgets(line, sizeof(line), in)) {
		if (!first) {
			fputs(line, stdout);
			continue;
		}
		first = false;
		line[strcspn(line, "\n")] = '\0';
		ok = !strncmp(line, "OK", 2);
		if (!ok)
			fprintf(stderr, "ipsecctl: %s: ipsecd: %s\n", req->name,
				!strncmp(line, "ERROR ", 6) ? line + 6 : line);
		else if (line[2] == ' ' && req->cmd != IPSECCTL_CMD_IKE_LIST)
			printf("%s\n", line + 3);
	}
	fclose(in);
	if (first) {
		fprintf(stderr, "ipsecctl: %s: ipsecd closed the connection without an answer\n",
			req->name);
		return EXIT_FAILURE_STATUS;
	}
	return ok ? EXIT_OK : EXIT_FAILURE_STATUS;
}

static int run(struct context *ctx)
{
	int err;

	if (ctx->req->cmd == IPSECCTL_CMD_IKE_LIST ||
	    ctx->req->cmd == IPSECCTL_CMD_UP || ctx->req->cmd == IPSECCTL_CMD_DOWN ||
	    ctx->req->cmd == IPSECCTL_CMD_REKEY ||
	    ctx->req->cmd == IPSECCTL_CMD_RELOAD)
		return run_daemon(ctx);
	err = netlink_client_open(&ctx->nl, KIPSEC_GENL_NAME);
	if (err == -ENOENT) {
		fprintf(stderr, "ipsecctl: kipsec module not loaded (genetlink family \"%s\" not found)\n",
			KIPSEC_GENL_NAME);
		return EXIT_FAILURE_STATUS;
	}
	if (err) {
		fprintf(stderr, "ipsecctl: cannot talk to generic netlink: %s\n",
			strerror(-err));
		return EXIT_FAILURE_STATUS;
	}
	switch (ctx->req->cmd) {
	case IPSECCTL_CMD_SA_ADD:
		err = cmd_sa_add(ctx);
		break;
	case IPSECCTL_CMD_SA_DEL:
		err = cmd_sa_del(ctx);
		break;
	case IPSECCTL_CMD_SA_GET:
		err = cmd_sa_get(ctx);
		break;
	case IPSECCTL_CMD_SA_LIST:
		err = cmd_sa_list(ctx);
		break;
	case IPSECCTL_CMD_SA_FLUSH:
		err = cmd_sa_flush(ctx);
		break;
	case IPSECCTL_CMD_SA_SET:
		err = cmd_sa_set(ctx);
		break;
	case IPSECCTL_CMD_SPI_ALLOC:
		err = cmd_spi_alloc(ctx);
		break;
	case IPSECCTL_CMD_STATS:
		err = cmd_stats(ctx);
		break;
	case IPSECCTL_CMD_POLICY_ADD:
		err = cmd_policy_add(ctx);
		break;
	case IPSECCTL_CMD_POLICY_DEL:
		err = cmd_policy_del(ctx);
		break;
	case IPSECCTL_CMD_POLICY_GET:
		err = cmd_policy_get(ctx);
		break;
	case IPSECCTL_CMD_POLICY_LIST:
		err = cmd_policy_list(ctx);
		break;
	case IPSECCTL_CMD_POLICY_FLUSH:
		err = cmd_policy_flush(ctx);
		break;
	case IPSECCTL_CMD_MONITOR:
		err = cmd_monitor(ctx);
		break;
	default:
		err = EXIT_FAILURE_STATUS;
		break;
	}
	netlink_client_close(&ctx->nl);
	return err;
}

int main(int argc, char **argv)
{
	struct ipsecctl_request req;
	struct context ctx = { .req = &req };
	int status;

	/* libsodium's functions may be used only after sodium_init(). */
	if (sodium_init() < 0) {
		fputs("ipsecctl: libsodium failed to initialise\n", stderr);
		return EXIT_FAILURE_STATUS;
	}
	if (ipsecctl_parse(argc, argv, &req) != IPSECCTL_PARSE_OK) {
		fprintf(stderr, "%s\n", req.error);
		if (req.help == IPSECCTL_HELP_MAIN || !req.name)
			fputs("Try \"ipsecctl --help\".\n", stderr);
		else
			fprintf(stderr, "Try \"ipsecctl %s --help\".\n",
				req.name);
		return EXIT_USAGE;
	}
	ipsecctl_wipe_key_args(&req);
	switch (req.cmd) {
	case IPSECCTL_CMD_HELP:
		fputs(ipsecctl_help_text(req.help), stdout);
		return EXIT_OK;
	case IPSECCTL_CMD_VERSION:
		printf("ipsecctl %s (kipsec genetlink family version %d)\n",
		       IPSECCTL_VERSION, KIPSEC_GENL_VERSION);
		return EXIT_OK;
	default:
		break;
	}
	if (req.json)
		ctx.format = OUTPUT_JSON;
	else
		ctx.format = isatty(STDOUT_FILENO) ? OUTPUT_TABLE : OUTPUT_TSV;
	status = run(&ctx);
	ipsecctl_request_wipe(&req);
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "ipsecctl: writing output: %s\n", strerror(errno));
		status = EXIT_FAILURE_STATUS;
	}
	return status;
}
