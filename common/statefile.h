/* SPDX-License-Identifier: GPL-3.0-or-later */
/* statefile.h - what a check remembers between runs: a small key/value
 * file, locked against concurrent runs and replaced atomically.
 *
 * The lock is held on PATH.lock from ad_state_open() to ad_state_close(), so
 * a second run waits for the first and then sees what it saved.  A missing
 * file is an empty state; a corrupt one is reported (never fatal), read as
 * empty, and replaced by the next save. */
#ifndef AD_STATEFILE_H
#define AD_STATEFILE_H

#include <stdbool.h>
#include <stddef.h>

typedef struct ad_state ad_state;

typedef enum {
	AD_STATE_LOADED,   /* read as saved */
	AD_STATE_MISSING,  /* first run: no file yet */
	AD_STATE_CORRUPT   /* unreadable content: *NOTE says why */
} ad_state_status;

/* Opens PATH for KIND (e.g. "check_ad_trust_delegation": a state file of
 * another check is refused as corrupt), waits for the lock (once the
 * timeout is armed, until a second before it runs out).  Returns NULL with
 * a malloc'ed *ERR when the file or its lock cannot be opened at all, or
 * the lock is still held then;
 * otherwise *STATUS tells how the content was, with a malloc'ed *NOTE for
 * a corrupt file. */
ad_state *ad_state_open(const char *path, const char *kind,
			ad_state_status *status, char **note, char **err);

/* The value of KEY, or NULL. */
const char *ad_state_get(const ad_state *s, const char *key);
bool ad_state_has(const ad_state *s, const char *key);
size_t ad_state_count(const ad_state *s);
const char *ad_state_key(const ad_state *s, size_t i);

/* Changes the content that the next save writes. */
void ad_state_set(ad_state *s, const char *key, const char *value);
void ad_state_clear(ad_state *s);

/* Writes the content to a temporary file beside PATH, flushes it and renames
 * it over PATH.  Returns 0, or -1 with a malloc'ed *ERR. */
int ad_state_save(ad_state *s, char **err);

/* Releases the lock and frees S. */
void ad_state_close(ad_state *s);

#endif
