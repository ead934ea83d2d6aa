/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The realm matcher and the window counter of check_ad_ticket_events:
 * realm spellings and local names, DN to domain names, the window's edges
 * (both ends inclusive), the counts by kind, the top tuples and their cap,
 * the newest forwarded events, merging, and one event on one line. */
#include "../tap.h"

#include <stdlib.h>
#include <string.h>

#include "events_realms.h"
#include "events_tally.h"

#define NOW 1595390642 /* 2020-07-22T04:04:02Z */
#define HOUR 3600

static struct ticket_event event(uint32_t id, int64_t t, const char *domain, const char *user,
				 const char *service, uint32_t options)
{
	struct ticket_event ev;

	ticket_event_init(&ev, TICKET_SOURCE_WINLOGBEAT6);
	ev.event_id = id;
	ev.has_time = true;
	ev.time = t;
	snprintf(ev.target_domain, sizeof(ev.target_domain), "%s", domain);
	snprintf(ev.target_user, sizeof(ev.target_user), "%s", user);
	snprintf(ev.service_name, sizeof(ev.service_name), "%s", service);
	ev.has_options = true;
	ev.ticket_options = options;
	ev.has_status = id != TICKET_EVENT_TICKET_RENEWED;
	return ev;
}

static void test_realms(void)
{
	struct events_realms r;
	struct ticket_event ev;

	events_realms_init(&r);
	ok(events_realms_add_trusted(&r, "PARTNER.EXAMPLE", NULL), "add a DNS name");
	ok(events_realms_add_trusted(&r, "PARTNER", "PARTNER.EXAMPLE"), "add a NetBIOS name under the DNS name");
	ok(!events_realms_add_trusted(&r, "partner.example.", NULL), "the same name in another spelling is not added twice");
	ok(!events_realms_add_trusted(&r, "", NULL), "an empty name is not added");
	ok(events_realms_add_trusted(&r, "CORP.EXAMPLE", NULL), "a local name may be listed as trusted ...");
	ok(events_realms_add_local(&r, "corp.example"), "... and as local");
	ok(events_realms_add_local(&r, "CORP"), "local NetBIOS name");
	ok(!events_realms_add_local(&r, "Corp"), "local names are not added twice");

	ev = event(4769, NOW, "partner.example", "alice@partner.example", "krbtgt", 0);
	is_str(events_realms_match(&r, &ev), "PARTNER.EXAMPLE", "lower-case DNS name matches");
	ev = event(4768, NOW, "partner", "alice", "krbtgt", 0);
	is_str(events_realms_match(&r, &ev), "PARTNER.EXAMPLE", "NetBIOS name matches, reported under its label");
	ev = event(4769, NOW, "PARTNER.EXAMPLE.", "x", "s", 0);
	is_str(events_realms_match(&r, &ev), "PARTNER.EXAMPLE", "a trailing dot is ignored");
	ev = event(4769, NOW, "", "bob@Partner.Example", "s", 0);
	is_str(events_realms_match(&r, &ev), "PARTNER.EXAMPLE", "realm only in TargetUserName matches");
	ev = event(4769, NOW, "CORP", "bob@PARTNER.EXAMPLE", "s", 0);
	is_str(events_realms_match(&r, &ev), "PARTNER.EXAMPLE", "local TargetDomainName, trusted user realm: matches");
	ev = event(4769, NOW, "CORP.EXAMPLE", "carol@CORP.EXAMPLE", "s", 0);
	ok(events_realms_match(&r, &ev) == NULL, "a local name never matches, even when listed as trusted");
	ev = event(4769, NOW, "PARTNER.EXAMPLE.EVIL", "x@EVIL.PARTNER.EXAMPLE", "s", 0);
	ok(events_realms_match(&r, &ev) == NULL, "no prefix or suffix matching");
	ev = event(4769, NOW, "", "", "", 0);
	ok(events_realms_match(&r, &ev) == NULL, "empty names match nothing");
	ev = event(4769, NOW, "", "user@", "s", 0);
	ok(events_realms_match(&r, &ev) == NULL, "'user@' has no realm");
	ok(events_realms_find(&r, "CORP.EXAMPLE") == NULL && events_realms_is_local(&r, "CORP.EXAMPLE."),
	   "find leaves local names out");
	events_realms_free(&r);
}

static void test_dn_names(void)
{
	static const struct {
		const char *dn, *domain, *dns;
	} cases[] = {
		{ "DC=lab,DC=example", "DC=lab,DC=example", "lab.example" },
		{ "dc=corp,dc=example", "DC=corp,DC=example", "corp.example" },
		{ "OU=Servers,DC=corp,DC=example", "DC=corp,DC=example", "corp.example" },
		{ "CN=System, DC=child , DC=corp,DC=example", "DC=child,DC=corp,DC=example", "child.corp.example" },
		{ "OU=a\\,DC=x,DC=example", "DC=example", "example" },
		{ "DC=we\\2Cird,DC=example", "DC=we\\2Cird,DC=example", "we,ird.example" },
		{ "DC=x+CN=y,DC=example", "DC=example", "example" },
		{ "CN=Users", NULL, NULL },
		{ "", NULL, NULL },
		{ "DC=,DC=example", "DC=example", "example" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *d = events_domain_dn(cases[i].dn), *n = events_dns_name_of_dn(cases[i].dn);
		is_str(d, cases[i].domain, "domain DN of '%s'", cases[i].dn);
		is_str(n, cases[i].dns, "DNS name of '%s'", cases[i].dn);
		free(d);
		free(n);
	}
}

static void test_window(void)
{
	struct events_realms r;
	struct events_tally t;
	struct events_window w = { NOW - HOUR, NOW };
	struct ticket_event ev;

	events_realms_init(&r);
	events_realms_add_trusted(&r, "PARTNER.EXAMPLE", NULL);
	events_tally_init(&t, &r, w);
	ok(events_window_contains(&w, NOW - HOUR), "window start is inside");
	ok(events_window_contains(&w, NOW), "window end is inside");
	ok(!events_window_contains(&w, NOW - HOUR - 1), "a second before the start is outside");
	ok(!events_window_contains(&w, NOW + 1), "a second after the end is outside");

	ev = event(4769, NOW - HOUR, "PARTNER.EXAMPLE", "a", "s", TICKET_OPT_FORWARDED);
	is_int(events_tally_add(&t, &ev, "in"), EVENTS_CROSS_TRUST, "event at the start: cross-trust");
	ev.time = NOW - HOUR - 1;
	is_int(events_tally_add(&t, &ev, "in"), EVENTS_BEFORE_WINDOW, "a second before: before");
	ev.time = NOW;
	is_int(events_tally_add(&t, &ev, "in"), EVENTS_CROSS_TRUST, "event at now: cross-trust");
	ev.time = NOW + 1;
	is_int(events_tally_add(&t, &ev, "in"), EVENTS_AFTER_WINDOW, "a second after now: after");
	ev.has_time = false;
	is_int(events_tally_add(&t, &ev, "in"), EVENTS_NO_TIME, "no time: no_time");
	ev = event(4768, NOW, "CORP", "b", "krbtgt", 0);
	is_int(events_tally_add(&t, &ev, "in"), EVENTS_IN_WINDOW, "other realm: scanned only");
	ev = event(4768, NOW - 10, "PARTNER.EXAMPLE", "c", "krbtgt", 0);
	ev.status = 0x12;
	events_tally_add(&t, &ev, "in");
	ev = event(4770, NOW - 20, "PARTNER.EXAMPLE", "d", "krbtgt", 0);
	events_tally_add(&t, &ev, "in");
	ev = event(4769, NOW - 30, "PARTNER.EXAMPLE", "e", "host", 0);
	ev.has_status = false;
	events_tally_add(&t, &ev, "in");

	is_int(t.n.cross_trust, 5, "cross-trust: 5");
	is_int(t.n.tgt, 1, "of them 4768: 1");
	is_int(t.n.service, 3, "4769: 3");
	is_int(t.n.renewal, 1, "4770: 1");
	is_int(t.n.forwarded, 2, "forwarded: 2");
	is_int(t.n.failed, 1, "failed (status not 0x0): 1");
	is_int(t.n.scanned, 6, "scanned: the 6 events in the window");
	is_int(t.n.no_time, 1, "no time: 1");
	is_int(t.n.before_window, 1, "before: 1");
	is_int(t.n.after_window, 1, "after: 1");
	events_tally_free(&t);
	events_realms_free(&r);
}

static void test_top_and_newest(void)
{
	struct events_realms r;
	struct events_tally t, u;
	struct events_window w = { 0, NOW };
	const struct events_tuple *top[EVENTS_TOP_SHOWN];
	struct ticket_event ev;
	size_t n;
	char user[64];

	events_realms_init(&r);
	events_realms_add_trusted(&r, "PARTNER.EXAMPLE", NULL);
	events_realms_add_trusted(&r, "PARTNER", "PARTNER.EXAMPLE");
	events_tally_init(&t, &r, w);
	for (int i = 0; i < 3; i++) {
		ev = event(4769, NOW - i, "PARTNER", "Alice@PARTNER.EXAMPLE", "krbtgt", 0);
		events_tally_add(&t, &ev, "a");
	}
	/* the same tuple spelled in other cases counts together */
	ev = event(4769, NOW, "partner.example", "alice@partner.example", "KRBTGT", 0);
	events_tally_add(&t, &ev, "a");
	for (int i = 0; i < 2; i++) {
		ev = event(4769, NOW, "PARTNER.EXAMPLE", "bob", "cifs/fs1", 0);
		events_tally_add(&t, &ev, "a");
	}
	ev = event(4769, NOW, "PARTNER.EXAMPLE", "bob", "", 0);
	events_tally_add(&t, &ev, "a");
	n = events_tally_top(&t, top, EVENTS_TOP_SHOWN);
	is_int(n, 3, "three distinct tuples");
	ok(n == 3 && top[0]->count == 4 && strcmp(top[0]->account, "Alice@PARTNER.EXAMPLE") == 0 &&
	   strcmp(top[0]->realm, "PARTNER.EXAMPLE") == 0,
	   "busiest first, case-insensitive, realm label, first spelling kept");
	ok(n == 3 && top[1]->count == 2 && top[2]->count == 1 && top[2]->service[0] == '\0',
	   "then by count; an empty service is its own tuple");

	/* many distinct tuples: capped, the rest counted as untracked */
	for (int i = 0; i < EVENTS_TUPLES_MAX + 5; i++) {
		snprintf(user, sizeof(user), "user%d", i);
		ev = event(4768, NOW, "PARTNER", user, "krbtgt", 0);
		events_tally_add(&t, &ev, "a");
	}
	is_int(t.ntuples, EVENTS_TUPLES_MAX, "at most %d tuples tracked", EVENTS_TUPLES_MAX);
	is_int(t.untracked, 8, "the others counted as untracked");
	ev = event(4769, NOW, "PARTNER", "ALICE@partner.example", "krbtgt", 0);
	events_tally_add(&t, &ev, "a");
	n = events_tally_top(&t, top, 2);
	ok(n == 2 && top[0]->count == 5, "a tracked tuple still counts when the table is full");

	/* newest forwarded: the EVENTS_FORWARDED_KEPT newest, newest first */
	events_tally_init(&u, &r, w);
	for (int i = 0; i < 8; i++) {
		ev = event(4769, NOW - 100 + (i * 7) % 8, "PARTNER", "f", "krbtgt", TICKET_OPT_FORWARDED);
		ev.offset = (uint64_t)i;
		events_tally_add(&u, &ev, "b");
	}
	is_int(u.nnewest, EVENTS_FORWARDED_KEPT, "%d forwarded events kept", EVENTS_FORWARDED_KEPT);
	ok(u.newest[0].ev.time == NOW - 93 && u.newest[4].ev.time == NOW - 97, "the newest ones, newest first");
	ok(strcmp(u.newest[0].input, "b") == 0 && strcmp(u.newest[0].realm, "PARTNER.EXAMPLE") == 0,
	   "with their input and realm label");

	/* merge */
	events_tally_merge(&t, &u);
	is_int(t.n.cross_trust, 7 + EVENTS_TUPLES_MAX + 5 + 1 + 8, "merged counts");
	is_int(t.n.forwarded, 8, "merged forwarded");
	ok(t.nnewest == EVENTS_FORWARDED_KEPT && t.newest[0].ev.time == NOW - 93, "merged newest");
	is_int(t.untracked, 8 + 8, "merged: the 8 events of a new tuple beyond the cap are untracked");
	events_tally_reset(&u);
	ok(u.n.cross_trust == 0 && u.ntuples == 0 && u.nnewest == 0 && u.realms == &r,
	   "reset forgets counts, keeps realms");
	events_tally_free(&u);
	events_tally_free(&t);
	events_realms_free(&r);
}

static void test_format(void)
{
	struct ticket_event ev = event(4769, NOW, "PARTNER", "bob@PARTNER.EXAMPLE", "krbtgt",
				       0x60810010);
	char *s;

	snprintf(ev.ip_address, sizeof(ev.ip_address), "::ffff:10.1.2.3");
	snprintf(ev.computer, sizeof(ev.computer), "dc1.corp.example");
	ev.offset = 1234;
	s = events_format_event(&ev, "PARTNER.EXAMPLE", "/var/log/dc.jsonl");
	is_str(s, "2020-07-22T04:04:02Z 4769 service ticket: account bob@PARTNER.EXAMPLE "
		  "(TargetDomainName PARTNER, trusted realm PARTNER.EXAMPLE), service krbtgt, "
		  "options 0x60810010 (forwardable, forwarded, renewable, canonicalize, renewable-ok), "
		  "status 0x0, from ::ffff:10.1.2.3, DC dc1.corp.example, Winlogbeat 6 JSON at byte 1234 "
		  "in /var/log/dc.jsonl", "a JSON event in full");
	free(s);
	ev = event(4770, NOW, "", "", "", 0);
	ev.has_options = false;
	ev.has_time = false;
	ev.source = TICKET_SOURCE_EVTX;
	ev.record_id = 77;
	s = events_format_event(&ev, NULL, NULL);
	is_str(s, "(no time) 4770 ticket renewal: account - (TargetDomainName -), service -, "
		  "no ticket options, from -, DC -, record 77", "an EVTX event with nothing set");
	free(s);
}

int main(void)
{
	test_realms();
	test_dn_names();
	test_window();
	test_top_and_newest();
	test_format();
	return tap_done();
}
