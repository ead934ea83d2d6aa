/* SPDX-License-Identifier: GPL-3.0-or-later */
/* unconstrained.h - the accounts of a domain that carry delegation rights,
 * found with one paged search: unconstrained delegation and protocol
 * transition on accounts that are not (read-only) domain controllers, and
 * resource-based constrained delegation targets.  Shared by
 * check_ad_unconstrained and the partner scan of check_ad_trust_delegation. */
#ifndef AD_UNCONSTRAINED_H
#define AD_UNCONSTRAINED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ldap_session.h"

typedef enum { AD_ACCOUNT_COMPUTER, AD_ACCOUNT_USER } ad_account_kind;

typedef struct {
	char *sam;                 /* sAMAccountName ("" when absent) */
	char *dn;
	ad_account_kind kind;
	uint32_t uac;
	bool disabled;             /* ACCOUNTDISABLE */
	bool unconstrained;        /* TRUSTED_FOR_DELEGATION, not a DC or RODC */
	bool protocol_transition;  /* TRUSTED_TO_AUTH_FOR_DELEGATION, not a DC or RODC */
	bool rbcd;                 /* msDS-AllowedToActOnBehalfOfOtherIdentity set */
} ad_account;

typedef struct {
	ad_account *items;
	size_t n;
	size_t cap;
	unsigned referrals;        /* referrals to other partitions, skipped */
} ad_account_list;

typedef enum {
	AD_FIND_UNCONSTRAINED,     /* only unconstrained delegation */
	AD_FIND_ALL_DELEGATION     /* also protocol transition and RBCD */
} ad_find_scope;

/* The LDAP filter for SCOPE (exposed for tests and documentation). */
const char *ad_delegation_filter(ad_find_scope scope);

/* Searches BASE (subtree) and fills OUT, sorted by kind, then name.
 * Returns 0, or -1 with a malloc'ed *ERR. */
int ad_find_delegation_accounts(ad_ldap *s, const char *base, ad_find_scope scope,
				ad_account_list *out, char **err);
void ad_account_list_free(ad_account_list *l);

const char *ad_account_kind_name(ad_account_kind k);

#endif
