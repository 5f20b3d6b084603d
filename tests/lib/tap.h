/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Minimal TAP producer for the unit tests. tests/run.sh counts the
 * "ok"/"not ok" lines of every test program; a program that exits non-zero
 * without reporting a failure is counted as one failure.
 */
#ifndef KIPSEC_TAP_H
#define KIPSEC_TAP_H

#include <stdarg.h>
#include <stdio.h>

static int tap_count;
static int tap_failed;

static inline __attribute__((format(printf, 2, 3)))
int tap_ok(int cond, const char *fmt, ...)
{
	va_list ap;

	printf("%s %d - ", cond ? "ok" : "not ok", ++tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!cond)
		tap_failed++;
	return cond;
}

#define tap_is_int(got, want, name) ({					\
	long long _g = (got), _w = (want);				\
	if (!tap_ok(_g == _w, "%s", name))				\
		printf("#   got %lld, want %lld\n", _g, _w);	\
	_g == _w; })

#define tap_is_str(got, want, name) ({					\
	const char *_g = (got), *_w = (want);				\
	int _eq = _g && _w && strcmp(_g, _w) == 0;			\
	if (!tap_ok(_eq, "%s", name))					\
		printf("#   got \"%s\", want \"%s\"\n",		\
		       _g ? _g : "(null)", _w ? _w : "(null)");	\
	_eq; })

static inline int tap_done(void)
{
	printf("1..%d\n", tap_count);
	return tap_failed ? 1 : 0;
}

#endif
