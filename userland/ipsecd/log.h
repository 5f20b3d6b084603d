/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ipsecd's log: one line per event on stderr, "ipsecd[LEVEL] message", or
 * with --syslog to syslog (facility daemon, ident "ipsecd", the levels as
 * LOG_ERR, LOG_WARNING, LOG_INFO and LOG_DEBUG).
 * Nothing secret is ever passed here: keys, PSKs and KEYMAT stay in
 * ike_secret memory and are never formatted.
 */
#ifndef IPSECD_LOG_H
#define IPSECD_LOG_H

#include "ipsecd/config.h"

void log_set_level(enum log_level level);
/* From now on to syslog instead of stderr. */
void log_use_syslog(void);
__attribute__((format(printf, 2, 3)))
void log_msg(enum log_level level, const char *fmt, ...);

#define log_error(...) log_msg(LOG_LVL_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LVL_DEBUG, __VA_ARGS__)

#endif
