// SPDX-License-Identifier: GPL-2.0
/*
 * "get" and "list" for SAs and policies alike: the objects the kernel
 * sends are collected (a dump that restarts collects again), sorted where
 * their kind says, and printed as configuration, table, TSV or JSON.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "ipsecctl/ipsecctl.h"

/* Restarts of a dump that changes under it before giving up. */
#define DUMP_ATTEMPTS 10

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
int get_object(struct context *ctx, struct nl_msg *msg,
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
int list_objects(struct context *ctx, uint8_t cmd,
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
