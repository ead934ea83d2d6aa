/* SPDX-License-Identifier: GPL-3.0-or-later */
/* partners.h - scanning the partner domains of trusts for their
 * unconstrained accounts, all at once within one timeout.
 *
 * A partner's connection comes from the config file:
 *
 *   partners = (
 *     { domain = "PARTNER.EXAMPLE"; hostname = "ldaps://dc1.partner.example";
 *       ca_file = "/etc/ssl/partner-ca.pem"; bind_dn = "..."; password_file = "..."; }
 *   );
 *
 * (in the plugin's section, else in `defaults`); what an entry does not say
 * comes from the main connection.  Without an entry the partner's domain
 * controller is found with a DNS SRV lookup of _ldap._tcp.<partner>. */
#ifndef AD_PARTNERS_H
#define AD_PARTNERS_H

#include <stdbool.h>

#include "cfgfile.h"
#include "options.h"
#include "unconstrained.h"

typedef struct {
	char *domain;             /* trustPartner */
	char *flat_name;
	ad_common_opts opts;      /* the connection; hostname NULL: SRV lookup */
	bool from_config;
	bool main_ldaps;          /* the main connection used LDAPS */
	/* results */
	bool ok;
	char *uri;                /* where it was scanned (or tried) */
	char *error;              /* why it failed, one line */
	char *base;
	ad_account_list accounts;
	double seconds;
} ad_partner;

typedef struct {
	ad_partner *items;
	size_t n;
} ad_partner_list;

/* Checks the config's partners list (each entry: domain plus connection
 * settings).  Returns 0, or -1 with a malloc'ed *ERR naming the line. */
int ad_partners_check_config(const ad_config *cfg, char **err);

/* Adds a partner for DOMAIN/FLAT with MAIN's connection settings,
 * overridden by its config entry if there is one. */
void ad_partners_add(ad_partner_list *l, const ad_config *cfg,
		     const ad_common_opts *main_opts, const char *domain,
		     const char *flat_name);

/* Scans every partner concurrently, all within BUDGET seconds: a partner
 * whose scan has not ended by then is reported as failed, with what it was
 * waiting for, and its thread is left behind.  Returns how many were left
 * behind: the plugin must then exit without running library destructors
 * (mp_set_exit_without_destructors), as such a thread may still be inside
 * libldap. */
size_t ad_partners_scan(ad_partner_list *l, double budget);

void ad_partner_list_free(ad_partner_list *l);

#endif
