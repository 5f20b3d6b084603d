// SPDX-License-Identifier: GPL-2.0
/*
 * Message IDs used by an ISAKMP SA; see msgid.h. A linear search: a few
 * thousand 32-bit words at most, read once per protected message.
 */
#include <stdlib.h>

#include "ipsecd/msgid.h"

bool msgid_log_used(const struct msgid_log *log, uint32_t id)
{
	size_t i;

	for (i = 0; i < log->len; i++)
		if (log->ids[i] == id)
			return true;
	return false;
}

int msgid_log_add(struct msgid_log *log, uint32_t id)
{
	uint32_t *ids;
	size_t cap;

	if (msgid_log_used(log, id))
		return 0;
	if (log->len == MSGID_LOG_MAX) {
		log->ids[log->oldest] = id;
		log->oldest = (log->oldest + 1) % MSGID_LOG_MAX;
		return 0;
	}
	if (log->len == log->cap) {
		cap = log->cap ? log->cap * 2 : 16;
		if (cap > MSGID_LOG_MAX)
			cap = MSGID_LOG_MAX;
		ids = realloc(log->ids, cap * sizeof(*ids));
		if (!ids)
			return -1;
		log->ids = ids;
		log->cap = cap;
	}
	log->ids[log->len++] = id;
	return 0;
}

void msgid_log_free(struct msgid_log *log)
{
	free(log->ids);
	log->ids = NULL;
	log->len = 0;
	log->cap = 0;
	log->oldest = 0;
}
