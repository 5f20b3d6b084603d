/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One-shot timers on the monotonic clock for the single-threaded event
 * loop: a sorted list, because a gateway has few of them at once.
 */
#ifndef IPSECD_TIMER_H
#define IPSECD_TIMER_H

#include <stdbool.h>
#include <stdint.h>

struct timer {
	struct timer *next;
	uint64_t due_ms;
	bool armed;
	void (*fn)(struct timer *t);
};

void timer_init(struct timer *t, void (*fn)(struct timer *t));
void timer_arm(struct timer *t, uint64_t delay_ms);
void timer_cancel(struct timer *t);
/* Milliseconds until the next timer is due, -1 if none. */
int timer_next_timeout(void);
/* Runs every timer that is due. */
void timer_run(void);
uint64_t timer_now_ms(void);

#endif
