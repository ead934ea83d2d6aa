/* SPDX-License-Identifier: GPL-3.0-or-later */
/* timeparse.h - durations, absolute times and zone offsets.
 *
 * Everything here is plain calendar arithmetic on the proleptic Gregorian
 * calendar in UTC: the process TZ and locale are never consulted, so a
 * plugin gives the same answer under any monitoring core's environment.
 *
 * Errors: each parser returns 0 on success and -1 on failure, and then sets
 * *errstr (when errstr is not NULL) to a constant English phrase that the
 * caller can put after the option name, e.g.
 *   "--window '15x': unknown unit 'x' (use s, m, h, d or w)". */
#ifndef AD_TIMEPARSE_H
#define AD_TIMEPARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Largest duration accepted: 100 years of 365 days. Nothing sensible is
 * longer, and the cap keeps "now - duration" far from int64 overflow. */
#define TIMEPARSE_DURATION_MAX INT64_C(3153600000)
/* Real zone offsets lie within UTC-12:00 .. UTC+14:00. */
#define TIMEPARSE_OFFSET_MAX (14 * 3600)
/* Years accepted in dates: FILETIME starts in 1601, four digits end in 9999. */
#define TIMEPARSE_YEAR_MIN 1601
#define TIMEPARSE_YEAR_MAX 9999
/* "YYYY-MM-DDTHH:MM:SSZ" plus the terminating NUL. */
#define TIMEPARSE_ISO_LEN 21

/* Durations: one or more <digits><unit> groups, unit s, m, h, d or w
 * ("90s", "15m", "2h", "1d", "1w", "1h30m"), or plain digits meaning
 * seconds ("300"), as with -t/--timeout. Zero is accepted (callers that need
 * a positive window check that). No sign, no spaces, no fractions, no
 * uppercase units (is "M" minutes or months?), at most
 * TIMEPARSE_DURATION_MAX seconds. */
int timeparse_duration(const char *s, int64_t *seconds, const char **errstr);

/* An absolute time for --now:
 *   "2020-07-22T04:04:02Z", "2020-07-22T06:04:02+02:00", "...+0200", "...+02",
 *   "2020-07-22T04:04:02.123Z" (fraction dropped),
 *   "2020-07-22 04:04:02" or "2020-07-22T04:04:02" (no zone: UTC),
 *   "@1595390642" (Unix seconds, not negative).
 * Result in Unix seconds UTC. */
int timeparse_absolute(const char *s, int64_t *unix_time, const char **errstr);

/* A date and time as found in logs: same grammar as timeparse_absolute()
 * without the "@" form. A string without a zone is local time at
 * default_offset seconds east of UTC (NXLog's EventTime); one with a zone
 * uses its own. *had_zone (may be NULL) tells which happened. */
int timeparse_timestamp(const char *s, int32_t default_offset,
			int64_t *unix_time, bool *had_zone,
			const char **errstr);

/* A zone offset for --event-tz: "+02:00", "-0500", "+02", "UTC", "Z" (case
 * does not matter for the names). Result in seconds east of UTC, within
 * +-TIMEPARSE_OFFSET_MAX. */
int timeparse_zone_offset(const char *s, int32_t *offset, const char **errstr);

/* Unix seconds of a UTC calendar time; fields are not range-checked here
 * beyond what the arithmetic needs (year >= 1). */
int64_t timeparse_utc(int year, int month, int day, int hour, int minute,
		      int second);

/* Windows FILETIME (100 ns ticks since 1601-01-01 UTC) to Unix seconds,
 * rounding down. Returns false for 0, which EVTX uses for "no time". */
bool timeparse_filetime(uint64_t filetime, int64_t *unix_time);

/* Formats t as "YYYY-MM-DDTHH:MM:SSZ" into buf (at least TIMEPARSE_ISO_LEN
 * bytes). Years outside 0..9999 print as "out-of-range". */
void timeparse_format_utc(int64_t t, char *buf, size_t len);

#endif
