/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "statefile.h"
#include "strlist.h"
#include "timeout.h"

/* seconds before the check's timeout at which waiting for the lock stops */
#define LOCK_MARGIN 1.0
#define STATE_MAGIC "ad-delegation-plugins-state 1"
#define STATE_MAX_BYTES (64u << 20)

struct ad_state {
	char *path;
	char *kind;
	int lock_fd;
	strlist keys;
	strlist values;
};

/* Keys and values may hold any byte (hostile account names): '%', '=',
 * control characters and non-ASCII are written as %XX. */
static void put_escaped(strbuf *b, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '%' || *p == '=' || *p < 0x21 || *p > 0x7e)
			strbuf_printf(b, "%%%02X", *p);
		else
			strbuf_add(b, (const char *)p, 1);
	}
}


/* Decodes [s, s+n) into a new string; NULL if malformed. */
static char *unescape(const char *s, size_t n)
{
	char *out = xmalloc(n + 1);
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%') {
			int hi, lo;
			if (i + 2 >= n || (hi = hex_digit_value((unsigned char)s[i + 1])) < 0 ||
			    (lo = hex_digit_value((unsigned char)s[i + 2])) < 0 || (hi | lo) == 0) {
				free(out);
				return NULL;
			}
			out[k++] = (char)(hi * 16 + lo);
			i += 2;
		} else if ((unsigned char)s[i] < 0x21 || (unsigned char)s[i] > 0x7e || s[i] == '=') {
			free(out);
			return NULL;
		} else {
			out[k++] = s[i];
		}
	}
	out[k] = '\0';
	return out;
}

/* Parses the whole file; returns NULL when fine, else a static reason. */
static const char *parse(ad_state *s, char *text, size_t len)
{
	char *line = text, *end = text + len, *nl, *eq, *k, *v;
	size_t declared = 0, lines = 0;
	bool ended = false;
	char header[256];

	if (memchr(text, '\0', len) != NULL)
		return "it contains NUL bytes";
	snprintf(header, sizeof header, "%s %s", STATE_MAGIC, s->kind);
	nl = memchr(line, '\n', (size_t)(end - line));
	if (nl == NULL || (size_t)(nl - line) != strlen(header) ||
	    memcmp(line, header, strlen(header)) != 0)
		return "its first line is not the state header of this check";
	for (line = nl + 1; line < end; line = nl + 1) {
		nl = memchr(line, '\n', (size_t)(end - line));
		if (nl == NULL)
			return "its last line is incomplete";
		if (ended)
			return "it has content after its end marker";
		*nl = '\0';
		if (strncmp(line, "end ", 4) == 0) {
			char *e;
			declared = strtoul(line + 4, &e, 10);
			if (*e != '\0' || declared != lines)
				return "its entry count does not match";
			ended = true;
			continue;
		}
		eq = strchr(line, '=');
		if (eq == NULL)
			return "a line has no '='";
		k = unescape(line, (size_t)(eq - line));
		v = unescape(eq + 1, strlen(eq + 1));
		if (k == NULL || v == NULL || *k == '\0') {
			free(k);
			free(v);
			return "a line has a malformed escape";
		}
		strlist_add_owned(&s->keys, k);
		strlist_add_owned(&s->values, v);
		lines++;
	}
	return ended ? NULL : "it has no end marker (truncated)";
}

/* Waits for the lock: 0, -1 with errno, or -2 when another run still holds
 * it a second before the check's timeout (the check then still reports
 * what it found, rather than the backstop firing). */
static int wait_lock(int fd, double *waited)
{
	struct timespec pause = {0, 20 * 1000 * 1000};
	double t0 = mp_timeout_elapsed();

	*waited = 0;
	if (!mp_timeout_armed()) {
		while (flock(fd, LOCK_EX) < 0)
			if (errno != EINTR)
				return -1;
		return 0;
	}
	while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno != EWOULDBLOCK && errno != EINTR)
			return -1;
		*waited = mp_timeout_elapsed() - t0;
		if (mp_timeout_remaining() <= LOCK_MARGIN)
			return -2;
		nanosleep(&pause, NULL);
	}
	return 0;
}

ad_state *ad_state_open(const char *path, const char *kind, ad_state_status *status,
			char **note, char **err)
{
	ad_state *s = xcalloc(1, sizeof *s);
	char *lockpath = xasprintf("%s.lock", path);
	struct stat st;
	char *text = NULL;
	const char *why;
	double waited;
	int fd = -1, rc;

	*note = NULL;
	s->path = xstrdup(path);
	s->kind = xstrdup(kind);
	strlist_init(&s->keys);
	strlist_init(&s->values);
	s->lock_fd = open(lockpath, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	rc = s->lock_fd < 0 ? -1 : wait_lock(s->lock_fd, &waited);
	if (rc == -2) {
		*err = xasprintf("cannot lock state file %s: another run still holds it after "
				 "%.1f s", lockpath, waited);
		goto fail;
	}
	if (rc < 0) {
		*err = xasprintf("cannot lock state file %s: %s", lockpath, strerror(errno));
		goto fail;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		*status = AD_STATE_MISSING;
		goto done;
	}
	if (fd < 0 || fstat(fd, &st) < 0) {
		*err = xasprintf("cannot read state file %s: %s", path, strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode) || (size_t)st.st_size > STATE_MAX_BYTES) {
		*err = xasprintf("state file %s is not a regular file of a sane size", path);
		goto fail;
	}
	text = xmalloc((size_t)st.st_size + 1);
	{
		size_t got = 0;
		ssize_t r;
		while (got < (size_t)st.st_size &&
		       (r = read(fd, text + got, (size_t)st.st_size - got)) > 0)
			got += (size_t)r;
		text[got] = '\0';
		why = parse(s, text, got);
	}
	if (why != NULL) {
		*status = AD_STATE_CORRUPT;
		*note = xasprintf("state file %s was corrupt (%s) and is replaced", path, why);
		ad_state_clear(s);
	} else {
		*status = AD_STATE_LOADED;
	}
done:
	if (fd >= 0)
		close(fd);
	free(text);
	free(lockpath);
	return s;
fail:
	if (fd >= 0)
		close(fd);
	free(text);
	free(lockpath);
	ad_state_close(s);
	return NULL;
}

static ssize_t find(const ad_state *s, const char *key)
{
	for (size_t i = 0; i < s->keys.n; i++)
		if (strcmp(s->keys.items[i], key) == 0)
			return (ssize_t)i;
	return -1;
}

const char *ad_state_get(const ad_state *s, const char *key)
{
	ssize_t i = find(s, key);
	return i < 0 ? NULL : s->values.items[i];
}

bool ad_state_has(const ad_state *s, const char *key)
{
	return find(s, key) >= 0;
}

size_t ad_state_count(const ad_state *s)
{
	return s->keys.n;
}

const char *ad_state_key(const ad_state *s, size_t i)
{
	return i < s->keys.n ? s->keys.items[i] : NULL;
}

void ad_state_set(ad_state *s, const char *key, const char *value)
{
	ssize_t i = find(s, key);

	if (i >= 0) {
		free(s->values.items[i]);
		s->values.items[i] = xstrdup(value);
		return;
	}
	strlist_add(&s->keys, key);
	strlist_add(&s->values, value);
}

void ad_state_clear(ad_state *s)
{
	strlist_free(&s->keys);
	strlist_free(&s->values);
}

int ad_state_save(ad_state *s, char **err)
{
	char *tmp = xasprintf("%s.tmp.%ld", s->path, (long)getpid());
	strbuf b;
	int fd, rc = -1;
	size_t off = 0;

	strbuf_init(&b);
	strbuf_printf(&b, "%s %s\n", STATE_MAGIC, s->kind);
	for (size_t i = 0; i < s->keys.n; i++) {
		put_escaped(&b, s->keys.items[i]);
		strbuf_puts(&b, "=");
		put_escaped(&b, s->values.items[i]);
		strbuf_puts(&b, "\n");
	}
	strbuf_printf(&b, "end %zu\n", s->keys.n);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		*err = xasprintf("cannot write state file %s: %s", tmp, strerror(errno));
		goto done;
	}
	while (off < b.len) {
		ssize_t w = write(fd, b.s + off, b.len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			*err = xasprintf("cannot write state file %s: %s", tmp, strerror(errno));
			close(fd);
			unlink(tmp);
			goto done;
		}
		off += (size_t)w;
	}
	if (fsync(fd) < 0 || close(fd) < 0 || rename(tmp, s->path) < 0) {
		*err = xasprintf("cannot replace state file %s: %s", s->path, strerror(errno));
		unlink(tmp);
		goto done;
	}
	rc = 0;
done:
	strbuf_free(&b);
	free(tmp);
	return rc;
}

void ad_state_close(ad_state *s)
{
	if (s == NULL)
		return;
	if (s->lock_fd >= 0)
		close(s->lock_fd); /* releases the lock */
	ad_state_clear(s);
	free(s->path);
	free(s->kind);
	free(s);
}
