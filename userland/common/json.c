// SPDX-License-Identifier: GPL-2.0
#include "common/json.h"

#include <inttypes.h>
#include <string.h>

void json_init(struct json_writer *w, FILE *out)
{
	memset(w, 0, sizeof(*w));
	w->out = out;
}

static void json_before_value(struct json_writer *w)
{
	if (w->expect_value) {
		w->expect_value = false;
		return;
	}
	if (w->has_member[w->depth])
		fputc(',', w->out);
	w->has_member[w->depth] = true;
}

static void json_open(struct json_writer *w, char c)
{
	json_before_value(w);
	if (w->depth == JSON_MAX_DEPTH) {
		w->failed = true;
		return;
	}
	fputc(c, w->out);
	w->has_member[++w->depth] = false;
}

static void json_close(struct json_writer *w, char c)
{
	if (!w->depth || w->expect_value) {
		w->failed = true;
		return;
	}
	w->depth--;
	fputc(c, w->out);
}

void json_object_begin(struct json_writer *w)
{
	json_open(w, '{');
}

void json_object_end(struct json_writer *w)
{
	json_close(w, '}');
}

void json_array_begin(struct json_writer *w)
{
	json_open(w, '[');
}

void json_array_end(struct json_writer *w)
{
	json_close(w, ']');
}

void json_key(struct json_writer *w, const char *key)
{
	if (w->expect_value || !w->depth)
		w->failed = true;
	json_before_value(w);
	json_write_escaped(w->out, key, strlen(key));
	fputc(':', w->out);
	w->expect_value = true;
}

/*
 * Length of the valid UTF-8 sequence starting at s, or 0 when it is invalid
 * (bad lead byte, truncated, overlong, surrogate or above U+10FFFF).
 */
static size_t utf8_sequence_len(const unsigned char *s, size_t avail)
{
	unsigned char c = s[0];
	size_t need, i;
	uint32_t cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		need = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		need = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		need = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (avail < need)
		return 0;
	for (i = 1; i < need; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((need == 3 && cp < 0x800) || (need == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return need;
}

void json_write_escaped(FILE *out, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	fputc('"', out);
	while (i < len) {
		unsigned char c = s[i];
		size_t n;

		switch (c) {
		case '"':
			fputs("\\\"", out);
			break;
		case '\\':
			fputs("\\\\", out);
			break;
		case '\b':
			fputs("\\b", out);
			break;
		case '\f':
			fputs("\\f", out);
			break;
		case '\n':
			fputs("\\n", out);
			break;
		case '\r':
			fputs("\\r", out);
			break;
		case '\t':
			fputs("\\t", out);
			break;
		default:
			if (c < 0x20 || c == 0x7f) {
				fprintf(out, "\\u%04x", c);
				break;
			}
			n = utf8_sequence_len(s + i, len - i);
			if (!n) {
				fputs("\\ufffd", out);
				break;
			}
			fwrite(s + i, 1, n, out);
			i += n;
			continue;
		}
		i++;
	}
	fputc('"', out);
}

void json_string_len(struct json_writer *w, const char *s, size_t len)
{
	json_before_value(w);
	json_write_escaped(w->out, s, len);
}

void json_string(struct json_writer *w, const char *s)
{
	json_string_len(w, s, strlen(s));
}

void json_u64(struct json_writer *w, uint64_t v)
{
	json_before_value(w);
	fprintf(w->out, "%" PRIu64, v);
}

void json_i64(struct json_writer *w, int64_t v)
{
	json_before_value(w);
	fprintf(w->out, "%" PRId64, v);
}

void json_bool(struct json_writer *w, bool v)
{
	json_before_value(w);
	fputs(v ? "true" : "false", w->out);
}

void json_null(struct json_writer *w)
{
	json_before_value(w);
	fputs("null", w->out);
}

int json_finish(struct json_writer *w)
{
	if (w->depth || w->expect_value)
		w->failed = true;
	fputc('\n', w->out);
	return w->failed ? -1 : 0;
}
