/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the two file parsers, config.c and secrets.c: where in which
 * file a parser is, for "file:line: " errors, and reading a file whole.
 */
#ifndef IPSECD_CONFIG_FILE_H
#define IPSECD_CONFIG_FILE_H

#include <stdbool.h>
#include <stddef.h>

#define LINE_MAX_LEN 1024
#define FILE_MAX_LEN (1024 * 1024)

struct parser {
	const char *file;
	unsigned int line;
	char *err;
	size_t errlen;
};

/* Writes "file:line: " and the message into p->err; returns -1. */
__attribute__((format(printf, 2, 3)))
int perr(struct parser *p, const char *fmt, ...);
/* Blanks (and a CR) off both ends, in place. */
char *trim(char *s);
/*
 * Reads a whole text file into a NUL-terminated sodium_malloc() buffer,
 * for sodium_free(); NULL with err set when it cannot. A @secret file must
 * be ours and closed to group and others.
 */
char *read_file(const char *path, bool secret, char *err, size_t errlen);

#endif
