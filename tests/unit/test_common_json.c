// SPDX-License-Identifier: GPL-2.0
/* Unit tests of userland/common/json.c: structure, commas and escaping. */
#include <stdlib.h>
#include <string.h>

#include "common/json.h"
#include "tap.h"

struct capture {
	char *text;
	size_t len;
	FILE *f;
	struct json_writer w;
};

static void capture_start(struct capture *c)
{
	c->text = NULL;
	c->f = open_memstream(&c->text, &c->len);
	json_init(&c->w, c->f);
}

/* Returns json_finish()'s verdict; the text is in c->text. */
static int capture_end(struct capture *c)
{
	int r = json_finish(&c->w);

	fclose(c->f);
	return r;
}

static void check_escape(const char *in, size_t len, const char *want,
			 const char *name)
{
	struct capture c;

	capture_start(&c);
	json_string_len(&c.w, in, len);
	capture_end(&c);
	c.text[strlen(c.text) - 1] = '\0';	/* the final newline */
	tap_is_str(c.text, want, name);
	free(c.text);
}

static void test_escaping(void)
{
	check_escape("plain", 5, "\"plain\"", "plain string");
	check_escape("", 0, "\"\"", "empty string");
	check_escape("a\"b\\c", 5, "\"a\\\"b\\\\c\"", "quote and backslash");
	check_escape("\b\f\n\r\t", 5, "\"\\b\\f\\n\\r\\t\"", "short escapes");
	check_escape("\x01\x1f\x7f", 3, "\"\\u0001\\u001f\\u007f\"",
		     "control characters as \\u00XX");
	check_escape("a\0b", 3, "\"a\\u0000b\"", "embedded NUL");
	check_escape("/", 1, "\"/\"", "slash left alone");
	check_escape("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x92", 14,
		     "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x92\"",
		     "valid UTF-8 passes through");
	check_escape("a\xff" "b", 3, "\"a\\ufffdb\"", "invalid byte replaced");
	check_escape("\xc3", 1, "\"\\ufffd\"", "truncated sequence replaced");
	check_escape("\xc0\xaf", 2, "\"\\ufffd\\ufffd\"",
		     "overlong encoding replaced");
	check_escape("\xed\xa0\x80", 3, "\"\\ufffd\\ufffd\\ufffd\"",
		     "UTF-16 surrogate replaced");
	check_escape("\xf4\x90\x80\x80", 4, "\"\\ufffd\\ufffd\\ufffd\\ufffd\"",
		     "above U+10FFFF replaced");
}

static void test_structure(void)
{
	struct capture c;

	capture_start(&c);
	json_array_begin(&c.w);
	json_object_begin(&c.w);
	json_key(&c.w, "n");
	json_u64(&c.w, UINT64_MAX);
	json_key(&c.w, "neg");
	json_i64(&c.w, -5);
	json_key(&c.w, "ok");
	json_bool(&c.w, true);
	json_key(&c.w, "no");
	json_bool(&c.w, false);
	json_key(&c.w, "nil");
	json_null(&c.w);
	json_key(&c.w, "k\"ey");
	json_string(&c.w, "v");
	json_key(&c.w, "nested");
	json_object_begin(&c.w);
	json_object_end(&c.w);
	json_key(&c.w, "list");
	json_array_begin(&c.w);
	json_u64(&c.w, 1);
	json_u64(&c.w, 2);
	json_array_end(&c.w);
	json_object_end(&c.w);
	json_object_begin(&c.w);
	json_object_end(&c.w);
	json_array_end(&c.w);
	tap_is_int(capture_end(&c), 0, "well-formed document finishes");
	tap_is_str(c.text,
		   "[{\"n\":18446744073709551615,\"neg\":-5,\"ok\":true,"
		   "\"no\":false,\"nil\":null,\"k\\\"ey\":\"v\",\"nested\":{},"
		   "\"list\":[1,2]},{}]\n",
		   "commas, nesting and keys");
	free(c.text);

	capture_start(&c);
	json_array_begin(&c.w);
	json_array_end(&c.w);
	tap_is_int(capture_end(&c), 0, "empty array");
	tap_is_str(c.text, "[]\n", "empty array text");
	free(c.text);

	capture_start(&c);
	json_object_begin(&c.w);
	tap_is_int(capture_end(&c), -1, "unclosed object is reported");
	free(c.text);

	capture_start(&c);
	json_object_begin(&c.w);
	json_key(&c.w, "dangling");
	json_object_end(&c.w);
	tap_is_int(capture_end(&c), -1, "key without value is reported");
	free(c.text);

	capture_start(&c);
	json_array_end(&c.w);
	tap_is_int(capture_end(&c), -1, "unbalanced close is reported");
	free(c.text);

	capture_start(&c);
	for (int i = 0; i <= JSON_MAX_DEPTH; i++)
		json_array_begin(&c.w);
	tap_is_int(capture_end(&c), -1, "nesting beyond the limit is reported");
	free(c.text);
}

int main(void)
{
	test_escaping();
	test_structure();
	return tap_done();
}
