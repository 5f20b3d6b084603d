// SPDX-License-Identifier: GPL-2.0
/*
 * ipsecctl stats: the namespace's SA, SPI and policy counts and its drop
 * and error counters, by the names /sys/kernel/kipsec uses.
 */
#include <inttypes.h>
#include <stdio.h>

#include <netlink/attr.h>
#include <netlink/genl/genl.h>

#include "common/kipsec_names.h"
#include "ipsecctl/ipsecctl.h"
#include "kipsec.h"

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

int cmd_stats(struct context *ctx)
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
