/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Streaming JSON writer. It tracks nesting and commas so callers only say
 * what to write; strings are escaped per RFC 8259 and invalid UTF-8 is
 * replaced by U+FFFD, so the output is always valid JSON.
 */
#ifndef KIPSEC_COMMON_JSON_H
#define KIPSEC_COMMON_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 16

struct json_writer {
	FILE *out;
	unsigned int depth;
	/* Per level: whether a value was already written (comma needed). */
	bool has_member[JSON_MAX_DEPTH + 1];
	bool expect_value;	/* a key was written, its value comes next */
	bool failed;		/* nesting misuse; nothing is left half-done */
};

void json_init(struct json_writer *w, FILE *out);

void json_object_begin(struct json_writer *w);
void json_object_end(struct json_writer *w);
void json_array_begin(struct json_writer *w);
void json_array_end(struct json_writer *w);

/* Inside an object: the member name; the next call writes its value. */
void json_key(struct json_writer *w, const char *key);

void json_string(struct json_writer *w, const char *s);
void json_string_len(struct json_writer *w, const char *s, size_t len);
void json_u64(struct json_writer *w, uint64_t v);
void json_i64(struct json_writer *w, int64_t v);
void json_bool(struct json_writer *w, bool v);
void json_null(struct json_writer *w);

/* Terminates the top-level value with a newline. Returns -1 on misuse. */
int json_finish(struct json_writer *w);

/* Writes s as a quoted, escaped JSON string; usable without a writer. */
void json_write_escaped(FILE *out, const char *s, size_t len);

#endif
