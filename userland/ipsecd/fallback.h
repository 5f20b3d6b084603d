/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Request versus require (the Windows security levels) and the
 * time-limited clear-text fallback of level=request conns (fallback.c).
 */
#ifndef IPSECD_FALLBACK_H
#define IPSECD_FALLBACK_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "ipsecd/timer.h"

struct fallback {
	struct timer timeout;	/* negotiating without an SA for too long */
	struct timer expire;	/* backstop, should kipsec's event be lost */
	bool active;		/* the bypass is installed */
	uint32_t pol_out;	/* kipsec index of the bypass policy */
	uint64_t until_ms;	/* when it goes (timer_now_ms clock) */
	unsigned int count;	/* fallbacks so far */
	char why[80];
};

struct conn;
struct json_writer;

void fallback_init(struct conn *c);
/* At start: a bypass left by an ipsecd that was killed goes. */
void fallback_remove_leftover(struct conn *c);
/* A negotiation for a conn without SAs began: start the clock. */
void fallback_negotiating(struct conn *c);
/* The peer refused (NO_PROPOSAL_CHOSEN, AUTHENTICATION_FAILED). */
void fallback_refused(struct conn *c, const char *why);
/* The conn has SAs: the bypass goes, traffic is protected again. */
void fallback_end(struct conn *c);
/* kipsec deleted policy @index when its lifetime ran out. */
void fallback_policy_expired(uint32_t index);
/* ipsecd stops or the conn goes down. */
void fallback_cancel(struct conn *c);
void fallback_status_text(FILE *out, const struct conn *c);
void fallback_status_json(struct json_writer *w, const struct conn *c);

#endif
