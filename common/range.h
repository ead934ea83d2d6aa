/* SPDX-License-Identifier: GPL-3.0-or-later */
/* range.h - Monitoring Plugins threshold ranges and warning/critical pairs.
 *
 * Syntax [@][start:][end]: a missing start is 0, a missing end is +infinity,
 * "~" as start is -infinity.  Without "@" a value alerts when it lies outside
 * [start, end] (both ends inclusive); with "@" when it lies inside. */
#ifndef AD_RANGE_H
#define AD_RANGE_H

#include <stdbool.h>
#include <stddef.h>

#include "state.h"

#define MP_RANGE_TEXT_MAX 64

typedef struct {
	double start;
	double end;
	bool start_infinite; /* "~": -infinity */
	bool end_infinite;   /* missing end: +infinity */
	bool inside;         /* "@": alert inside the range */
	char text[MP_RANGE_TEXT_MAX]; /* as given, for perfdata and messages */
} mp_range;

/* Parses TEXT into *OUT.  Returns 0, or -1 with *ERR pointing to a static
 * reason ("start is greater than end", ...). */
int mp_range_parse(const char *text, mp_range *out, const char **err);

/* True when VALUE is in the alert region of R. */
bool mp_range_alerts(const mp_range *r, double value);

/* True when R is a plain upper bound "N" (0..N), which monitoring cores
 * understand in perfdata; other forms are printed as given. */
bool mp_range_is_plain_upper(const mp_range *r);

typedef struct {
	bool has_warning;
	bool has_critical;
	mp_range warning;
	mp_range critical;
} mp_thresholds;

/* Sets warning and/or critical (NULL leaves that one unset).  Returns 0, or
 * -1 with *ERR naming the bad range. */
int mp_thresholds_set(mp_thresholds *t, const char *warning,
		      const char *critical, const char **err);

/* The same for plugins: a bad range ends the run with UNKNOWN and a message
 * naming WHAT ("unconstrained warning threshold '5:1': start is greater ..."). */
void mp_thresholds_parse_or_die(mp_thresholds *t, const char *warning,
				const char *critical, const char *what);

/* CRITICAL if the critical range alerts, else WARNING if the warning range
 * alerts, else OK.  Critical is evaluated first. */
mp_state mp_thresholds_state(const mp_thresholds *t, double value);

#endif
