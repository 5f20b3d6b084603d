/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The message IDs an ISAKMP SA has used, in either direction. RFC 2408 3.1
 * has them unique per SA, and nothing else makes a phase-2 message unique:
 * its IV and HASH depend only on the SA's keys and the message ID (RFC 2409
 * 5.5, Appendix B). A Quick Mode or informational message sent again,
 * replayed by someone on the path or reflected back at us, would verify as
 * new, and could move a NAT-T peer to the sender's address, answer a dead
 * peer's DPD for it or start a Quick Mode over. One whose ID the SA has
 * used is dropped before it is read.
 *
 * The log grows with the messages the SA authenticates, up to
 * MSGID_LOG_MAX, then forgets the oldest: even DPD every 2 s fills it only
 * after 9 h, beyond any ISAKMP SA's usual life.
 */
#ifndef IPSECD_MSGID_H
#define IPSECD_MSGID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MSGID_LOG_MAX 16384

struct msgid_log {
	uint32_t *ids;
	size_t len, cap;
	size_t oldest;		/* once full: the next one to forget */
};

bool msgid_log_used(const struct msgid_log *log, uint32_t id);
/* 0, or -1 when out of memory (the ID is then not remembered). */
int msgid_log_add(struct msgid_log *log, uint32_t id);
void msgid_log_free(struct msgid_log *log);

#endif
