/* SPDX-License-Identifier: GPL-3.0-or-later */
/* exceptions.h - accepted exceptions from the config file.
 *
 *   exceptions = (
 *     { account = "SQL01$"; reason = "CHG-1234 double hop"; expires = "2027-03-31"; }
 *   );
 *
 * An exception is valid through its expiry date (UTC, inclusive); an
 * expired one no longer hides anything and is reported as expired. */
#ifndef AD_EXCEPTIONS_H
#define AD_EXCEPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "cfgfile.h"

typedef struct {
	char *match;       /* account name or DN, or trust partner */
	char *reason;
	bool has_expiry;
	time_t expires;    /* first second after the expiry date, UTC */
	char expires_text[11];
	bool used;         /* matched something in this run */
} ad_exception;

typedef struct {
	ad_exception *items;
	size_t n;
} ad_exception_list;

/* Reads the list KEY of the config (section, else defaults); every element
 * needs MATCH_KEY ("account", "trust") and "reason", "expires" is optional
 * (YYYY-MM-DD).  CFG may be NULL: an empty list.  Returns 0, or -1 with a
 * malloc'ed *ERR naming the config line. */
int ad_exceptions_load(const ad_config *cfg, const char *key,
		       const char *match_key, ad_exception_list *out, char **err);
void ad_exceptions_free(ad_exception_list *l);

/* The first exception whose match equals one of NAMES (case-insensitive;
 * a DN compares without spaces around ',' and '=', and "NAME" also matches
 * an account "NAME$"), or NULL.  Marks it used. */
ad_exception *ad_exceptions_find(ad_exception_list *l, const char *const *names,
				 size_t n_names);

bool ad_exception_expired(const ad_exception *e, time_t now);

#endif
