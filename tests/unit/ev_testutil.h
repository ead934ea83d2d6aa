/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tests/unit/ev_testutil.h - shared helpers of the event reader tests:
 * where the sample data is, temporary files, and a callback that keeps a
 * copy of every event delivered. Include after tap.h. */
#ifndef AD_TESTS_EV_TESTUTIL_H
#define AD_TESTS_EV_TESTUTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ticket_event.h"

#define EV_MAX_DOMAINS 16
#define EV_MAX_TMP_FILES 64

/* Events kept by collect_cb(). */
struct collected {
	struct ticket_event *ev;
	size_t n, cap;
	size_t stop_after; /* > 0: ask the reader to stop after that many */
	char domains[EV_MAX_DOMAINS][TICKET_EVENT_HOST_LEN];
	size_t ndomains;
};

/* Temporary directory and the files made in it, removed by tmp_cleanup(). */
struct tmpdir {
	char dir[256];
	char *files[EV_MAX_TMP_FILES];
	size_t nfiles;
};

static inline const char *top_srcdir(void)
{
	const char *t = getenv("TOP_SRCDIR");
	return (t && *t) ? t : ".";
}

/* "<TOP_SRCDIR>/tests/data/events/<rel>", malloc'ed. */
static inline char *data_path(const char *rel)
{
	size_t n = strlen(top_srcdir()) + strlen(rel) + 32;
	char *p = malloc(n);
	if (p)
		snprintf(p, n, "%s/tests/data/events/%s", top_srcdir(), rel);
	return p;
}

static inline void note_domain(struct collected *c, const char *d)
{
	for (size_t i = 0; i < c->ndomains; i++)
		if (strcmp(c->domains[i], d) == 0)
			return;
	if (c->ndomains < EV_MAX_DOMAINS)
		snprintf(c->domains[c->ndomains++], TICKET_EVENT_HOST_LEN, "%s", d);
}

static inline int collect_cb(const struct ticket_event *ev, void *ctx)
{
	struct collected *c = ctx;

	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 16;
		struct ticket_event *p = realloc(c->ev, cap * sizeof(*p));
		if (p == NULL)
			return 1;
		c->ev = p;
		c->cap = cap;
	}
	c->ev[c->n++] = *ev;
	note_domain(c, ev->target_domain);
	return (c->stop_after && c->n >= c->stop_after) ? 1 : 0;
}

static inline void collected_free(struct collected *c)
{
	free(c->ev);
	memset(c, 0, sizeof(*c));
}

/* The collected event with that record identifier, or NULL. */
static inline const struct ticket_event *find_record(const struct collected *c,
					      uint64_t id)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->ev[i].has_record_id && c->ev[i].record_id == id)
			return &c->ev[i];
	return NULL;
}

/* Are the distinct TargetDomainName values seen exactly those in want,
 * a '|'-separated list ("" inside the list is the empty name)? */
static inline int domains_are(const struct collected *c, const char *want)
{
	char buf[512];
	size_t nwant = 0;
	char *p, *save = buf;

	snprintf(buf, sizeof(buf), "%s", want);
	for (;;) {
		int found = 0;
		p = save;
		save = strchr(p, '|');
		if (save)
			*save++ = '\0';
		for (size_t i = 0; i < c->ndomains; i++)
			if (strcmp(c->domains[i], p) == 0)
				found = 1;
		if (!found)
			return 0;
		nwant++;
		if (save == NULL)
			break;
	}
	return nwant == c->ndomains;
}

static inline int tmp_init(struct tmpdir *t)
{
	/* tests/run-all.sh gives each test its own TEST_TMP. */
	const char *base = getenv("TEST_TMP");

	if (base == NULL || *base == '\0')
		base = getenv("TMPDIR");

	memset(t, 0, sizeof(*t));
	snprintf(t->dir, sizeof(t->dir), "%s/ev_test_XXXXXX",
		 (base && *base) ? base : "/tmp");
	return mkdtemp(t->dir) ? 0 : -1;
}

/* Path of a new file name in the directory (remembered for cleanup). */
static inline const char *tmp_file(struct tmpdir *t, const char *name)
{
	size_t n = strlen(t->dir) + strlen(name) + 2;
	char *p;

	if (t->nfiles == EV_MAX_TMP_FILES || (p = malloc(n)) == NULL)
		return NULL;
	snprintf(p, n, "%s/%s", t->dir, name);
	t->files[t->nfiles++] = p;
	return p;
}

static inline int write_bytes(const char *path, const char *mode, const void *data,
		       size_t len)
{
	FILE *f = fopen(path, mode);
	int ok;

	if (f == NULL)
		return -1;
	ok = fwrite(data, 1, len, f) == len;
	return (fclose(f) == 0 && ok) ? 0 : -1;
}

/* Whole file in memory (tests only; files are small). */
static inline char *read_bytes(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0, got;

	if (f == NULL)
		return NULL;
	do {
		if (n + 65536 + 1 > cap) {
			char *p = realloc(buf, cap = n + 65536 + 1);
			if (p == NULL) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = p;
		}
		got = fread(buf + n, 1, cap - n - 1, f);
		n += got;
	} while (got > 0);
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

static inline void tmp_cleanup(struct tmpdir *t)
{
	for (size_t i = 0; i < t->nfiles; i++) {
		unlink(t->files[i]);
		free(t->files[i]);
	}
	t->nfiles = 0;
	rmdir(t->dir);
}

#endif
