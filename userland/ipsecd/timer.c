// SPDX-License-Identifier: GPL-2.0
#include "ipsecd/timer.h"

#include <stddef.h>
#include <time.h>

static struct timer *head;

uint64_t timer_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void timer_init(struct timer *t, void (*fn)(struct timer *t))
{
	t->next = NULL;
	t->armed = false;
	t->fn = fn;
}

void timer_cancel(struct timer *t)
{
	struct timer **p;

	if (!t->armed)
		return;
	for (p = &head; *p; p = &(*p)->next)
		if (*p == t) {
			*p = t->next;
			break;
		}
	t->armed = false;
	t->next = NULL;
}

void timer_arm(struct timer *t, uint64_t delay_ms)
{
	struct timer **p;

	timer_cancel(t);
	t->due_ms = timer_now_ms() + delay_ms;
	for (p = &head; *p && (*p)->due_ms <= t->due_ms; p = &(*p)->next)
		;
	t->next = *p;
	*p = t;
	t->armed = true;
}

int timer_next_timeout(void)
{
	uint64_t now;

	if (!head)
		return -1;
	now = timer_now_ms();
	if (head->due_ms <= now)
		return 0;
	return head->due_ms - now > 60000 ? 60000 : (int)(head->due_ms - now);
}

void timer_run(void)
{
	uint64_t now = timer_now_ms();
	struct timer *t;

	/* A callback may arm or cancel any timer, so restart from the head. */
	while (head && head->due_ms <= now) {
		t = head;
		head = t->next;
		t->next = NULL;
		t->armed = false;
		t->fn(t);
	}
}
