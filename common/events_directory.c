/* SPDX-License-Identifier: GPL-3.0-or-later */
/* events_directory.c - trusted realms and local names from the directory. */

#include "events_directory.h"

#include <stdlib.h>
#include <string.h>

#include "ad_flags.h"
#include "timeout.h"
#include "trusts.h"

struct netbios {
	char *name;
};

static int netbios_entry(ad_ldap *s, LDAPMessage *e, void *ctx)
{
	struct netbios *nb = ctx;

	if (nb->name == NULL)
		nb->name = ad_ldap_first_value(s, e, "nETBIOSName");
	return 0;
}

/* configurationNamingContext from the RootDSE, else CN=Configuration under
 * the domain (a forest root domain). */
static char *configuration_nc(ad_ldap *s, const char *domain)
{
	char *attrs[] = { "configurationNamingContext", NULL };
	/* the backstop, which knows the user's timeout state, fires first */
	struct timeval tv = { .tv_sec = (time_t)mp_timeout_remaining() + 1 };
	LDAPMessage *res = NULL, *e;
	char *nc = NULL;

	if (ldap_search_ext_s(ad_ldap_handle(s), "", LDAP_SCOPE_BASE, "(objectClass=*)", attrs,
			      0, NULL, NULL, &tv, 1, &res) == LDAP_SUCCESS &&
	    (e = ldap_first_entry(ad_ldap_handle(s), res)) != NULL)
		nc = ad_ldap_first_value(s, e, "configurationNamingContext");
	ldap_msgfree(res);
	return nc ? nc : xasprintf("CN=Configuration,%s", domain);
}

/* The domain's NetBIOS name from its crossRef, or NULL with a note. */
static char *netbios_name(ad_ldap *s, const char *domain, strlist *notes)
{
	static char *const attrs[] = { "nETBIOSName", NULL };
	char *config = configuration_nc(s, domain);
	char *partitions = xasprintf("CN=Partitions,%s", config);
	struct berval in = { .bv_len = strlen(domain), .bv_val = (char *)domain }, esc = { 0 };
	struct netbios nb = { 0 };
	char *filter, *err = NULL;

	if (ldap_bv2escaped_filter_value(&in, &esc) != 0) {
		free(config);
		free(partitions);
		return NULL;
	}
	filter = xasprintf("(&(objectClass=crossRef)(nCName=%s))", esc.bv_val);
	ber_memfree(esc.bv_val);
	if (ad_ldap_search(s, partitions, LDAP_SCOPE_ONELEVEL, filter, attrs, netbios_entry, &nb,
			   NULL, &err) != 0) {
		strlist_add_owned(notes, xasprintf("NetBIOS name of %s not readable (%s): only "
						   "its DNS name is a local name", domain, err));
		free(err);
	} else if (nb.name == NULL) {
		strlist_add_owned(notes, xasprintf("no crossRef with a NetBIOS name for %s under %s: "
						   "only its DNS name is a local name", domain,
						   partitions));
	}
	free(filter);
	free(partitions);
	free(config);
	return nb.name;
}

int events_realms_from_directory(ad_ldap *s, const char *base, struct events_realms *r,
				 strlist *notes, char **err)
{
	char *domain = events_domain_dn(base);
	char *dns, *flat;
	ad_trust_list trusts;

	if (domain == NULL) {
		*err = xasprintf("search base %s does not end in DC= components: cannot tell the "
				 "domain (give the domain's DN with -b)", base);
		return -1;
	}
	if (ad_find_trusts(s, domain, &trusts, err) < 0) {
		free(domain);
		return -1;
	}
	for (size_t i = 0; i < trusts.n; i++) {
		const ad_trust *t = &trusts.items[i];
		char *attrs = ad_trust_attr_names(t->attrs);
		const char *label = t->partner[0] ? t->partner : t->flat_name;

		events_realms_add_trusted(r, t->partner, label);
		events_realms_add_trusted(r, t->flat_name, label);
		strlist_add_owned(notes, xasprintf("trust %s (NetBIOS %s): direction %s, type %s, "
						   "attributes %s", t->partner[0] ? t->partner : "-",
						   t->flat_name[0] ? t->flat_name : "-",
						   ad_trust_direction_name(t->direction),
						   ad_trust_type_name(t->type), attrs));
		free(attrs);
	}
	if (trusts.n == 0)
		strlist_add_owned(notes, xasprintf("no trustedDomain object under CN=System,%s",
						   domain));
	ad_trust_list_free(&trusts);
	dns = events_dns_name_of_dn(domain);
	events_realms_add_local(r, dns);
	flat = netbios_name(s, domain, notes);
	if (flat != NULL)
		events_realms_add_local(r, flat);
	free(flat);
	free(dns);
	free(domain);
	return 0;
}
