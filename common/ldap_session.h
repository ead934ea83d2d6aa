/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ldap_session.h - one authenticated LDAP connection to a directory server,
 * on libldap's current API: LDAPS or StartTLS with certificate checks,
 * network and operation timeouts, referrals never chased, simple or SASL
 * (GSSAPI, EXTERNAL) binds, RootDSE discovery and a paged search that hands
 * each entry to the caller as it arrives.
 *
 * Every error is one line that names the operation, the server's result and
 * the server's own diagnostic message (where Active Directory explains a
 * failed bind: "data 52e" and the like). */
#ifndef AD_LDAP_SESSION_H
#define AD_LDAP_SESSION_H

#include <stdbool.h>

#include <ldap.h>

#define AD_LDAP_PAGE_SIZE 1000 /* Active Directory's MaxPageSize */

typedef struct {
	const char *uri;
	bool starttls;
	const char *ca_file;    /* NULL: libldap's default CA store */
	bool insecure;          /* skip certificate verification */
	bool allow_plaintext;   /* simple bind without TLS */
	const char *bind_dn;    /* simple bind when set and no SASL mechanism */
	const char *password;   /* borrowed; needed for a simple bind */
	const char *sasl_mech;  /* "GSSAPI" or "EXTERNAL" */
	double timeout;         /* seconds, network and each operation */
} ad_ldap_params;

typedef struct ad_ldap ad_ldap;

/* Builds an LDAP URI from -H (host or URI), -p and -S.  Returns a malloc'ed
 * URI, or NULL with a malloc'ed *ERR. */
char *ad_ldap_build_uri(const char *hostname, int port, bool ssl, char **err);

/* Connects, secures and binds.  Returns NULL with a malloc'ed *ERR. */
ad_ldap *ad_ldap_open(const ad_ldap_params *p, char **err);
void ad_ldap_close(ad_ldap *s);

const char *ad_ldap_uri(const ad_ldap *s);
LDAP *ad_ldap_handle(ad_ldap *s);

/* defaultNamingContext from the RootDSE (or its only namingContexts
 * value).  Returns a malloc'ed DN, or NULL with a malloc'ed *ERR. */
char *ad_ldap_default_base(ad_ldap *s, char **err);

/* Called for every entry; a non-zero return stops the search (the search
 * then returns that value with *ERR left NULL). */
typedef int (*ad_ldap_entry_fn)(ad_ldap *s, LDAPMessage *entry, void *ctx);

/* Searches with the Simple Paged Results control, AD_LDAP_PAGE_SIZE entries
 * a page, until the server has no more.  Referrals are skipped (counted in
 * *REFERRALS if not NULL).  A size limit hit is an error, never a short
 * answer.  Returns 0, the callback's non-zero value, or -1 with *ERR. */
int ad_ldap_search(ad_ldap *s, const char *base, int scope, const char *filter,
		   char *const *attrs, ad_ldap_entry_fn fn, void *ctx,
		   unsigned *referrals, char **err);

/* Entry helpers.  Strings are malloc'ed; NULL when the attribute is absent. */
char *ad_ldap_entry_dn(ad_ldap *s, LDAPMessage *entry);
char *ad_ldap_first_value(ad_ldap *s, LDAPMessage *entry, const char *attr);
/* 0 with *OUT, or -1 when absent or not an integer. */
int ad_ldap_int_value(ad_ldap *s, LDAPMessage *entry, const char *attr, long long *out);
bool ad_ldap_has_value(ad_ldap *s, LDAPMessage *entry, const char *attr);
/* True when the entry's objectClass includes NAME. */
bool ad_ldap_has_class(ad_ldap *s, LDAPMessage *entry, const char *name);

#endif
