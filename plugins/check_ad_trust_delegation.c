/* SPDX-License-Identifier: GPL-3.0-or-later */
/* check_ad_trust_delegation - inbound and bidirectional trusts through which
 * this domain's users' TGTs can be delegated to the partner (MS-KILE), and
 * optionally who in those partner domains can catch them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ad_flags.h"
#include "changes.h"
#include "connect.h"
#include "exceptions.h"
#include "options.h"
#include "output.h"
#include "partners.h"
#include "range.h"
#include "strlist.h"
#include "timeout.h"
#include "trusts.h"

#define PROGNAME "check_ad_trust_delegation"
#define SERVICE "AD TRUST DELEGATION"
#define DEFAULT_CRITICAL "0"
#define MAX_NAMED_IN_SUMMARY 5
/* partners must answer before the backstop fires, so it can report them */
#define PARTNER_MARGIN 1.0

enum {
	OPT_LEGACY = OPT_PLUGIN,
	OPT_SCAN_PARTNERS,
	OPT_SCAN_ALL,
	OPT_STATE_FILE,
	OPT_NEW_IS,
};

static const ad_option plugin_options[] = {
	{"legacy", false, OPT_LEGACY, NULL,
	 "Evaluate as a domain controller without the 2019 updates does:\n"
	 "delegation is allowed unless NO_TGT_DELEGATION (0x200) is set"},
	{"scan-partners", false, OPT_SCAN_PARTNERS, NULL,
	 "For each trust that allows TGT delegation, list the partner domain's\n"
	 "non-DC accounts with unconstrained delegation (partners are queried\n"
	 "concurrently within the one timeout)"},
	{"scan-all", false, OPT_SCAN_ALL, NULL,
	 "Scan the partners of every inbound or bidirectional trust"},
	AD_CHANGE_OPTIONS(OPT_STATE_FILE, OPT_NEW_IS),
	{0},
};

struct settings {
	ad_trust_rule rule;
	bool scan_partners;
	bool scan_all;
	ad_change_opts changes;
};

static int apply_option(void *ctx, int key, const char *arg, const char **err)
{
	struct settings *s = ctx;
	bool on = (arg == NULL);

	switch (key) {
	case OPT_LEGACY: s->rule = on ? TRUST_RULE_LEGACY : TRUST_RULE_CURRENT; return 0;
	case OPT_SCAN_PARTNERS: s->scan_partners = on; return 0;
	case OPT_SCAN_ALL: s->scan_all = on; return 0;
	case OPT_STATE_FILE:
	case OPT_NEW_IS:
		return ad_change_opts_apply(&s->changes, key == OPT_STATE_FILE, arg, err);
	default: return -1;
	}
}

/* What the check concluded about one trust. */
struct judged {
	const ad_trust *trust;
	ad_trust_verdict v;
	ad_exception *exception;   /* NULL, valid or expired */
	bool excepted;             /* under a valid exception: not counted */
	bool counted;              /* allows delegation and counts */
};

struct tally {
	unsigned trusts, inbound, tgt_delegation, excepted, expired, contradictory;
	unsigned unknown, partner_unconstrained, partners_failed;
};

static void judge(const ad_trust_list *trusts, ad_trust_rule rule,
		  ad_exception_list *exceptions, struct judged *out, struct tally *t)
{
	time_t now = time(NULL);

	for (size_t i = 0; i < trusts->n; i++) {
		struct judged *j = &out[i];
		const char *names[] = {trusts->items[i].partner, trusts->items[i].flat_name};

		j->trust = &trusts->items[i];
		ad_trust_evaluate(j->trust, rule, &j->v);
		t->trusts++;
		t->inbound += j->v.inbound;
		t->contradictory += j->v.contradictory;
		t->unknown += j->v.cls == TRUST_UNKNOWN;
		if (j->v.cls != TRUST_ALLOWED)
			continue;
		j->exception = ad_exceptions_find(exceptions, names, 2);
		j->excepted = j->exception && !ad_exception_expired(j->exception, now);
		j->counted = !j->excepted;
		t->tgt_delegation += j->counted;
		t->excepted += j->excepted;
		t->expired += j->exception && !j->excepted;
	}
}

/* Long output order: what needs action first. */
static int rank(const struct judged *j)
{
	if (j->counted)
		return 0;
	if (j->v.cls == TRUST_UNKNOWN)
		return 1;
	if (j->v.contradictory)
		return 2;
	switch (j->v.cls) {
	case TRUST_ALLOWED: return 3; /* excepted */
	case TRUST_BLOCKED: return 4;
	case TRUST_WITHIN_FOREST: return 5;
	default: return 6;
	}
}

static int by_rank(const void *pa, const void *pb)
{
	const struct judged *a = pa, *b = pb;

	if (rank(a) != rank(b))
		return rank(a) < rank(b) ? -1 : 1;
	return a->trust < b->trust ? -1 : a->trust > b->trust; /* by name */
}

static void list_trust(mp_check *chk, const struct judged *j)
{
	const ad_trust *t = j->trust;
	char *attrs = ad_trust_attr_names(t->attrs);
	strbuf note;

	strbuf_init(&note);
	if (j->v.contradictory)
		strbuf_puts(&note, "; contradictory: ENABLE_TGT_DELEGATION together with "
				   "QUARANTINED_DOMAIN (netdom refuses this combination)");
	if (j->excepted)
		strbuf_printf(&note, "; excepted%s%s: %s",
			      j->exception->has_expiry ? " until " : "",
			      j->exception->has_expiry ? j->exception->expires_text : "",
			      j->exception->reason);
	else if (j->exception != NULL)
		strbuf_printf(&note, "; exception expired on %s (%s)",
			      j->exception->expires_text, j->exception->reason);
	mp_check_line(chk, "trust %s (%s) %s, %s, attributes %s: %s%s",
		      t->partner[0] ? t->partner : t->dn,
		      t->flat_name[0] ? t->flat_name : "no NetBIOS name",
		      ad_trust_direction_name(t->direction), ad_trust_type_name(t->type),
		      attrs, j->v.why, note.s ? note.s : "");
	strbuf_free(&note);
	free(attrs);
}

static bool should_scan(const struct judged *j, const struct settings *set)
{
	if (set->scan_all)
		return j->v.cls != TRUST_NOT_RELEVANT;
	return set->scan_partners && j->v.cls == TRUST_ALLOWED;
}

static void report_partners(mp_check *chk, const ad_partner_list *partners, struct tally *t)
{
	for (size_t i = 0; i < partners->n; i++) {
		const ad_partner *p = &partners->items[i];

		if (!p->ok) {
			t->partners_failed++;
			mp_check_line(chk, "partner %s: not scanned (%.1f s): %s", p->domain,
				      p->seconds, p->error ? p->error : "unknown error");
			continue;
		}
		t->partner_unconstrained += (unsigned)p->accounts.n;
		mp_check_line(chk, "partner %s: %zu unconstrained (%s, base %s, %.2f s)", p->domain,
			      p->accounts.n, p->uri, p->base, p->seconds);
		for (size_t k = 0; k < p->accounts.n; k++) {
			const ad_account *a = &p->accounts.items[k];
			mp_check_line(chk, "  %s %s (%s) %s", ad_account_kind_name(a->kind),
				      a->sam[0] ? a->sam : "(no sAMAccountName)", a->dn,
				      a->disabled ? "disabled" : "enabled");
		}
	}
}

static void summarise(mp_check *chk, const struct judged *judged, size_t n,
		      const struct tally *t, bool scanned)
{
	strbuf names, body;
	unsigned named = 0;

	strbuf_init(&names);
	strbuf_init(&body);
	for (size_t i = 0; i < n; i++) {
		if (!judged[i].counted)
			continue;
		if (named++ < MAX_NAMED_IN_SUMMARY)
			strbuf_printf(&names, "%s%s", named > 1 ? ", " : "", judged[i].trust->partner);
	}
	if (named == 0)
		strbuf_puts(&names, "");
	if (named > MAX_NAMED_IN_SUMMARY)
		strbuf_printf(&names, " and %u more", named - MAX_NAMED_IN_SUMMARY);
	if (t->tgt_delegation > 0)
		strbuf_printf(&body, "%u %s TGT delegation across the forest boundary: %s",
			      t->tgt_delegation,
			      t->tgt_delegation == 1 ? "trust allows" : "trusts allow", names.s);
	else
		strbuf_printf(&body, "no inbound trust allows TGT delegation (%u %s, %u inbound)",
			      t->trusts, t->trusts == 1 ? "trust" : "trusts", t->inbound);
	if (scanned)
		strbuf_printf(&body, "; %u unconstrained %s in partner domains",
			      t->partner_unconstrained,
			      t->partner_unconstrained == 1 ? "account" : "accounts");
	mp_check_summary(chk, "%s", body.s);
	strbuf_free(&body);
	strbuf_free(&names);
	if (t->contradictory > 0)
		mp_check_summary_prefix(chk, "%u %s contradictory attributes (ENABLE_TGT_DELEGATION "
					"with QUARANTINED_DOMAIN)", t->contradictory,
					t->contradictory == 1 ? "trust has" : "trusts have");
	if (t->expired > 0)
		mp_check_summary_prefix(chk, "%u trust %s expired", t->expired,
					t->expired == 1 ? "exception" : "exceptions");
	if (t->unknown > 0)
		mp_check_summary_prefix(chk, "%u %s could not be evaluated", t->unknown,
					t->unknown == 1 ? "trust" : "trusts");
	if (scanned && t->partners_failed > 0)
		mp_check_summary_prefix(chk, "%u %s could not be scanned", t->partners_failed,
					t->partners_failed == 1 ? "partner" : "partners");
}

int main(int argc, char **argv)
{
	struct settings set = {.rule = TRUST_RULE_CURRENT};
	ad_plugin_spec spec = {
		.progname = PROGNAME,
		.description =
			"Reads the trusted domain objects of a domain and reports every inbound\n"
			"or bidirectional trust through which this domain's users' Kerberos TGTs\n"
			"can be delegated to the partner (MS-KILE 3.3.5.7.5: WITHIN_FOREST or\n"
			"ENABLE_TGT_DELEGATION, and neither NO_TGT_DELEGATION nor\n"
			"QUARANTINED_DOMAIN).  With --scan-partners it also lists, in each such\n"
			"partner domain, the accounts trusted for unconstrained delegation: the\n"
			"ones that can catch those TGTs.",
		.usage = "-H HOST [-S] [-T] [--ca-file FILE] [-D DN --password-file FILE] "
			 "[-Y GSSAPI [--keytab FILE]] [-b BASE] [-w RANGE] [-c RANGE] [--legacy] "
			 "[--scan-partners] [--scan-all] [--state-file FILE] "
			 "[--config FILE [--section NAME]] [-t SECONDS[:STATE]] [-v]",
		.options = plugin_options,
		.apply = apply_option,
		.ctx = &set,
		.notes =
			"Thresholds: -w/-c apply to the number of trusts that allow TGT\n"
			"delegation (default -c 0: any such trust is CRITICAL; no warning).\n"
			"Contradictory attributes (ENABLE_TGT_DELEGATION with QUARANTINED_DOMAIN)\n"
			"are a WARNING; a partner that cannot be scanned is UNKNOWN unless\n"
			"something worse was found.\n\n"
			"Config file, in the section of this check:\n"
			"  exceptions = ( { trust = \"PARTNER.EXAMPLE\"; reason = \"CHG-1234\";\n"
			"                   expires = \"2027-03-31\"; } );\n"
			"  partners = ( { domain = \"PARTNER.EXAMPLE\";\n"
			"                 hostname = \"ldaps://dc1.partner.example\";\n"
			"                 ca_file = \"/etc/ssl/partner-ca.pem\"; } );\n"
			"A partner without an entry is found with DNS SRV _ldap._tcp.<partner>\n"
			"and scanned with the main connection's credentials.\n\n"
			"Example:\n"
			" check_ad_trust_delegation -H dc1.corp.example -S --ca-file /etc/ssl/corp-ca.pem \\\n"
			"   -Y GSSAPI --keytab /etc/nagios/monitor.keytab --scan-partners",
	};
	ad_common_opts opts;
	ad_config *cfg = NULL;
	ad_exception_list exceptions;
	ad_trust_list trusts;
	ad_partner_list partners = {0};
	struct judged *judged;
	mp_thresholds th = {0};
	struct tally t = {0};
	strlist risky, unsure;
	mp_check *chk;
	ad_ldap *ldap;
	char *base = NULL, *err = NULL;
	bool scanning;

	mp_set_service(SERVICE);
	ad_change_opts_init(&set.changes);
	ad_options_parse(&spec, argc, argv, &opts, &cfg);
	mp_thresholds_parse_or_die(&th, opts.warning, opts.critical ? opts.critical : DEFAULT_CRITICAL,
				   "tgt_delegation");
	if (ad_exceptions_load(cfg, "exceptions", "trust", &exceptions, &err) < 0 ||
	    ad_partners_check_config(cfg, &err) < 0)
		mp_die(MP_UNKNOWN, "%s", err);
	scanning = set.scan_partners || set.scan_all;
	mp_timeout_arm(opts.timeout, opts.timeout_state);

	mp_timeout_stage("connecting to %s", opts.hostname);
	ldap = ad_connect(&opts, mp_timeout_remaining() + 1, &base, &err);
	if (ldap == NULL)
		mp_die(MP_UNKNOWN, "%s", err);
	mp_timeout_stage("reading the trusts of %s on %s", base, ad_ldap_uri(ldap));
	if (ad_find_trusts(ldap, base, &trusts, &err) < 0)
		mp_die(MP_UNKNOWN, "%s", err);
	judged = xcalloc(trusts.n, sizeof *judged);
	judge(&trusts, set.rule, &exceptions, judged, &t);

	if (scanning) {
		for (size_t i = 0; i < trusts.n; i++)
			if (should_scan(&judged[i], &set))
				ad_partners_add(&partners, cfg, &opts, judged[i].trust->partner,
						judged[i].trust->flat_name);
		mp_timeout_stage("scanning %zu partner %s", partners.n,
				 partners.n == 1 ? "domain" : "domains");
		for (size_t i = 0; i < partners.n; i++)
			ad_debug(&opts, 2, "partner %s: %s", partners.items[i].domain,
				 partners.items[i].from_config ? "connection from the config file"
							       : "DNS SRV lookup");
		if (ad_partners_scan(&partners, mp_timeout_remaining() > PARTNER_MARGIN + 0.5
						    ? mp_timeout_remaining() - PARTNER_MARGIN : 0.5) > 0)
			mp_set_exit_without_destructors();
	}

	chk = mp_check_new();
	strlist_init(&risky);
	strlist_init(&unsure);
	for (size_t i = 0; i < trusts.n; i++) {
		if (judged[i].counted)
			strlist_add(&risky, judged[i].trust->partner);
		else if (judged[i].v.cls == TRUST_UNKNOWN)
			strlist_add(&unsure, judged[i].trust->partner);
	}
	ad_changes_report(&set.changes, PROGNAME, &risky, &unsure, chk);
	strlist_free(&risky);
	strlist_free(&unsure);
	if (trusts.n > 1)
		qsort(judged, trusts.n, sizeof *judged, by_rank);
	for (size_t i = 0; i < trusts.n; i++)
		list_trust(chk, &judged[i]);
	if (scanning)
		report_partners(chk, &partners, &t);
	if (opts.verbose > 0)
		mp_check_line(chk, "Read %zu trusted domain objects under CN=System,%s on %s (%s rule)",
			      trusts.n, base, ad_ldap_uri(ldap),
			      set.rule == TRUST_RULE_LEGACY ? "legacy" : "current MS-KILE");

	mp_check_raise(chk, mp_thresholds_state(&th, t.tgt_delegation));
	if (t.contradictory > 0)
		mp_check_raise(chk, MP_WARNING);
	if (t.partners_failed > 0 || t.unknown > 0)
		mp_check_raise(chk, MP_UNKNOWN);
	summarise(chk, judged, trusts.n, &t, scanning);

	mp_check_perf_count(chk, "trusts", t.trusts, NULL);
	mp_check_perf_count(chk, "inbound", t.inbound, NULL);
	mp_check_perf_count(chk, "tgt_delegation", t.tgt_delegation, &th);
	if (scanning)
		mp_check_perf_count(chk, "partner_unconstrained", t.partner_unconstrained, NULL);
	mp_check_perf_seconds(chk, "time", mp_timeout_elapsed());

	free(judged);
	ad_partner_list_free(&partners);
	ad_trust_list_free(&trusts);
	ad_ldap_close(ldap);
	ad_exceptions_free(&exceptions);
	ad_config_free(cfg);
	ad_common_opts_free(&opts);
	ad_change_opts_free(&set.changes);
	free(base);
	mp_check_exit(chk);
}
