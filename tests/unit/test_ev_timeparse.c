/* SPDX-License-Identifier: GPL-3.0-or-later */
/* timeparse (durations, --now, --event-tz, FILETIME) and the ticket_event
 * helpers. Expected Unix times were computed with Python's
 * calendar.timegm, not with this code. */
#include "../tap.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "output.h"
#include "ticket_event.h"
#include "timeparse.h"

struct duration_case {
	const char *text;
	int64_t seconds; /* -1: must be refused */
};

static const struct duration_case durations[] = {
	{ "90s", 90 }, { "15m", 900 }, { "2h", 7200 }, { "1d", 86400 },
	{ "1w", 604800 }, { "300", 300 }, { "0", 0 }, { "1h30m", 5400 },
	{ "1d12h", 129600 }, { "5000w", 3024000000 },
	{ "", -1 }, { "-5m", -1 }, { "15x", -1 }, { "15M", -1 }, { "1h30", -1 },
	{ "m", -1 }, { " 5m", -1 }, { "5m ", -1 }, { "1.5h", -1 }, { "+5m", -1 },
	{ "99999999999999999999s", -1 }, { "6000w", -1 }, { "3153600001", -1 },
	{ "3153600000", 3153600000 }, { "5m-", -1 },
};

struct time_case {
	const char *text;
	int64_t t;
	int valid;
};

static const struct time_case absolutes[] = {
	{ "2020-07-22T04:04:02Z", 1595390642, 1 },
	{ "2020-07-22T06:04:02+02:00", 1595390642, 1 },
	{ "2020-07-22T00:04:02-0400", 1595390642, 1 },
	{ "2020-07-22T06:04:02+02", 1595390642, 1 },
	{ "2020-07-22T09:34:02+05:30", 1595390642, 1 },
	{ "2020-07-22 04:04:02", 1595390642, 1 },
	{ "2020-07-22T04:04:02", 1595390642, 1 },
	{ "2020-07-22t04:04:02z", 1595390642, 1 },
	{ "2020-07-22T04:04:02.999999Z", 1595390642, 1 },
	{ "2020-07-22T04:04:02,5+00:00", 1595390642, 1 },
	{ "@1595390642", 1595390642, 1 },
	{ "@0", 0, 1 },
	{ "1970-01-01T00:00:00Z", 0, 1 },
	{ "2000-02-29T12:00:00Z", 951825600, 1 },
	{ "2100-03-01T00:00:00Z", 4107542400, 1 },
	{ "1601-01-01T00:00:00Z", -11644473600, 1 },
	{ "9999-12-31T23:59:59Z", 253402300799, 1 },
	{ "2038-01-19T03:14:08Z", 2147483648, 1 },
	{ "2021-02-29T00:00:00Z", 0, 0 },
	{ "2100-02-29T00:00:00Z", 0, 0 },
	{ "2020-13-01T00:00:00Z", 0, 0 },
	{ "2020-00-10T00:00:00Z", 0, 0 },
	{ "2020-07-32T00:00:00Z", 0, 0 },
	{ "2020-07-22T24:00:00Z", 0, 0 },
	{ "2020-07-22T23:60:00Z", 0, 0 },
	{ "2020-07-22", 0, 0 },
	{ "2020-07-22T04:04", 0, 0 },
	{ "2020-07-22T04:04:02+15:00", 0, 0 },
	{ "2020-07-22T04:04:02+02:60", 0, 0 },
	{ "2020-07-22T04:04:02Zjunk", 0, 0 },
	{ "2020-07-22T04:04:02.Z", 0, 0 },
	{ "1600-12-31T23:59:59Z", 0, 0 },
	{ "20-07-22T04:04:02Z", 0, 0 },
	{ "@-5", 0, 0 },
	{ "@", 0, 0 },
	{ "@12x", 0, 0 },
	{ "@99999999999999999999", 0, 0 },
	{ "yesterday", 0, 0 },
	{ "", 0, 0 },
};

struct offset_case {
	const char *text;
	int32_t offset;
	int valid;
};

static const struct offset_case offsets[] = {
	{ "+02:00", 7200, 1 }, { "-0500", -18000, 1 }, { "+05:30", 19800, 1 },
	{ "-03", -10800, 1 }, { "UTC", 0, 1 }, { "utc", 0, 1 }, { "Z", 0, 1 },
	{ "GMT", 0, 1 }, { "+14:00", 50400, 1 }, { "-12:00", -43200, 1 },
	{ "+00:00", 0, 1 },
	{ "+14:30", 0, 0 }, { "+15", 0, 0 }, { "+2", 0, 0 }, { "02:00", 0, 0 },
	{ "", 0, 0 }, { "+02:60", 0, 0 }, { "+02:00x", 0, 0 }, { "CEST", 0, 0 },
	{ "+0200 ", 0, 0 }, { "+02:0", 0, 0 },
};

static void test_durations(void)
{
	for (size_t i = 0; i < sizeof(durations) / sizeof(durations[0]); i++) {
		const struct duration_case *k = &durations[i];
		int64_t got = -7;
		const char *errstr = NULL;
		int rc = timeparse_duration(k->text, &got, &errstr);

		if (k->seconds >= 0)
			ok(rc == 0 && got == k->seconds, "duration '%s' = %lld s", k->text,
			   (long long)k->seconds);
		else
			ok(rc == -1 && errstr != NULL && got == -7,
			   "duration '%s' refused (%s)", k->text, errstr ? errstr : "no message");
	}
	{
		const char *e = NULL;
		int64_t v;
		timeparse_duration("-1h", &v, &e);
		ok(e && strstr(e, "negative"), "negative duration: message says so");
		timeparse_duration("15M", &v, &e);
		ok(e && strstr(e, "lowercase"), "uppercase unit: message says units are lowercase");
		timeparse_duration("99999999999s", &v, &e);
		ok(e && strstr(e, "too large"), "overflow: message says too large");
		ok(timeparse_duration(NULL, &v, NULL) == -1, "NULL duration refused");
	}
}

static void test_absolutes(void)
{
	for (size_t i = 0; i < sizeof(absolutes) / sizeof(absolutes[0]); i++) {
		const struct time_case *k = &absolutes[i];
		int64_t got = -7;
		const char *errstr = NULL;
		int rc = timeparse_absolute(k->text, &got, &errstr);

		if (k->valid)
			ok(rc == 0 && got == k->t, "time '%s' = %lld", k->text, (long long)k->t);
		else
			ok(rc == -1 && errstr != NULL && got == -7, "time '%s' refused (%s)",
			   k->text, errstr ? errstr : "no message");
	}
}

static void test_offsets(void)
{
	for (size_t i = 0; i < sizeof(offsets) / sizeof(offsets[0]); i++) {
		const struct offset_case *k = &offsets[i];
		int32_t got = -7;
		const char *errstr = NULL;
		int rc = timeparse_zone_offset(k->text, &got, &errstr);

		if (k->valid)
			ok(rc == 0 && got == k->offset, "zone '%s' = %d s", k->text, k->offset);
		else
			ok(rc == -1 && errstr != NULL && got == -7, "zone '%s' refused (%s)",
			   k->text, errstr ? errstr : "no message");
	}
}

static void test_local_timestamps(void)
{
	int64_t t = 0;
	bool had_zone = true;

	/* NXLog EventTime "2020-07-22 00:04:02" at UTC-4 is 04:04:02Z. */
	ok(timeparse_timestamp("2020-07-22 00:04:02", -14400, &t, &had_zone, NULL) == 0 &&
	   t == 1595390642 && !had_zone, "local time without zone uses the given offset");
	ok(timeparse_timestamp("2020-07-22T04:04:02Z", -14400, &t, &had_zone, NULL) == 0 &&
	   t == 1595390642 && had_zone, "a time with its own zone ignores the given offset");
	ok(timeparse_timestamp("2020-07-22T00:04:02.000000-04:00", 3600, &t, &had_zone, NULL) == 0 &&
	   t == 1595390642 && had_zone, "NXLog ISO form with offset");
	ok(timeparse_timestamp("@1595390642", 0, &t, NULL, NULL) == -1,
	   "'@' epoch is only for --now, not in logs");
}

static void test_tz_independence(void)
{
	int64_t a = 0, b = 0;
	int32_t off = 0;
	char buf[TIMEPARSE_ISO_LEN];

	setenv("TZ", "America/New_York", 1);
	tzset();
	timeparse_absolute("2020-07-22 04:04:02", &a, NULL);
	timeparse_zone_offset("UTC", &off, NULL);
	setenv("TZ", "Asia/Kolkata", 1);
	tzset();
	timeparse_absolute("2020-07-22 04:04:02", &b, NULL);
	timeparse_format_utc(a, buf, sizeof(buf));
	ok(a == 1595390642 && b == a && off == 0, "results do not depend on the process TZ");
	is_str(buf, "2020-07-22T04:04:02Z", "formatting does not depend on the process TZ");
	unsetenv("TZ");
	tzset();
}

static void test_filetime_and_format(void)
{
	int64_t t = -7;
	char buf[TIMEPARSE_ISO_LEN];

	ok(!timeparse_filetime(0, &t) && t == -7, "FILETIME 0 means no time");
	ok(timeparse_filetime(UINT64_C(116444736000000000), &t) && t == 0,
	   "FILETIME of 1970-01-01 is Unix 0");
	/* sbou_4768_password_spray.evtx record 2 (python-evtx: 20:29:36.414856) */
	ok(timeparse_filetime(UINT64_C(132399233764148565), &t) && t == 1595449776,
	   "FILETIME of a real record, rounded down");
	ok(timeparse_filetime(1, &t) && t == -11644473600, "FILETIME 1 is 1601-01-01");

	timeparse_format_utc(1595390642, buf, sizeof(buf));
	is_str(buf, "2020-07-22T04:04:02Z", "format 1595390642");
	timeparse_format_utc(0, buf, sizeof(buf));
	is_str(buf, "1970-01-01T00:00:00Z", "format 0");
	timeparse_format_utc(-1, buf, sizeof(buf));
	is_str(buf, "1969-12-31T23:59:59Z", "format -1");
	timeparse_format_utc(-11644473600, buf, sizeof(buf));
	is_str(buf, "1601-01-01T00:00:00Z", "format 1601");
	timeparse_format_utc(951825600, buf, sizeof(buf));
	is_str(buf, "2000-02-29T12:00:00Z", "format a leap day");
	timeparse_format_utc(253402300799, buf, sizeof(buf));
	is_str(buf, "9999-12-31T23:59:59Z", "format the last second of 9999");
	timeparse_format_utc(253402300800, buf, sizeof(buf));
	is_str(buf, "out-of-range", "year 10000 is out of range");
}

/* format then parse gives the same second, over 1601 .. 9999. */
static void test_round_trip(void)
{
	int bad = 0;
	char buf[TIMEPARSE_ISO_LEN];

	for (int64_t t = -11644473600; t < 253402300799; t += 7777777) {
		int64_t back = 0;
		timeparse_format_utc(t, buf, sizeof(buf));
		if (timeparse_absolute(buf, &back, NULL) != 0 || back != t) {
			if (bad++ < 3)
				printf("# round trip %lld -> %s -> %lld\n", (long long)t, buf,
				       (long long)back);
		}
	}
	is_int(bad, 0, "format/parse round trip over 1601-9999");
}

static void test_hex_and_realms(void)
{
	uint32_t v = 7;

	ok(ticket_event_parse_hex32("0x40810010", &v) == 0 && v == 0x40810010, "hex 0x40810010");
	ok(ticket_event_parse_hex32("0x0", &v) == 0 && v == 0, "hex 0x0");
	ok(ticket_event_parse_hex32("0X6", &v) == 0 && v == 6, "hex 0X6");
	ok(ticket_event_parse_hex32("0x00000012", &v) == 0 && v == 0x12, "hex 0x00000012");
	ok(ticket_event_parse_hex32("0xffffffff", &v) == 0 && v == 0xffffffffu, "hex 0xffffffff");
	ok(ticket_event_parse_hex32("0x000000000060810010", &v) == 0 && v == 0x60810010,
	   "hex with many leading zeros");
	v = 7;
	ok(ticket_event_parse_hex32("0x100000000", &v) == -1 && v == 7, "hex over 32 bits refused");
	ok(ticket_event_parse_hex32("0x", &v) == -1, "hex '0x' refused");
	ok(ticket_event_parse_hex32("-", &v) == -1, "hex '-' refused");
	ok(ticket_event_parse_hex32("", &v) == -1, "hex '' refused");
	ok(ticket_event_parse_hex32("12", &v) == -1, "decimal refused");
	ok(ticket_event_parse_hex32("0x4081001g", &v) == -1, "hex with junk refused");
	ok(ticket_event_parse_hex32(" 0x1", &v) == -1, "hex with space refused");
	ok(ticket_event_parse_hex32(NULL, &v) == -1, "hex NULL refused");

	is_str(ticket_event_realm_of_user("admmig@OFFSEC.LAN"), "OFFSEC.LAN", "realm of user@REALM");
	is_str(ticket_event_realm_of_user("a@b@PARTNER"), "PARTNER", "realm after the last @");
	ok(ticket_event_realm_of_user("rootdc1") == NULL, "no realm without @");
	ok(ticket_event_realm_of_user("user@") == NULL, "no realm after a final @");
	ok(ticket_event_realm_of_user("") == NULL && ticket_event_realm_of_user(NULL) == NULL,
	   "no realm of empty or NULL");

	ok(ticket_event_realm_equal("OFFSEC.LAN", "offsec.lan"), "realms compare without case");
	ok(ticket_event_realm_equal("offsec.lan.", "OFFSEC.LAN"), "one trailing dot ignored");
	ok(!ticket_event_realm_equal("OFFSEC", "OFFSEC.LAN"), "NetBIOS name is not the FQDN");
	ok(!ticket_event_realm_equal("", ""), "empty names never match");
	ok(!ticket_event_realm_equal(".", ""), "a lone dot is empty");
	ok(!ticket_event_realm_equal(NULL, "X"), "NULL never matches");
}

static void test_event_helpers(void)
{
	struct ticket_event ev;
	struct event_read_stats st;

	ticket_event_init(&ev, TICKET_SOURCE_NXLOG);
	ok(ev.source == TICKET_SOURCE_NXLOG && !ev.has_time && ev.target_user[0] == '\0',
	   "init clears the event");
	ok(ticket_event_id_is_kerberos(4768) && ticket_event_id_is_kerberos(4769) &&
	   ticket_event_id_is_kerberos(4770) && !ticket_event_id_is_kerberos(4771) &&
	   !ticket_event_id_is_kerberos(0), "Kerberos ids are 4768, 4769, 4770");
	is_str(ticket_event_id_name(4769), "service ticket", "name of 4769");
	is_str(ticket_event_source_name(TICKET_SOURCE_WINLOGBEAT7), "Winlogbeat 7+ JSON",
	       "name of a source");

	ok(TICKET_OPT_FORWARDED == 0x20000000u && TICKET_OPT_FORWARDABLE == 0x40000000u &&
	   TICKET_OPT_RENEWABLE == 0x00800000u && TICKET_OPT_OK_AS_DELEGATE == 0x00040000u &&
	   TICKET_OPT_CANONICALIZE == 0x00010000u && TICKET_OPT_RENEWABLE_OK == 0x10u,
	   "TicketOptions constants as documented");
	ok(0x40810010u == (TICKET_OPT_FORWARDABLE | TICKET_OPT_RENEWABLE |
			   TICKET_OPT_CANONICALIZE | TICKET_OPT_RENEWABLE_OK),
	   "0x40810010 decomposes into the named bits");

	ev.has_options = true;
	ev.ticket_options = 0x40810010;
	ok(!ticket_event_is_forwarded(&ev), "0x40810010 is not forwarded");
	ev.ticket_options = 0x60810010;
	ok(ticket_event_is_forwarded(&ev), "0x60810010 is forwarded");
	ev.has_options = false;
	ok(!ticket_event_is_forwarded(&ev), "no options, not forwarded");

	ev.has_time = true;
	ev.time = 1000;
	ok(!ticket_event_in_window(&ev, 1000, 2000), "window (from, to]: from excluded");
	ok(ticket_event_in_window(&ev, 999, 1000), "window (from, to]: to included");
	ok(!ticket_event_in_window(&ev, 900, 999), "after the window: excluded");
	ev.has_time = false;
	ok(!ticket_event_in_window(&ev, 0, 5000), "no time: never in a window");

	ticket_event_set(&ev, ev.target_domain, sizeof(ev.target_domain), "", 0);
	ticket_event_set(&ev, ev.target_user, sizeof(ev.target_user), "bob@PARTNER", 11);
	is_str(ticket_event_account_realm(&ev), "PARTNER", "account realm from the user when domain empty");
	ticket_event_set(&ev, ev.target_domain, sizeof(ev.target_domain), "PARTNER.EXAMPLE", 15);
	is_str(ticket_event_account_realm(&ev), "PARTNER.EXAMPLE", "account realm is TargetDomainName when set");

	event_read_stats_init(&st);
	ev.event_id = 4769;
	ev.has_time = true;
	ev.time = 50;
	ev.has_options = true;
	ev.ticket_options = 0x60810010;
	event_read_stats_add(&st, &ev);
	ev.event_id = 4770;
	ev.has_time = false;
	ev.has_options = false;
	event_read_stats_add(&st, &ev);
	ok(st.kerberos == 2 && st.service_tickets == 1 && st.renewals == 1 && st.forwarded == 1 &&
	   st.no_time == 1 && st.tgt_requests == 0, "stats_add counts");
	event_read_stats_damage(&st, "first %s\nline", "reason");
	event_read_stats_damage(&st, "second");
	is_str(st.damage, "first reason line", "only the first damage is kept, on one line");
}

static void test_field_copy(void)
{
	struct ticket_event ev;
	char small[6];

	ticket_event_init(&ev, TICKET_SOURCE_EVTX);
	ticket_event_set(&ev, ev.target_user, sizeof(ev.target_user), "J\xc3\xa9r\xc3\xb4me", 8);
	is_str(ev.target_user, "J\xc3\xa9r\xc3\xb4me", "valid UTF-8 kept");
	ok(!ev.sanitized && !ev.truncated, "valid UTF-8: no flag");

	ticket_event_set(&ev, ev.target_user, sizeof(ev.target_user), "a\xff" "b\xc0\xaf" "c", 6);
	is_str(ev.target_user, "a\\FFb\\C0\\AFc", "invalid bytes and overlong form escaped as \\XX");
	ok(ev.sanitized, "sanitized flag set");

	ticket_event_init(&ev, TICKET_SOURCE_EVTX);
	ticket_event_set(&ev, ev.target_user, sizeof(ev.target_user), "x\xed\xa0\x80y", 5);
	is_str(ev.target_user, "x\\ED\\A0\\80y", "UTF-16 surrogate encoded in UTF-8 escaped");
	ticket_event_set(&ev, ev.target_user, sizeof(ev.target_user), "a\nb\tc\x7f" "d\xc2\x85" "e", 10);
	is_str(ev.target_user, "a\\0Ab\\09c\\7Fd\\C2\\85e", "C0, DEL and C1 control characters escaped");
	ticket_event_set(&ev, ev.target_user, sizeof(ev.target_user), "a\0b", 3);
	is_str(ev.target_user, "a\\00b", "NUL inside a value escaped, not a terminator");
	ticket_event_set(&ev, ev.target_user, sizeof(ev.target_user), "\xf0\x9f\x94\x91", 4);
	is_str(ev.target_user, "\xf0\x9f\x94\x91", "4-byte UTF-8 kept");
	ticket_event_set(&ev, ev.target_user, sizeof(ev.target_user), "\xf4\x90\x80\x80", 4);
	is_str(ev.target_user, "\\F4\\90\\80\\80", "beyond U+10FFFF escaped");
	ticket_event_set(&ev, ev.target_user, sizeof(ev.target_user), "ab\xc3", 3);
	is_str(ev.target_user, "ab\\C3", "UTF-8 cut at the end escaped");

	ticket_event_init(&ev, TICKET_SOURCE_EVTX);
	ticket_event_set(&ev, small, sizeof(small), "abcd\xc3\xa9", 6);
	is_str(small, "abcd", "truncation never splits a character");
	ok(ev.truncated && !ev.sanitized, "truncated flag set");
	ticket_event_set(&ev, small, sizeof(small), "abcde", 5);
	is_str(small, "abcde", "a value that just fits is kept whole");
	ticket_event_init(&ev, TICKET_SOURCE_EVTX);
	ticket_event_set(&ev, small, sizeof(small), "abc\x07", 4);
	is_str(small, "abc", "truncation never splits an escape");
	ok(ev.truncated && ev.sanitized == false, "cut before the escape: truncated only");
	ticket_event_set(&ev, small, sizeof(small), "a\x07" "b", 3);
	is_str(small, "a\\07b", "an escape that just fits is kept whole");
	ok(ev.sanitized, "sanitized flag set");

	/* the escapes are those of mp_sanitize(), which the LDAP checks' output
	 * goes through: every byte below 0x80 that it escapes, and every
	 * invalid byte, is escaped the same way in an event field */
	for (unsigned c = 1; c < 0x100; c++) {
		char one[2] = { (char)c, '\0' }, want[8], got[8];

		if (c == '|' || (c >= 0x20 && c < 0x7f))
			continue;
		mp_sanitize(one, want, sizeof(want));
		ticket_event_init(&ev, TICKET_SOURCE_EVTX);
		ticket_event_set(&ev, got, sizeof(got), one, 1);
		if (strcmp(want, got) != 0) {
			ok(false, "byte 0x%02X: mp_sanitize %s, event field %s", c, want, got);
			return;
		}
	}
	ok(true, "bytes 0x01-0x1F, 0x7F and 0x80-0xFF alone: escaped exactly as mp_sanitize()");
}

int main(void)
{
	test_durations();
	test_absolutes();
	test_offsets();
	test_local_timestamps();
	test_tz_independence();
	test_filetime_and_format();
	test_round_trip();
	test_hex_and_realms();
	test_event_helpers();
	test_field_copy();
	return tap_done();
}
