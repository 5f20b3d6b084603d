/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ipsecd's log: one line per event on stderr, "ipsecd[LEVEL] message".
 * Nothing secret is ever passed here: keys, PSKs and KEYMAT stay in
 * ike_secret memory and are never formatted.
 */
#ifndef IPSECD_LOG_H
#define IPSECD_LOG_H

#include "ipsecd/config.h"

void log_set_level(enum log_level level);
__attribute__((format(printf, 2, 3)))
void log_msg(enum log_level level, const char *fmt, ...);

#define log_error(...) log_msg(LOG_LVL_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LVL_DEBUG, __VA_ARGS__)

#endif
