/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Aligned text tables for terminals: rows are collected first because a
 * column's width is known only once every row has been seen.
 */
#ifndef KIPSEC_COMMON_TABLE_H
#define KIPSEC_COMMON_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum table_align {
	TABLE_LEFT,
	TABLE_RIGHT,
};

struct table_column {
	const char *header;
	enum table_align align;
};

struct table {
	const struct table_column *columns;
	size_t ncolumns;
	char **cells;		/* nrows * ncolumns, row-major */
	size_t nrows;
	size_t capacity;	/* rows */
	size_t cur_column;	/* of the row being filled */
	bool out_of_memory;
};

void table_init(struct table *t, const struct table_column *columns,
		size_t ncolumns);

/*
 * Appends a cell to the current row; a row is complete after ncolumns
 * cells. Copies the text. On allocation failure the table remembers it and
 * table_print() reports it.
 */
void table_cell(struct table *t, const char *text);
void table_cellf(struct table *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Prints the header and every complete row, columns separated by two
 * spaces, without trailing blanks. Returns -1 if a cell could not be stored.
 */
int table_print(const struct table *t, FILE *out);

void table_free(struct table *t);

#endif
