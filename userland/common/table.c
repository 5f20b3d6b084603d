// SPDX-License-Identifier: GPL-2.0
#include "common/table.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void table_init(struct table *t, const struct table_column *columns,
		size_t ncolumns)
{
	memset(t, 0, sizeof(*t));
	t->columns = columns;
	t->ncolumns = ncolumns;
}

static bool table_reserve_row(struct table *t)
{
	size_t want = t->capacity ? t->capacity * 2 : 16;
	char **cells;

	if (t->nrows < t->capacity)
		return true;
	cells = reallocarray(t->cells, want * t->ncolumns, sizeof(*cells));
	if (!cells)
		return false;
	memset(cells + t->capacity * t->ncolumns, 0,
	       (want - t->capacity) * t->ncolumns * sizeof(*cells));
	t->cells = cells;
	t->capacity = want;
	return true;
}

static void table_store(struct table *t, char *text)
{
	if (!text || t->out_of_memory || !table_reserve_row(t)) {
		free(text);
		t->out_of_memory = true;
		return;
	}
	t->cells[t->nrows * t->ncolumns + t->cur_column] = text;
	if (++t->cur_column == t->ncolumns) {
		t->cur_column = 0;
		t->nrows++;
	}
}

void table_cell(struct table *t, const char *text)
{
	table_store(t, strdup(text));
}

void table_cellf(struct table *t, const char *fmt, ...)
{
	char *text;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&text, fmt, ap);
	va_end(ap);
	table_store(t, n < 0 ? NULL : text);
}

/* Rows are built in line[] so that trailing blanks can be cut. */
static void table_print_row(const struct table *t, FILE *out,
			    const size_t *width, const char *const *row,
			    char *line)
{
	size_t c, used = 0;

	for (c = 0; c < t->ncolumns; c++) {
		const char *text = row[c] ? row[c] : "";
		size_t len = strlen(text), pad = width[c] - len;

		if (c) {
			memcpy(line + used, "  ", 2);
			used += 2;
		}
		if (t->columns[c].align == TABLE_RIGHT) {
			memset(line + used, ' ', pad);
			used += pad;
		}
		memcpy(line + used, text, len);
		used += len;
		if (t->columns[c].align == TABLE_LEFT) {
			memset(line + used, ' ', pad);
			used += pad;
		}
	}
	while (used && line[used - 1] == ' ')
		used--;
	line[used] = '\n';
	fwrite(line, 1, used + 1, out);
}

int table_print(const struct table *t, FILE *out)
{
	size_t r, c, line_len = 1;
	const char **header;
	size_t *width;
	char *line;

	if (t->out_of_memory)
		return -1;
	width = calloc(t->ncolumns, sizeof(*width));
	header = calloc(t->ncolumns, sizeof(*header));
	if (!width || !header) {
		free(width);
		free(header);
		return -1;
	}
	for (c = 0; c < t->ncolumns; c++) {
		header[c] = t->columns[c].header;
		width[c] = strlen(header[c]);
		for (r = 0; r < t->nrows; r++) {
			const char *text = t->cells[r * t->ncolumns + c];
			size_t len = text ? strlen(text) : 0;

			if (len > width[c])
				width[c] = len;
		}
	}
	for (c = 0; c < t->ncolumns; c++)
		line_len += width[c] + 2;
	line = malloc(line_len);
	if (!line) {
		free(width);
		free(header);
		return -1;
	}
	table_print_row(t, out, width, header, line);
	for (r = 0; r < t->nrows; r++)
		table_print_row(t, out, width,
				(const char *const *)&t->cells[r * t->ncolumns],
				line);
	free(line);
	free(width);
	free(header);
	return 0;
}

void table_free(struct table *t)
{
	size_t i;

	for (i = 0; i < t->capacity * t->ncolumns; i++)
		free(t->cells[i]);
	free(t->cells);
	memset(t, 0, sizeof(*t));
}
