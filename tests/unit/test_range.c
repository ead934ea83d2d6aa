/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Ranges and thresholds, per the Monitoring Plugins guidelines. */
#include "../tap.h"
#include "range.h"

struct alert_case {
	const char *range;
	double value;
	int alerts;
};

/* Every example of the guidelines' table, and the ends of each range. */
static const struct alert_case cases[] = {
	/* "10": < 0 or > 10 */
	{"10", -0.001, 1}, {"10", 0, 0}, {"10", 5, 0}, {"10", 10, 0}, {"10", 10.001, 1}, {"10", 11, 1},
	/* "10:": < 10 */
	{"10:", 9.999, 1}, {"10:", 10, 0}, {"10:", 1e9, 0}, {"10:", -5, 1},
	/* "~:10": > 10 */
	{"~:10", -1e9, 0}, {"~:10", 10, 0}, {"~:10", 10.5, 1},
	/* "10:20": < 10 or > 20 */
	{"10:20", 9, 1}, {"10:20", 10, 0}, {"10:20", 15, 0}, {"10:20", 20, 0}, {"10:20", 21, 1},
	/* "@10:20": >= 10 and <= 20 */
	{"@10:20", 9.99, 0}, {"@10:20", 10, 1}, {"@10:20", 15, 1}, {"@10:20", 20, 1}, {"@10:20", 20.01, 0},
	/* "0": anything above zero (the default of check_ad_unconstrained) */
	{"0", 0, 0}, {"0", 1, 1}, {"0", -1, 1},
	/* ":10" = "0:10" (missing start is 0) */
	{":10", -1, 1}, {":10", 0, 0}, {":10", 10, 0}, {":10", 11, 1},
	/* decimals and negatives */
	{"-10:-5", -11, 1}, {"-10:-5", -10, 0}, {"7.5", 7.5, 0}, {"~:-7.5", -7.5, 0}, {"1.5:2.5", 1.49, 1},
	{"1.5:2.5", 2.5, 0}, {"~:-3", -3, 0}, {"~:-3", -2.9, 1}, {"@0", 0, 1}, {"@0", 0.1, 0},
	{"@~:0", -100, 1}, {"@5:", 4, 0}, {"@5:", 5, 1}, {"~:", 1e12, 0}, {"@~:", 3, 1},
	{"+5", 6, 1}, {"0.5", 0.6, 1},
};

static const char *const bad[] = {
	"", "abc", "10:5", "@20:10", "1e3", "0x10", "10::20", "1:2:3", "5..6", "--5",
	"~", "@", ":", "10 ", " 10", "inf", "nan", "10:~", "@@5", "1,5", "5:-5",
	"1.2.3", "~:abc", "-", ".",
};

int main(void)
{
	mp_range r;
	mp_thresholds t;
	const char *err;

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int parsed = mp_range_parse(cases[i].range, &r, &err) == 0;
		ok(parsed && mp_range_alerts(&r, cases[i].value) == cases[i].alerts,
		   "range '%s' value %g %s", cases[i].range, cases[i].value,
		   cases[i].alerts ? "alerts" : "does not alert");
	}
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err = NULL;
		ok(mp_range_parse(bad[i], &r, &err) < 0 && err != NULL,
		   "range '%s' is refused (%s)", bad[i], err ? err : "accepted");
	}
	ok(mp_range_parse("10:5", &r, &err) < 0 && strstr(err, "greater"),
	   "start > end is named as such");
	/* "-5": start 0 > end -5, an error like in the guidelines */
	ok(mp_range_parse("-5", &r, &err) < 0, "'-5' alone is start 0 > end -5: refused");

	ok(mp_range_parse("10", &r, &err) == 0 && mp_range_is_plain_upper(&r), "'10' is a plain upper bound");
	ok(mp_range_parse("0:10", &r, &err) == 0 && !mp_range_is_plain_upper(&r), "'0:10' is printed as given");
	ok(mp_range_parse("@10", &r, &err) == 0 && !mp_range_is_plain_upper(&r), "'@10' is not plain");
	ok(mp_range_parse("10:", &r, &err) == 0 && !mp_range_is_plain_upper(&r), "'10:' is not plain");

	/* thresholds: critical before warning */
	memset(&t, 0, sizeof t);
	ok(mp_thresholds_set(&t, "5", "10", &err) == 0, "thresholds 5/10 parse");
	is_int(mp_thresholds_state(&t, 3), MP_OK, "3 is OK under -w 5 -c 10");
	is_int(mp_thresholds_state(&t, 5), MP_OK, "5 is OK (ends inclusive)");
	is_int(mp_thresholds_state(&t, 6), MP_WARNING, "6 is WARNING");
	is_int(mp_thresholds_state(&t, 11), MP_CRITICAL, "11 is CRITICAL");
	memset(&t, 0, sizeof t);
	ok(mp_thresholds_set(&t, "20", "10", &err) == 0, "thresholds with warning above critical");
	is_int(mp_thresholds_state(&t, 15), MP_CRITICAL, "critical is evaluated first");
	memset(&t, 0, sizeof t);
	ok(mp_thresholds_set(&t, NULL, NULL, &err) == 0, "no thresholds");
	is_int(mp_thresholds_state(&t, 1e6), MP_OK, "without thresholds everything is OK");
	memset(&t, 0, sizeof t);
	ok(mp_thresholds_set(&t, "@1:3", "~:0", &err) == 0, "inside and open ranges");
	is_int(mp_thresholds_state(&t, 2), MP_CRITICAL, "2 > 0 is CRITICAL under -c ~:0");
	memset(&t, 0, sizeof t);
	ok(mp_thresholds_set(&t, "x", NULL, &err) < 0, "bad warning is refused");

	/* states */
	is_int(mp_state_worse(MP_OK, MP_UNKNOWN), MP_UNKNOWN, "UNKNOWN is worse than OK");
	is_int(mp_state_worse(MP_UNKNOWN, MP_WARNING), MP_WARNING, "WARNING is worse than UNKNOWN");
	is_int(mp_state_worse(MP_CRITICAL, MP_WARNING), MP_CRITICAL, "CRITICAL is the worst");
	{
		mp_state s;
		ok(mp_state_parse("critical", &s) == 0 && s == MP_CRITICAL, "state names parse case-insensitively");
		ok(mp_state_parse("1", &s) == 0 && s == MP_WARNING, "state numbers parse");
		ok(mp_state_parse("4", &s) < 0 && mp_state_parse("crit", &s) < 0, "bad states are refused");
	}
	return tap_done();
}
