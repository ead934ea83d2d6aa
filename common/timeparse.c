/* SPDX-License-Identifier: GPL-3.0-or-later */
/* timeparse.c - durations, absolute times and zone offsets without TZ. */

#include "timeparse.h"

#include <stdio.h>

#define SECS_PER_MINUTE 60
#define SECS_PER_HOUR 3600
#define SECS_PER_DAY 86400
#define SECS_PER_WEEK (7 * SECS_PER_DAY)
/* Days from 0000-03-01 (start of the March-based counting year 0) to
 * 1970-01-01. */
#define DAYS_MARCH0_TO_EPOCH INT64_C(719468)
#define DAYS_PER_400_YEARS INT64_C(146097)
/* FILETIME: 100 ns ticks since 1601-01-01; 11644473600 s separate 1601 from
 * 1970 (369 years, 89 of them leap). */
#define FILETIME_TICKS_PER_SECOND UINT64_C(10000000)
#define FILETIME_UNIX_EPOCH_SECONDS INT64_C(11644473600)
#define MAX_OFFSET_HOURS 14
#define LAST_SECOND 60 /* ISO 8601 allows a leap second */

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static char ascii_lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static bool ascii_equal_nocase(const char *a, const char *b)
{
	while (*a && *b && ascii_lower(*a) == ascii_lower(*b)) {
		a++;
		b++;
	}
	return *a == '\0' && *b == '\0';
}

static void set_err(const char **errstr, const char *msg)
{
	if (errstr)
		*errstr = msg;
}

static bool is_leap(int year)
{
	return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

static int days_in_month(int year, int month)
{
	static const int days[12] = { 31, 28, 31, 30, 31, 30,
				      31, 31, 30, 31, 30, 31 };
	if (month == 2 && is_leap(year))
		return 29;
	return days[month - 1];
}

/* Days since 1970-01-01. Years are counted from 1 March, so the leap day is
 * the last day of a counting year and the number of leap days before
 * counting year y is simply y/4 - y/100 + y/400. Needs year >= 1. */
static int64_t days_from_civil(int64_t year, int month, int day)
{
	int64_t y = month <= 2 ? year - 1 : year;
	int64_t m = month <= 2 ? month + 9 : month - 3; /* March is 0 */
	int64_t day_of_year = (153 * m + 2) / 5 + day - 1;

	return 365 * y + y / 4 - y / 100 + y / 400 + day_of_year -
	       DAYS_MARCH0_TO_EPOCH;
}

int64_t timeparse_utc(int year, int month, int day, int hour, int minute,
		      int second)
{
	return days_from_civil(year, month, day) * SECS_PER_DAY +
	       (int64_t)hour * SECS_PER_HOUR + (int64_t)minute * SECS_PER_MINUTE +
	       second;
}

/* Inverse of days_from_civil() for days >= -DAYS_MARCH0_TO_EPOCH. */
static void civil_from_days(int64_t days, int64_t *year, int *month, int *day)
{
	int64_t z = days + DAYS_MARCH0_TO_EPOCH;
	int64_t era = z / DAYS_PER_400_YEARS;
	int64_t doe = z - era * DAYS_PER_400_YEARS; /* day of 400-year era */
	/* The three corrections remove the leap days of the era so far. */
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153; /* March-based month */

	*day = (int)(doy - (153 * mp + 2) / 5 + 1);
	*month = (int)(mp < 10 ? mp + 3 : mp - 9);
	*year = yoe + era * 400 + (*month <= 2 ? 1 : 0);
}

void timeparse_format_utc(int64_t t, char *buf, size_t len)
{
	int64_t days, secs, year;
	int month, day;

	if (len == 0)
		return;
	days = t / SECS_PER_DAY;
	secs = t % SECS_PER_DAY;
	if (secs < 0) {
		secs += SECS_PER_DAY;
		days--;
	}
	if (days < -DAYS_MARCH0_TO_EPOCH) {
		snprintf(buf, len, "out-of-range");
		return;
	}
	civil_from_days(days, &year, &month, &day);
	if (year > TIMEPARSE_YEAR_MAX) {
		snprintf(buf, len, "out-of-range");
		return;
	}
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02dZ", (int)year, month,
		 day, (int)(secs / SECS_PER_HOUR),
		 (int)(secs % SECS_PER_HOUR / SECS_PER_MINUTE),
		 (int)(secs % SECS_PER_MINUTE));
}

bool timeparse_filetime(uint64_t filetime, int64_t *unix_time)
{
	if (filetime == 0)
		return false;
	*unix_time = (int64_t)(filetime / FILETIME_TICKS_PER_SECOND) -
		     FILETIME_UNIX_EPOCH_SECONDS;
	return true;
}

/* Reads exactly n digits. */
static bool take_digits(const char **p, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!is_digit((*p)[i]))
			return false;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return true;
}

static bool take_char(const char **p, char c)
{
	if (**p != c)
		return false;
	(*p)++;
	return true;
}

/* [+-]HH[[:]MM] at *p; advances past it. */
static int take_numeric_offset(const char **p, int32_t *offset,
			       const char **errstr)
{
	int sign, hours, minutes = 0;

	if (**p != '+' && **p != '-') {
		set_err(errstr, "zone offset must start with + or -");
		return -1;
	}
	sign = **p == '-' ? -1 : 1;
	(*p)++;
	if (!take_digits(p, 2, &hours)) {
		set_err(errstr, "zone offset needs two-digit hours (+02, +02:00, +0200)");
		return -1;
	}
	if (**p == ':') {
		(*p)++;
		if (!take_digits(p, 2, &minutes)) {
			set_err(errstr, "zone offset needs two-digit minutes after ':'");
			return -1;
		}
	} else if (is_digit(**p) && !take_digits(p, 2, &minutes)) {
		set_err(errstr, "zone offset needs two-digit minutes");
		return -1;
	}
	if (minutes >= 60 || hours > MAX_OFFSET_HOURS ||
	    hours * SECS_PER_HOUR + minutes * SECS_PER_MINUTE > TIMEPARSE_OFFSET_MAX) {
		set_err(errstr, "zone offset out of range (-14:00 .. +14:00)");
		return -1;
	}
	*offset = sign * (hours * SECS_PER_HOUR + minutes * SECS_PER_MINUTE);
	return 0;
}

int timeparse_zone_offset(const char *s, int32_t *offset, const char **errstr)
{
	const char *p = s;
	int32_t off;

	if (s == NULL || *s == '\0') {
		set_err(errstr, "empty zone offset");
		return -1;
	}
	if (ascii_equal_nocase(s, "UTC") || ascii_equal_nocase(s, "Z") ||
	    ascii_equal_nocase(s, "GMT")) {
		*offset = 0;
		return 0;
	}
	if (take_numeric_offset(&p, &off, errstr) < 0)
		return -1;
	if (*p != '\0') {
		set_err(errstr, "trailing characters after zone offset (use +02:00, -0500 or UTC)");
		return -1;
	}
	*offset = off;
	return 0;
}

struct civil_time {
	int year, month, day, hour, minute, second;
};

/* "YYYY-MM-DD[T ]HH:MM:SS[.fraction]" at *p; advances past it. */
static int take_civil(const char **p, struct civil_time *ct, const char **errstr)
{
	if (!take_digits(p, 4, &ct->year) || !take_char(p, '-') ||
	    !take_digits(p, 2, &ct->month) || !take_char(p, '-') ||
	    !take_digits(p, 2, &ct->day)) {
		set_err(errstr, "expected a date as YYYY-MM-DD");
		return -1;
	}
	if (**p != 'T' && **p != 't' && **p != ' ') {
		set_err(errstr, "expected 'T' or a space between date and time");
		return -1;
	}
	(*p)++;
	if (!take_digits(p, 2, &ct->hour) || !take_char(p, ':') ||
	    !take_digits(p, 2, &ct->minute) || !take_char(p, ':') ||
	    !take_digits(p, 2, &ct->second)) {
		set_err(errstr, "expected a time as HH:MM:SS");
		return -1;
	}
	/* Fractions of a second are dropped: windows are counted in seconds. */
	if ((**p == '.' || **p == ',') && is_digit((*p)[1])) {
		(*p)++;
		while (is_digit(**p))
			(*p)++;
	}
	return 0;
}

static int check_civil(const struct civil_time *ct, const char **errstr)
{
	if (ct->year < TIMEPARSE_YEAR_MIN || ct->year > TIMEPARSE_YEAR_MAX) {
		set_err(errstr, "year out of range (1601 .. 9999)");
		return -1;
	}
	if (ct->month < 1 || ct->month > 12) {
		set_err(errstr, "month out of range");
		return -1;
	}
	if (ct->day < 1 || ct->day > days_in_month(ct->year, ct->month)) {
		set_err(errstr, "day out of range for that month");
		return -1;
	}
	if (ct->hour > 23 || ct->minute > 59 || ct->second > LAST_SECOND) {
		set_err(errstr, "time of day out of range");
		return -1;
	}
	return 0;
}

int timeparse_timestamp(const char *s, int32_t default_offset,
			int64_t *unix_time, bool *had_zone,
			const char **errstr)
{
	const char *p = s;
	struct civil_time ct;
	int32_t offset = default_offset;
	bool zone = false;

	if (s == NULL || *s == '\0') {
		set_err(errstr, "empty time");
		return -1;
	}
	if (take_civil(&p, &ct, errstr) < 0 || check_civil(&ct, errstr) < 0)
		return -1;
	if (*p == 'Z' || *p == 'z') {
		offset = 0;
		zone = true;
		p++;
	} else if (*p == '+' || *p == '-') {
		if (take_numeric_offset(&p, &offset, errstr) < 0)
			return -1;
		zone = true;
	}
	if (*p != '\0') {
		set_err(errstr, "trailing characters after the time");
		return -1;
	}
	*unix_time = timeparse_utc(ct.year, ct.month, ct.day, ct.hour,
				   ct.minute, ct.second) - offset;
	if (had_zone)
		*had_zone = zone;
	return 0;
}

/* Unsigned decimal that must fill the rest of the string. */
static int take_epoch(const char *p, int64_t *out, const char **errstr)
{
	int64_t v = 0;

	if (*p == '-') {
		set_err(errstr, "negative epoch seconds are not supported");
		return -1;
	}
	if (!is_digit(*p)) {
		set_err(errstr, "expected digits after '@'");
		return -1;
	}
	for (; is_digit(*p); p++) {
		int d = *p - '0';
		if (v > (INT64_MAX - d) / 10) {
			set_err(errstr, "epoch seconds too large");
			return -1;
		}
		v = v * 10 + d;
	}
	if (*p != '\0') {
		set_err(errstr, "trailing characters after epoch seconds");
		return -1;
	}
	*out = v;
	return 0;
}

int timeparse_absolute(const char *s, int64_t *unix_time, const char **errstr)
{
	if (s != NULL && s[0] == '@')
		return take_epoch(s + 1, unix_time, errstr);
	return timeparse_timestamp(s, 0, unix_time, NULL, errstr);
}

static int64_t unit_seconds(char unit)
{
	switch (unit) {
	case 's': return 1;
	case 'm': return SECS_PER_MINUTE;
	case 'h': return SECS_PER_HOUR;
	case 'd': return SECS_PER_DAY;
	case 'w': return SECS_PER_WEEK;
	default: return 0;
	}
}

int timeparse_duration(const char *s, int64_t *seconds, const char **errstr)
{
	const char *p = s;
	int64_t total = 0;

	if (s == NULL || *s == '\0') {
		set_err(errstr, "empty duration");
		return -1;
	}
	while (*p) {
		int64_t value = 0, mult;
		const char *group = p;

		if (*p == '-') {
			set_err(errstr, "negative durations are not allowed");
			return -1;
		}
		if (!is_digit(*p)) {
			set_err(errstr, "expected a number (e.g. 90s, 15m, 2h, 1d, 1w)");
			return -1;
		}
		for (; is_digit(*p); p++) {
			value = value * 10 + (*p - '0');
			if (value > TIMEPARSE_DURATION_MAX) {
				set_err(errstr, "duration too large (at most 100 years)");
				return -1;
			}
		}
		if (*p == '\0') {
			/* Plain digits are seconds, but only as the whole string:
			 * "1h30" is more likely a typo than 1h30s. */
			if (group == s) {
				*seconds = value;
				return 0;
			}
			set_err(errstr, "missing unit after the last number (use s, m, h, d or w)");
			return -1;
		}
		mult = unit_seconds(*p);
		if (mult == 0) {
			set_err(errstr, (*p >= 'A' && *p <= 'Z')
					? "units are lowercase: s, m, h, d or w"
					: "unknown unit (use s, m, h, d or w)");
			return -1;
		}
		p++;
		if (value > TIMEPARSE_DURATION_MAX / mult ||
		    total > TIMEPARSE_DURATION_MAX - value * mult) {
			set_err(errstr, "duration too large (at most 100 years)");
			return -1;
		}
		total += value * mult;
	}
	*seconds = total;
	return 0;
}
