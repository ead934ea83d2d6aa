/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ad_flags.h"
#include "strlist.h"
#include "unconstrained.h"

#define BIT(v) "(userAccountControl:" AD_MATCH_BIT_AND ":=" #v ")"
/* Not a domain controller (SERVER_TRUST_ACCOUNT 0x2000 = 8192) and not a
 * read-only DC (PARTIAL_SECRETS_ACCOUNT 0x4000000 = 67108864). */
#define NOT_A_DC "(!" BIT(8192) ")(!" BIT(67108864) ")"
/* TRUSTED_FOR_DELEGATION 0x80000 = 524288 */
#define UNCONSTRAINED "(&" BIT(524288) NOT_A_DC ")"
/* TRUSTED_TO_AUTH_FOR_DELEGATION 0x1000000 = 16777216 */
#define PROTOCOL_TRANSITION "(&" BIT(16777216) NOT_A_DC ")"
#define RBCD "(msDS-AllowedToActOnBehalfOfOtherIdentity=*)"

_Static_assert(UAC_TRUSTED_FOR_DELEGATION == 524288, "filter literal");
_Static_assert(UAC_SERVER_TRUST_ACCOUNT == 8192, "filter literal");
_Static_assert(UAC_PARTIAL_SECRETS_ACCOUNT == 67108864, "filter literal");
_Static_assert(UAC_TRUSTED_TO_AUTH_FOR_DELEGATION == 16777216, "filter literal");

const char *ad_delegation_filter(ad_find_scope scope)
{
	return scope == AD_FIND_UNCONSTRAINED
		       ? UNCONSTRAINED
		       : "(|" UNCONSTRAINED PROTOCOL_TRANSITION RBCD ")";
}

const char *ad_account_kind_name(ad_account_kind k)
{
	return k == AD_ACCOUNT_COMPUTER ? "computer" : "user";
}

static bool is_dc(uint32_t uac)
{
	return uac & (UAC_SERVER_TRUST_ACCOUNT | UAC_PARTIAL_SECRETS_ACCOUNT);
}

struct collecting {
	ad_account_list *list;
	char *bad_dn;              /* an entry whose flags cannot be read */
};

#define COLLECT_BAD_UAC 2

static int collect(ad_ldap *s, LDAPMessage *e, void *ctx)
{
	struct collecting *c = ctx;
	ad_account_list *l = c->list;
	ad_account a = {0};
	long long uac = 0;

	/* AD gives the 32-bit value signed or unsigned; anything else, or no
	 * value at all, cannot say whether this is a DC: never guess */
	if (ad_ldap_int_value(s, e, "userAccountControl", &uac) < 0 || uac < INT32_MIN ||
	    uac > (long long)UINT32_MAX) {
		c->bad_dn = ad_ldap_entry_dn(s, e);
		return COLLECT_BAD_UAC;
	}
	a.uac = (uint32_t)uac;
	a.dn = ad_ldap_entry_dn(s, e);
	a.sam = ad_ldap_first_value(s, e, "sAMAccountName");
	if (a.sam == NULL)
		a.sam = xstrdup("");
	a.kind = (ad_ldap_has_class(s, e, "computer") ||
		  (a.uac & (UAC_WORKSTATION_TRUST_ACCOUNT | UAC_SERVER_TRUST_ACCOUNT)))
			 ? AD_ACCOUNT_COMPUTER
			 : AD_ACCOUNT_USER;
	a.disabled = a.uac & UAC_ACCOUNTDISABLE;
	/* the filter chose the entry; the flags say why, checked again here so
	 * that a server's filter quirk cannot turn a DC into an offender */
	a.unconstrained = (a.uac & UAC_TRUSTED_FOR_DELEGATION) && !is_dc(a.uac);
	a.protocol_transition = (a.uac & UAC_TRUSTED_TO_AUTH_FOR_DELEGATION) && !is_dc(a.uac);
	a.rbcd = ad_ldap_has_value(s, e, "msDS-AllowedToActOnBehalfOfOtherIdentity");
	if (!a.unconstrained && !a.protocol_transition && !a.rbcd) {
		free(a.dn);
		free(a.sam);
		return 0;
	}
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->items = xrealloc(l->items, l->cap * sizeof *l->items);
	}
	l->items[l->n++] = a;
	return 0;
}

static int by_kind_then_name(const void *pa, const void *pb)
{
	const ad_account *a = pa, *b = pb;
	int c;

	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	c = strcasecmp(a->sam, b->sam);
	return c ? c : strcmp(a->dn, b->dn);
}

int ad_find_delegation_accounts(ad_ldap *s, const char *base, ad_find_scope scope,
				ad_account_list *out, char **err)
{
	static char *const attrs[] = {"sAMAccountName", "userAccountControl", "objectClass",
				      "msDS-AllowedToActOnBehalfOfOtherIdentity", NULL};
	static char *const attrs_unconstrained[] = {"sAMAccountName", "userAccountControl",
						    "objectClass", NULL};
	struct collecting c = {.list = out};
	int rc;

	memset(out, 0, sizeof *out);
	rc = ad_ldap_search(s, base, LDAP_SCOPE_SUBTREE, ad_delegation_filter(scope),
			    scope == AD_FIND_UNCONSTRAINED ? attrs_unconstrained : attrs,
			    collect, &c, &out->referrals, err);
	if (rc == COLLECT_BAD_UAC)
		*err = xasprintf("%s: userAccountControl is missing or not a 32-bit number, so "
				 "whether it is a domain controller cannot be told",
				 c.bad_dn ? c.bad_dn : "an entry");
	free(c.bad_dn);
	if (rc != 0) {
		ad_account_list_free(out);
		return -1;
	}
	if (out->n > 1)
		qsort(out->items, out->n, sizeof *out->items, by_kind_then_name);
	return 0;
}

void ad_account_list_free(ad_account_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->items[i].sam);
		free(l->items[i].dn);
	}
	free(l->items);
	memset(l, 0, sizeof *l);
}
