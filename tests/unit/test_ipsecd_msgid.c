// SPDX-License-Identifier: GPL-2.0
/*
 * The message IDs an ISAKMP SA has used (ipsecd/msgid.h): a used one is
 * known as used, whichever way it went, until the log is full and it is
 * the oldest.
 */
#include "ipsecd/msgid.h"
#include "tap.h"

int main(void)
{
	struct msgid_log log = { 0 };
	uint32_t i;
	int all;

	tap_ok(!msgid_log_used(&log, 7), "an empty log has used nothing");
	tap_is_int(msgid_log_add(&log, 7), 0, "add one");
	tap_ok(msgid_log_used(&log, 7), "it is used");
	tap_ok(!msgid_log_used(&log, 8), "another is not");
	tap_is_int(msgid_log_add(&log, 7), 0, "adding it again is no error");
	tap_is_int(log.len, 1, "and keeps one entry");

	for (i = 1; i < MSGID_LOG_MAX; i++)
		msgid_log_add(&log, 1000 + i);
	tap_is_int(log.len, MSGID_LOG_MAX, "the log fills up to MSGID_LOG_MAX");
	all = msgid_log_used(&log, 7);
	for (i = 1; i < MSGID_LOG_MAX; i++)
		all &= msgid_log_used(&log, 1000 + i);
	tap_ok(all, "every one of them is still known");

	msgid_log_add(&log, 99);
	tap_ok(msgid_log_used(&log, 99), "one more is known");
	tap_ok(!msgid_log_used(&log, 7), "the oldest is forgotten for it");
	tap_ok(msgid_log_used(&log, 1001), "the next oldest is not");
	tap_is_int(log.len, MSGID_LOG_MAX, "the log stays at MSGID_LOG_MAX");
	msgid_log_add(&log, 100);
	tap_ok(!msgid_log_used(&log, 1001) && msgid_log_used(&log, 1002),
	       "forgetting goes on in order");

	msgid_log_free(&log);
	tap_ok(!msgid_log_used(&log, 100), "a freed log has used nothing");
	return tap_done();
}
