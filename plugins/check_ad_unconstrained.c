/* SPDX-License-Identifier: GPL-3.0-or-later */
/* check_ad_unconstrained - accounts that Active Directory trusts for
 * unconstrained Kerberos delegation, domain controllers left out. */

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
#include "range.h"
#include "strlist.h"
#include "timeout.h"
#include "unconstrained.h"

#define PROGNAME "check_ad_unconstrained"
#define SERVICE "AD UNCONSTRAINED"
#define DEFAULT_WARNING "0"

enum {
	OPT_EXCLUDE_DISABLED = OPT_PLUGIN,
	OPT_WARNING_PT,
	OPT_CRITICAL_PT,
	OPT_WARNING_RBCD,
	OPT_CRITICAL_RBCD,
	OPT_STATE_FILE,
	OPT_NEW_IS,
};

static const ad_option plugin_options[] = {
	{"exclude-disabled", false, OPT_EXCLUDE_DISABLED, NULL,
	 "Do not count disabled accounts (they are counted by default: enabling\n"
	 "the account again restores the risk)"},
	{"warning-protocol-transition", true, OPT_WARNING_PT, "RANGE",
	 "Warning threshold for accounts with protocol transition\n"
	 "(TRUSTED_TO_AUTH_FOR_DELEGATION); none by default"},
	{"critical-protocol-transition", true, OPT_CRITICAL_PT, "RANGE",
	 "Critical threshold for accounts with protocol transition"},
	{"warning-rbcd", true, OPT_WARNING_RBCD, "RANGE",
	 "Warning threshold for resource-based constrained delegation targets\n"
	 "(msDS-AllowedToActOnBehalfOfOtherIdentity set); none by default"},
	{"critical-rbcd", true, OPT_CRITICAL_RBCD, "RANGE",
	 "Critical threshold for resource-based constrained delegation targets"},
	AD_CHANGE_OPTIONS(OPT_STATE_FILE, OPT_NEW_IS),
	{0},
};

struct settings {
	bool exclude_disabled;
	const char *pt_range[2];   /* warning, critical */
	const char *rbcd_range[2];
	strlist owned;             /* storage for the strings above */
	ad_change_opts changes;
};

static int apply_option(void *ctx, int key, const char *arg, const char **err)
{
	struct settings *s = ctx;
	const char **slot = NULL;

	switch (key) {
	case OPT_STATE_FILE:
	case OPT_NEW_IS:
		return ad_change_opts_apply(&s->changes, key == OPT_STATE_FILE, arg, err);
	case OPT_EXCLUDE_DISABLED: s->exclude_disabled = (arg == NULL); return 0;
	case OPT_WARNING_PT: slot = &s->pt_range[0]; break;
	case OPT_CRITICAL_PT: slot = &s->pt_range[1]; break;
	case OPT_WARNING_RBCD: slot = &s->rbcd_range[0]; break;
	case OPT_CRITICAL_RBCD: slot = &s->rbcd_range[1]; break;
	default: return -1;
	}
	strlist_add(&s->owned, arg);
	*slot = s->owned.items[s->owned.n - 1];
	return 0;
}

struct tally {
	unsigned counted, computers, users, disabled, excepted, expired;
	unsigned not_counted_disabled, protocol_transition, rbcd;
};

/* Whether an unconstrained account is counted: not under a valid
 * exception, and not left out as disabled.  *X gets its exception. */
static bool is_counted(const ad_account *a, ad_exception_list *exceptions,
		       bool exclude_disabled, time_t now, ad_exception **x)
{
	const char *names[] = {a->sam, a->dn};

	*x = ad_exceptions_find(exceptions, names, 2);
	if (*x != NULL && !ad_exception_expired(*x, now))
		return false;
	return !(a->disabled && exclude_disabled);
}

/* The names of the counted accounts, what the state file remembers. */
static void counted_names(const ad_account_list *accounts, ad_exception_list *exceptions,
			  bool exclude_disabled, strlist *out)
{
	time_t now = time(NULL);
	ad_exception *x;

	for (size_t i = 0; i < accounts->n; i++) {
		const ad_account *a = &accounts->items[i];
		if (a->unconstrained && is_counted(a, exceptions, exclude_disabled, now, &x))
			strlist_add(out, a->sam[0] ? a->sam : a->dn);
	}
}

static void list_account(mp_check *chk, const ad_account *a, const char *note)
{
	mp_check_line(chk, "%s %s (%s) %s%s%s", ad_account_kind_name(a->kind),
		      a->sam[0] ? a->sam : "(no sAMAccountName)", a->dn,
		      a->disabled ? "disabled" : "enabled", note[0] ? ", " : "", note);
}

/* Unconstrained accounts: counted, excepted, or left out as disabled. */
static void evaluate_unconstrained(mp_check *chk, const ad_account_list *accounts,
				   ad_exception_list *exceptions, bool exclude_disabled,
				   struct tally *t)
{
	time_t now = time(NULL);
	strlist excepted_lines;

	strlist_init(&excepted_lines);
	for (size_t i = 0; i < accounts->n; i++) {
		const ad_account *a = &accounts->items[i];
		ad_exception *x;
		char *note;

		if (!a->unconstrained)
			continue;
		if (!is_counted(a, exceptions, exclude_disabled, now, &x)) {
			if (x != NULL && !ad_exception_expired(x, now)) {
				t->excepted++;
				strlist_add_owned(&excepted_lines,
					xasprintf("%s %s (%s) %s, excepted%s%s: %s",
						  ad_account_kind_name(a->kind), a->sam, a->dn,
						  a->disabled ? "disabled" : "enabled",
						  x->has_expiry ? " until " : "",
						  x->has_expiry ? x->expires_text : "", x->reason));
			} else {
				t->disabled++;
				t->not_counted_disabled++;
			}
			continue;
		}
		if (a->disabled)
			t->disabled++;
		t->counted++;
		if (a->kind == AD_ACCOUNT_COMPUTER)
			t->computers++;
		else
			t->users++;
		if (x != NULL) {
			t->expired++;
			note = xasprintf("exception expired on %s (%s)", x->expires_text, x->reason);
		} else {
			note = xstrdup("");
		}
		list_account(chk, a, note);
		free(note);
	}
	if (excepted_lines.n > 0)
		mp_check_line(chk, "Excepted (listed, not counted):");
	for (size_t i = 0; i < excepted_lines.n; i++)
		mp_check_line(chk, "%s", excepted_lines.items[i]);
	strlist_free(&excepted_lines);
	if (t->not_counted_disabled > 0) {
		mp_check_line(chk, "Disabled, not counted (--exclude-disabled):");
		for (size_t i = 0; i < accounts->n; i++) {
			const ad_account *a = &accounts->items[i];
			ad_exception *x;
			if (a->unconstrained && a->disabled &&
			    !is_counted(a, exceptions, exclude_disabled, now, &x) &&
			    (x == NULL || ad_exception_expired(x, now)))
				list_account(chk, a, "");
		}
	}
}

static void list_other_delegation(mp_check *chk, const ad_account_list *accounts,
				  struct tally *t)
{
	for (int pass = 0; pass < 2; pass++) {
		bool header = false;
		for (size_t i = 0; i < accounts->n; i++) {
			const ad_account *a = &accounts->items[i];
			bool hit = pass == 0 ? a->protocol_transition : a->rbcd;

			if (!hit)
				continue;
			if (pass == 0)
				t->protocol_transition++;
			else
				t->rbcd++;
			if (!header) {
				mp_check_line(chk, pass == 0
					? "Protocol transition (TRUSTED_TO_AUTH_FOR_DELEGATION):"
					: "Resource-based constrained delegation targets:");
				header = true;
			}
			list_account(chk, a, "");
		}
	}
}

static const char *plural(unsigned n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

int main(int argc, char **argv)
{
	struct settings set = {0};
	ad_plugin_spec spec = {
		.progname = PROGNAME,
		.description =
			"Counts the accounts that Active Directory trusts for unconstrained\n"
			"Kerberos delegation (userAccountControl TRUSTED_FOR_DELEGATION), leaving\n"
			"out domain controllers and read-only domain controllers, and lists them.\n"
			"Accounts with protocol transition and resource-based constrained\n"
			"delegation targets are reported as extra performance data.",
		.usage = "-H HOST [-S] [-T] [--ca-file FILE] [-D DN --password-file FILE] "
			 "[-Y GSSAPI [--keytab FILE]] [-b BASE] [-w RANGE] [-c RANGE] "
			 "[--exclude-disabled] [--state-file FILE] [--config FILE [--section NAME]] "
			 "[-t SECONDS[:STATE]] [-v]",
		.options = plugin_options,
		.apply = apply_option,
		.ctx = &set,
		.notes =
			"Thresholds: -w/-c apply to the number of counted accounts (default -w 0:\n"
			"any account is a WARNING; no critical threshold).\n\n"
			"Exceptions (config file): exceptions = ( { account = \"SQL01$\";\n"
			"reason = \"CHG-1234\"; expires = \"2027-03-31\"; } ); an excepted account is\n"
			"listed but not counted; after its expiry date (UTC) it counts again.\n\n"
			"Example:\n"
			" check_ad_unconstrained -H dc1.corp.example -S --ca-file /etc/ssl/corp-ca.pem \\\n"
			"   -D 'CN=svc-monitor,OU=Service,DC=corp,DC=example' \\\n"
			"   --password-file /etc/nagios/ad.secret -c 5",
	};
	ad_common_opts opts;
	ad_config *cfg = NULL;
	ad_exception_list exceptions;
	ad_account_list accounts;
	mp_thresholds th = {0}, th_pt = {0}, th_rbcd = {0};
	struct tally t = {0};
	mp_check *chk;
	ad_ldap *ldap;
	char *base = NULL, *err = NULL;

	mp_set_service(SERVICE);
	strlist_init(&set.owned);
	ad_change_opts_init(&set.changes);
	ad_options_parse(&spec, argc, argv, &opts, &cfg);
	mp_thresholds_parse_or_die(&th, opts.warning ? opts.warning : DEFAULT_WARNING, opts.critical,
		       "unconstrained");
	mp_thresholds_parse_or_die(&th_pt, set.pt_range[0], set.pt_range[1], "protocol transition");
	mp_thresholds_parse_or_die(&th_rbcd, set.rbcd_range[0], set.rbcd_range[1], "rbcd");
	if (ad_exceptions_load(cfg, "exceptions", "account", &exceptions, &err) < 0)
		mp_die(MP_UNKNOWN, "%s", err);
	mp_timeout_arm(opts.timeout, opts.timeout_state);

	mp_timeout_stage("connecting to %s", opts.hostname);
	/* the backstop, which knows the user's timeout state, fires first */
	ldap = ad_connect(&opts, mp_timeout_remaining() + 1, &base, &err);
	if (ldap == NULL)
		mp_die(MP_UNKNOWN, "%s", err);
	mp_timeout_stage("searching %s on %s", base, ad_ldap_uri(ldap));
	ad_debug(&opts, 3, "filter %s", ad_delegation_filter(AD_FIND_ALL_DELEGATION));
	if (ad_find_delegation_accounts(ldap, base, AD_FIND_ALL_DELEGATION, &accounts, &err) < 0)
		mp_die(MP_UNKNOWN, "%s", err);

	chk = mp_check_new();
	{
		strlist names;
		strlist_init(&names);
		counted_names(&accounts, &exceptions, set.exclude_disabled, &names);
		ad_changes_report(&set.changes, PROGNAME, &names, NULL, chk);
		strlist_free(&names);
	}
	evaluate_unconstrained(chk, &accounts, &exceptions, set.exclude_disabled, &t);
	list_other_delegation(chk, &accounts, &t);
	if (opts.verbose > 0)
		mp_check_line(chk, "Searched %s on %s (%zu delegation entries, %u referrals skipped)",
			      base, ad_ldap_uri(ldap), accounts.n, accounts.referrals);

	mp_check_raise(chk, mp_thresholds_state(&th, t.counted));
	if (t.counted == 0)
		mp_check_summary(chk, "no non-DC account trusted for unconstrained delegation");
	else
		mp_check_summary(chk, "%u non-DC %s trusted for unconstrained delegation (%u %s, %u %s)",
				 t.counted, plural(t.counted, "account", "accounts"),
				 t.computers, plural(t.computers, "computer", "computers"),
				 t.users, plural(t.users, "user", "users"));
	if (t.expired > 0)
		mp_check_summary_prefix(chk, "%u %s expired", t.expired,
					plural(t.expired, "exception", "exceptions"));
	if (mp_thresholds_state(&th_pt, t.protocol_transition) != MP_OK) {
		mp_check_raise(chk, mp_thresholds_state(&th_pt, t.protocol_transition));
		mp_check_summary_prefix(chk, "%u %s with protocol transition", t.protocol_transition,
					plural(t.protocol_transition, "account", "accounts"));
	}
	if (mp_thresholds_state(&th_rbcd, t.rbcd) != MP_OK) {
		mp_check_raise(chk, mp_thresholds_state(&th_rbcd, t.rbcd));
		mp_check_summary_prefix(chk, "%u resource-based delegation %s", t.rbcd,
					plural(t.rbcd, "target", "targets"));
	}

	mp_check_perf_count(chk, "unconstrained", t.counted, &th);
	mp_check_perf_count(chk, "computers", t.computers, NULL);
	mp_check_perf_count(chk, "users", t.users, NULL);
	mp_check_perf_count(chk, "disabled", t.disabled, NULL);
	mp_check_perf_count(chk, "excepted", t.excepted, NULL);
	mp_check_perf_count(chk, "protocol_transition", t.protocol_transition, &th_pt);
	mp_check_perf_count(chk, "rbcd", t.rbcd, &th_rbcd);
	mp_check_perf_seconds(chk, "time", mp_timeout_elapsed());

	ad_ldap_close(ldap);
	ad_account_list_free(&accounts);
	ad_exceptions_free(&exceptions);
	ad_config_free(cfg);
	ad_common_opts_free(&opts);
	strlist_free(&set.owned);
	ad_change_opts_free(&set.changes);
	free(base);
	mp_check_exit(chk);
}
