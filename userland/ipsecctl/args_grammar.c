// SPDX-License-Identifier: GPL-2.0
/*
 * The grammar all of ipsecctl's objects share: OBJECT COMMAND, then
 * "KEYWORD VALUE..." in any order with each keyword at most once, and
 * "--help" anywhere after the command. args.c and args_policy.c only
 * describe their commands and keywords in tables; the walking and the
 * messages for what is unknown, repeated or missing are the same for all.
 */
#include "ipsecctl/args.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

__attribute__((format(printf, 2, 3)))
enum ipsecctl_parse_result ipsecctl_usage(struct ipsecctl_request *req,
					  const char *fmt, ...)
{
	size_t used;
	va_list ap;

	if (req->name)
		used = (size_t)snprintf(req->error, sizeof(req->error),
					"ipsecctl: %s: ", req->name);
	else
		used = (size_t)snprintf(req->error, sizeof(req->error),
					"ipsecctl: ");
	va_start(ap, fmt);
	vsnprintf(req->error + used, sizeof(req->error) - used, fmt, ap);
	va_end(ap);
	ipsecctl_request_wipe(req);
	return IPSECCTL_PARSE_USAGE;
}

bool ipsecctl_is_help(const char *arg)
{
	return !strcmp(arg, "-h") || !strcmp(arg, "--help");
}

bool ipsecctl_help_asked(const struct ipsecctl_cursor *cur)
{
	int i;

	for (i = cur->next; i < cur->argc; i++)
		if (ipsecctl_is_help(cur->argv[i]))
			return true;
	return false;
}

static unsigned int find_keyword(const struct ipsecctl_keywords *k,
				 unsigned int allowed, const char *word)
{
	unsigned int kw;

	for (kw = 0; kw < k->count; kw++)
		if ((allowed & (1U << kw)) && !strcmp(word, k->names[kw]))
			break;
	return kw;
}

static enum ipsecctl_parse_result
parse_keywords(struct ipsecctl_request *req, struct ipsecctl_cursor *cur,
	       const struct ipsecctl_command *c)
{
	const struct ipsecctl_keywords *k = c->keywords;
	enum ipsecctl_parse_result r;
	unsigned int seen = 0, kw;

	while (!ipsecctl_cursor_done(cur)) {
		const char *word = ipsecctl_cursor_take(cur);
		const char *value = NULL;

		kw = k ? find_keyword(k, c->allowed, word) : 0;
		if (!k || kw == k->count)
			return ipsecctl_usage(req, "unknown argument \"%s\"", word);
		if (seen & (1U << kw))
			return ipsecctl_usage(req, "\"%s\" given twice", word);
		seen |= 1U << kw;
		if (!(k->no_value & (1U << kw))) {
			value = ipsecctl_cursor_take(cur);
			if (!value)
				return ipsecctl_usage(req, "missing value for \"%s\"",
						      word);
		}
		r = k->value(req, cur, kw, value);
		if (r != IPSECCTL_PARSE_OK)
			return r;
	}
	if (!k)
		return IPSECCTL_PARSE_OK;
	for (kw = 0; kw < k->count; kw++)
		if ((c->required & (1U << kw)) && !(seen & (1U << kw)))
			return ipsecctl_usage(req, "missing \"%s\"", k->names[kw]);
	return k->check ? k->check(req, seen) : IPSECCTL_PARSE_OK;
}

enum ipsecctl_parse_result
ipsecctl_parse_command(struct ipsecctl_request *req,
		       struct ipsecctl_cursor *cur,
		       const struct ipsecctl_command *c)
{
	req->name = c->full_name;
	req->help = c->help;
	if (ipsecctl_help_asked(cur)) {
		req->cmd = IPSECCTL_CMD_HELP;
		return IPSECCTL_PARSE_OK;
	}
	req->cmd = c->cmd;
	return parse_keywords(req, cur, c);
}

enum ipsecctl_parse_result
ipsecctl_parse_object(struct ipsecctl_request *req,
		      struct ipsecctl_cursor *cur,
		      const struct ipsecctl_object *o)
{
	const char *word = ipsecctl_cursor_take(cur);
	size_t i;

	req->name = o->name;
	req->help = o->help;
	if (!word) {
		if (o->bare)
			return ipsecctl_parse_command(req, cur, o->bare);
		return ipsecctl_usage(req, "missing command");
	}
	if (ipsecctl_is_help(word) || !strcmp(word, "help")) {
		req->cmd = IPSECCTL_CMD_HELP;
		return IPSECCTL_PARSE_OK;
	}
	for (i = 0; i < o->ncommands; i++) {
		const struct ipsecctl_command *c = &o->commands[i];

		if (!strcmp(word, c->name) ||
		    (c->alias && !strcmp(word, c->alias)))
			return ipsecctl_parse_command(req, cur, c);
	}
	return ipsecctl_usage(req, "unknown command \"%s\"", word);
}
