/* SPDX-License-Identifier: GPL-3.0-or-later */
/* strlist.h - a growable string buffer and a list of owned strings.
 * Allocation failure is fatal (UNKNOWN): a plugin cannot report anything
 * useful without memory. */
#ifndef AD_STRLIST_H
#define AD_STRLIST_H

#include <stdarg.h>
#include <stddef.h>

typedef struct {
	char *s;     /* always NUL-terminated once anything was added */
	size_t len;
	size_t cap;
} strbuf;

void strbuf_init(strbuf *b);
void strbuf_free(strbuf *b);
void strbuf_add(strbuf *b, const char *s, size_t n);
void strbuf_puts(strbuf *b, const char *s);
void strbuf_printf(strbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void strbuf_vprintf(strbuf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
/* Hands over the string (never NULL) and leaves B empty. */
char *strbuf_take(strbuf *b);

typedef struct {
	char **items;
	size_t n;
	size_t cap;
} strlist;

void strlist_init(strlist *l);
void strlist_free(strlist *l);
/* Adds a copy of S. */
void strlist_add(strlist *l, const char *s);
/* Adds S itself; the list owns it from now on. */
void strlist_add_owned(strlist *l, char *s);
void strlist_sort(strlist *l);
/* Case-insensitive membership test. */
int strlist_contains_nocase(const strlist *l, const char *s);

/* Checked allocation helpers (fatal UNKNOWN on failure). */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* *ERR = xasprintf(FMT, ...), unless ERR is NULL. */
void set_error(char **err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The value of a hexadecimal digit, or -1. */
int hex_digit_value(int c);

#endif
