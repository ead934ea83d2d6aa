/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "exceptions.h"
#include "strlist.h"

/* Days from 1970-01-01 to Y-M-D (proleptic Gregorian), independent of TZ. */
static long days_from_civil(long y, unsigned m, unsigned d)
{
	y -= m <= 2;
	long era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? (unsigned)-3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long)doe - 719468;
}

static int parse_date(const char *s, time_t *end_of_day)
{
	static const unsigned mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	unsigned y, m, d;
	int used = 0;

	if (strlen(s) != 10 || sscanf(s, "%4u-%2u-%2u%n", &y, &m, &d, &used) != 3 ||
	    used != 10 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1] || y < 1970)
		return -1;
	if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return -1;
	*end_of_day = (time_t)(days_from_civil((long)y, m, d) + 1) * 86400;
	return 0;
}

int ad_exceptions_load(const ad_config *cfg, const char *key, const char *match_key,
		       ad_exception_list *out, char **err)
{
	const config_setting_t *list;
	int n;

	out->items = NULL;
	out->n = 0;
	if (cfg == NULL || (list = ad_config_lookup(cfg, key)) == NULL)
		return 0;
	if (!config_setting_is_list(list) && !config_setting_is_array(list)) {
		*err = xasprintf("config file %s line %d: '%s' must be a list ( ... )",
				 ad_config_path(cfg), config_setting_source_line(list), key);
		return -1;
	}
	n = config_setting_length(list);
	out->items = xcalloc((size_t)n, sizeof *out->items);
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(list, (unsigned)i);
		const char *match = NULL, *reason = NULL, *expires = NULL;
		ad_exception *x = &out->items[out->n];
		int line = config_setting_source_line(e);

		if (!config_setting_is_group(e) ||
		    !config_setting_lookup_string(e, match_key, &match) || !*match ||
		    !config_setting_lookup_string(e, "reason", &reason) || !*reason) {
			*err = xasprintf("config file %s line %d: each entry of '%s' needs "
					 "%s = \"...\" and reason = \"...\"",
					 ad_config_path(cfg), line, key, match_key);
			ad_exceptions_free(out);
			return -1;
		}
		if (config_setting_lookup_string(e, "expires", &expires)) {
			if (parse_date(expires, &x->expires) < 0) {
				*err = xasprintf("config file %s line %d: expires must be a "
						 "date YYYY-MM-DD, not '%s'",
						 ad_config_path(cfg), line, expires);
				ad_exceptions_free(out);
				return -1;
			}
			x->has_expiry = true;
			snprintf(x->expires_text, sizeof x->expires_text, "%s", expires);
		} else if (config_setting_get_member(e, "expires") != NULL) {
			*err = xasprintf("config file %s line %d: expires must be a string "
					 "\"YYYY-MM-DD\"", ad_config_path(cfg), line);
			ad_exceptions_free(out);
			return -1;
		}
		x->match = xstrdup(match);
		x->reason = xstrdup(reason);
		out->n++;
	}
	return 0;
}

void ad_exceptions_free(ad_exception_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->items[i].match);
		free(l->items[i].reason);
	}
	free(l->items);
	l->items = NULL;
	l->n = 0;
}

/* Lower-cased copy of S without blanks next to ',' and '=' (DN spacing). */
static char *dn_fold(const char *s)
{
	size_t n = strlen(s), k = 0;
	char *out = xmalloc(n + 1);

	for (size_t i = 0; i < n; i++) {
		if (s[i] == ' ') {
			size_t j = i;
			while (j < n && s[j] == ' ')
				j++;
			bool next_sep = j < n && (s[j] == ',' || s[j] == '=');
			bool prev_sep = k > 0 && (out[k - 1] == ',' || out[k - 1] == '=');
			if (next_sep || prev_sep) {
				i = j - 1;
				continue;
			}
		}
		out[k++] = (char)tolower((unsigned char)s[i]);
	}
	out[k] = '\0';
	return out;
}

static bool same_name(const char *a, const char *b)
{
	char *fa = dn_fold(a), *fb = dn_fold(b);
	bool same = strcmp(fa, fb) == 0;

	free(fa);
	free(fb);
	return same;
}

static bool matches(const char *pattern, const char *name)
{
	size_t n;

	if (name == NULL || *name == '\0')
		return false;
	if (same_name(pattern, name))
		return true;
	/* "SQL01" names the computer account "SQL01$" */
	n = strlen(name);
	return n > 1 && name[n - 1] == '$' && strlen(pattern) == n - 1 &&
	       strncasecmp(pattern, name, n - 1) == 0;
}

ad_exception *ad_exceptions_find(ad_exception_list *l, const char *const *names,
				 size_t n_names)
{
	time_t now = time(NULL);
	ad_exception *expired = NULL;

	/* a valid exception wins over an expired one listed before it */
	for (size_t i = 0; i < l->n; i++)
		for (size_t k = 0; k < n_names; k++)
			if (matches(l->items[i].match, names[k])) {
				l->items[i].used = true;
				if (!ad_exception_expired(&l->items[i], now))
					return &l->items[i];
				if (expired == NULL)
					expired = &l->items[i];
			}
	return expired;
}

bool ad_exception_expired(const ad_exception *e, time_t now)
{
	return e->has_expiry && now >= e->expires;
}
