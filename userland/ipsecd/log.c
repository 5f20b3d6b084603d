// SPDX-License-Identifier: GPL-2.0
#include "ipsecd/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

static enum log_level current = LOG_LVL_INFO;

void log_set_level(enum log_level level)
{
	current = level;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	static const char *const names[] = { "error", "warn", "info", "debug" };
	struct timespec ts;
	char line[1024];
	va_list ap;

	if (level > current)
		return;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* One write per line so that lines of two daemons never interleave. */
	fprintf(stderr, "%ld.%03ld ipsecd[%s] %s\n", (long)ts.tv_sec,
		ts.tv_nsec / 1000000, names[level], line);
}
