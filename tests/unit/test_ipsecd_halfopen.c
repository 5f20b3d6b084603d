// SPDX-License-Identifier: GPL-2.0
/*
 * The half-open limits against a flood of Main Mode first messages: which
 * ISAKMP SAs count, and when a new responder SA is refused.
 */
#include <string.h>
#include <time.h>

#include "ipsecd/ipsecd.h"
#include "tap.h"

/* main.c is not in libipsecd; sa_ike.c refers to these. */
struct daemon *D;
time_t now_seconds(void)
{
	return time(NULL);
}

#define NSAS 8

static struct isakmp_sa sas[NSAS];

/* Links the first n entries, all half-open responder SAs with peer. */
static struct isakmp_sa *list(size_t n, const struct ip_addr *peer)
{
	size_t i;

	memset(sas, 0, sizeof(sas));
	for (i = 0; i < n; i++) {
		sas[i].state = ISAKMP_NEGOTIATING;
		sas[i].peer = *peer;
		sas[i].next = i + 1 < n ? &sas[i + 1] : NULL;
	}
	return n ? &sas[0] : NULL;
}

int main(void)
{
	struct ip_addr a, b;
	struct isakmp_sa *l;

	ip_addr_parse("192.0.2.2", &a);
	ip_addr_parse("198.51.100.7", &b);

	tap_is_int(isakmp_sa_halfopen_check(NULL, &a, 1, 1), HALFOPEN_OK,
		   "no SAs: a new one is admitted");
	l = list(3, &a);
	tap_is_int(isakmp_sa_halfopen_check(l, &a, 4, 4), HALFOPEN_OK,
		   "3 half-open, limits 4: admitted");
	tap_is_int(isakmp_sa_halfopen_check(l, &a, 3, 8), HALFOPEN_TOTAL,
		   "3 half-open, halfopen_max 3: refused");
	tap_is_int(isakmp_sa_halfopen_check(l, &a, 8, 3), HALFOPEN_PEER,
		   "3 half-open with this peer, halfopen_max_peer 3: refused");
	tap_is_int(isakmp_sa_halfopen_check(l, &b, 8, 3), HALFOPEN_OK,
		   "another peer is still admitted");
	tap_is_int(isakmp_sa_halfopen_check(l, &b, 3, 3), HALFOPEN_TOTAL,
		   "but not beyond the total");

	l = list(6, &a);
	sas[0].state = ISAKMP_ESTABLISHED;
	sas[1].state = ISAKMP_DEAD;
	sas[2].initiator = true;
	sas[3].peer = b;
	/* Left half-open with a: sas[4], sas[5]; with b: sas[3]. */
	tap_is_int(isakmp_sa_halfopen_check(l, &a, 4, 3), HALFOPEN_OK,
		   "established, dead and initiator SAs do not count");
	tap_is_int(isakmp_sa_halfopen_check(l, &a, 3, 8), HALFOPEN_TOTAL,
		   "responder SAs of every peer count in the total");
	tap_is_int(isakmp_sa_halfopen_check(l, &a, 8, 2), HALFOPEN_PEER,
		   "per peer: only that peer's");
	tap_is_int(isakmp_sa_halfopen_check(l, &b, 8, 2), HALFOPEN_OK,
		   "the other peer has one");
	return tap_done();
}
