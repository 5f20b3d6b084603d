// SPDX-License-Identifier: GPL-2.0
/* Unit tests of userland/common/format.c and table.c. */
#include <stdlib.h>
#include <string.h>

#include "common/format.h"
#include "common/table.h"
#include "tap.h"

static void test_human(void)
{
	static const struct {
		uint64_t n;
		const char *bytes, *count;
	} cases[] = {
		{ 0, "0B", "0" },
		{ 999, "999B", "999" },
		{ 1000, "1000B", "1.0k" },
		{ 1023, "1023B", "1.0k" },
		{ 1024, "1.0KiB", "1.0k" },
		{ 1536, "1.5KiB", "1.5k" },
		{ 999999, "976.6KiB", "1.0M" },
		{ 1048575, "1.0MiB", "1.0M" },
		{ 1048576, "1.0MiB", "1.0M" },
		{ 123456789, "117.7MiB", "123.5M" },
		{ 5ULL << 30, "5.0GiB", "5.4G" },
		{ UINT64_MAX, "16.0EiB", "18.4E" },
	};
	char buf[FORMAT_BUF_LEN];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		tap_is_str(human_bytes(cases[i].n, buf, sizeof(buf)),
			   cases[i].bytes, "human_bytes");
		tap_is_str(human_count(cases[i].n, buf, sizeof(buf)),
			   cases[i].count, "human_count");
	}
	tap_is_str(human_duration(0, buf, sizeof(buf)), "0s", "duration 0");
	tap_is_str(human_duration(59, buf, sizeof(buf)), "59s", "duration 59");
	tap_is_str(human_duration(192, buf, sizeof(buf)), "3m12s",
		   "duration minutes");
	tap_is_str(human_duration(7500, buf, sizeof(buf)), "2h05m",
		   "duration hours");
	tap_is_str(human_duration(356400, buf, sizeof(buf)), "4d03h",
		   "duration days");
}

static void test_addr_format(void)
{
	struct ip_addr a = { 0 };
	char buf[FORMAT_BUF_LEN];

	tap_is_str(ip_addr_format(&a, buf, sizeof(buf)), "-", "unset address");
	ip_addr_parse("2001:db8::5", &a);
	tap_is_str(ip_addr_format(&a, buf, sizeof(buf)), "2001:db8::5",
		   "IPv6 address");
	ip_addr_parse("10.1.2.3", &a);
	tap_is_str(ip_addr_format(&a, buf, sizeof(buf)), "10.1.2.3",
		   "IPv4 address");
}

static char *table_to_string(const struct table *t)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	table_print(t, f);
	fclose(f);
	return text;
}

static void test_table(void)
{
	static const struct table_column cols[] = {
		{ "NAME", TABLE_LEFT },
		{ "N", TABLE_RIGHT },
		{ "NOTE", TABLE_LEFT },
	};
	struct table t;
	char *text;

	table_init(&t, cols, 3);
	text = table_to_string(&t);
	tap_is_str(text, "NAME  N  NOTE\n", "empty table prints its header");
	free(text);

	table_cell(&t, "a");
	table_cellf(&t, "%d", 12345);
	table_cell(&t, "x");
	table_cell(&t, "longer-name");
	table_cell(&t, "7");
	table_cell(&t, "");
	text = table_to_string(&t);
	tap_is_str(text,
		   "NAME             N  NOTE\n"
		   "a            12345  x\n"
		   "longer-name      7\n",
		   "columns aligned, no trailing blanks");
	free(text);
	table_free(&t);

	table_init(&t, cols, 3);
	for (int i = 0; i < 100; i++) {
		table_cellf(&t, "r%d", i);
		table_cell(&t, "1");
		table_cell(&t, "n");
	}
	text = table_to_string(&t);
	tap_ok(text && strstr(text, "r99   1  n\n"), "table grows past 16 rows");
	free(text);
	table_free(&t);
}

int main(void)
{
	test_human();
	test_addr_format();
	test_table();
	return tap_done();
}
