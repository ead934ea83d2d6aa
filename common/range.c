/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"
#include "range.h"

/* Parses a decimal number occupying exactly [s, s+len).  Scientific
 * notation, hex, inf and nan are refused: they are not range syntax. */
static int parse_number(const char *s, size_t len, double *out)
{
	char buf[MP_RANGE_TEXT_MAX];
	char *end;
	size_t i, digits = 0, dots = 0;

	if (len == 0 || len >= sizeof buf)
		return -1;
	for (i = 0; i < len; i++) {
		char c = s[i];
		if (c >= '0' && c <= '9')
			digits++;
		else if (c == '.')
			dots++;
		else if (!((c == '-' || c == '+') && i == 0))
			return -1;
	}
	if (digits == 0 || dots > 1)
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	errno = 0;
	*out = strtod(buf, &end);
	if (errno != 0 || *end != '\0' || !isfinite(*out))
		return -1;
	return 0;
}

int mp_range_parse(const char *text, mp_range *out, const char **err)
{
	const char *p, *colon;
	size_t len;

	memset(out, 0, sizeof *out);
	if (text == NULL || *text == '\0') {
		*err = "empty range";
		return -1;
	}
	len = strlen(text);
	if (len >= sizeof out->text) {
		*err = "range is too long";
		return -1;
	}
	memcpy(out->text, text, len + 1);

	p = text;
	if (*p == '@') {
		out->inside = true;
		p++;
	}
	colon = strchr(p, ':');
	if (colon != NULL && strchr(colon + 1, ':') != NULL) {
		*err = "more than one ':'";
		return -1;
	}
	if (colon == NULL) {
		/* "end" alone: start is 0 */
		if (parse_number(p, strlen(p), &out->end) < 0) {
			*err = "not a number";
			return -1;
		}
	} else {
		size_t slen = (size_t)(colon - p);
		const char *e = colon + 1;

		if (slen == 1 && *p == '~')
			out->start_infinite = true;
		else if (slen > 0 && parse_number(p, slen, &out->start) < 0) {
			*err = "start is not a number";
			return -1;
		}
		if (slen == 0 && *e == '\0') {
			*err = "neither start nor end given";
			return -1;
		}
		if (*e == '\0')
			out->end_infinite = true;
		else if (parse_number(e, strlen(e), &out->end) < 0) {
			*err = "end is not a number";
			return -1;
		}
	}
	if (!out->start_infinite && !out->end_infinite && out->start > out->end) {
		*err = "start is greater than end";
		return -1;
	}
	return 0;
}

bool mp_range_alerts(const mp_range *r, double value)
{
	bool below = !r->start_infinite && value < r->start;
	bool above = !r->end_infinite && value > r->end;
	bool outside = below || above;

	return r->inside ? !outside : outside;
}

bool mp_range_is_plain_upper(const mp_range *r)
{
	return !r->inside && !r->start_infinite && !r->end_infinite &&
	       r->start == 0 && strchr(r->text, ':') == NULL;
}

int mp_thresholds_set(mp_thresholds *t, const char *warning,
		      const char *critical, const char **err)
{
	if (warning != NULL) {
		if (mp_range_parse(warning, &t->warning, err) < 0)
			return -1;
		t->has_warning = true;
	}
	if (critical != NULL) {
		if (mp_range_parse(critical, &t->critical, err) < 0)
			return -1;
		t->has_critical = true;
	}
	return 0;
}

mp_state mp_thresholds_state(const mp_thresholds *t, double value)
{
	if (t->has_critical && mp_range_alerts(&t->critical, value))
		return MP_CRITICAL;
	if (t->has_warning && mp_range_alerts(&t->warning, value))
		return MP_WARNING;
	return MP_OK;
}

void mp_thresholds_parse_or_die(mp_thresholds *t, const char *warning,
				const char *critical, const char *what)
{
	const char *err;

	if (mp_thresholds_set(t, warning, NULL, &err) < 0)
		mp_die(MP_UNKNOWN, "invalid %s warning threshold '%s': %s", what, warning, err);
	if (mp_thresholds_set(t, NULL, critical, &err) < 0)
		mp_die(MP_UNKNOWN, "invalid %s critical threshold '%s': %s", what, critical, err);
}
