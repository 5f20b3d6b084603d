// SPDX-License-Identifier: GPL-2.0
#include "ipsecd/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <syslog.h>
#include <time.h>

static enum log_level current = LOG_LVL_INFO;
static bool to_syslog;

void log_use_syslog(void)
{
	/* LOG_NDELAY: connect now, before a chroot or a full /dev/log. */
	openlog("ipsecd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
	to_syslog = true;
}

void log_set_level(enum log_level level)
{
	current = level;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	static const char *const names[] = { "error", "warn", "info", "debug" };
	static const int priorities[] = { LOG_ERR, LOG_WARNING, LOG_INFO,
					  LOG_DEBUG };
	struct timespec ts;
	char line[1024];
	va_list ap;

	if (level > current)
		return;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (to_syslog) {
		syslog(priorities[level], "%s", line);
		return;
	}
	/* One write per line so that lines of two daemons never interleave. */
	fprintf(stderr, "%ld.%03ld ipsecd[%s] %s\n", (long)ts.tv_sec,
		ts.tv_nsec / 1000000, names[level], line);
}
