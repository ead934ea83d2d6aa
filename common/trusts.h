/* SPDX-License-Identifier: GPL-3.0-or-later */
/* trusts.h - the trusted domain objects of a domain and what each one means
 * for TGT delegation (MS-KILE 3.3.5.7.5). */
#ifndef AD_TRUSTS_H
#define AD_TRUSTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ad_flags.h"
#include "ldap_session.h"

typedef struct {
	char *partner;    /* trustPartner (DNS name); "" when absent */
	char *flat_name;  /* flatName (NetBIOS name); "" when absent */
	char *dn;
	long direction;   /* trustDirection, -1 when absent */
	bool has_direction;
	long type;        /* trustType, -1 when absent */
	uint32_t attrs;   /* trustAttributes */
	bool has_attrs;   /* false: trustAttributes absent, unreadable or wider
			     than 32 bits */
} ad_trust;

typedef struct {
	ad_trust *items;
	size_t n;
	size_t cap;
} ad_trust_list;

/* Reads every trustedDomain object under CN=System,BASE, sorted by
 * partner name.  Returns 0, or -1 with a malloc'ed *ERR. */
int ad_find_trusts(ad_ldap *s, const char *base, ad_trust_list *out, char **err);
void ad_trust_list_free(ad_trust_list *l);

typedef enum {
	TRUST_NOT_RELEVANT,  /* disabled or outbound only */
	TRUST_WITHIN_FOREST, /* not a security boundary: listed, not counted */
	TRUST_BLOCKED,       /* inbound, TGT delegation blocked */
	TRUST_ALLOWED,       /* inbound, TGT delegation allowed */
	TRUST_UNKNOWN        /* cannot be evaluated: trustDirection or (for an
				inbound trust) trustAttributes absent or unreadable */
} ad_trust_class;

typedef struct {
	ad_trust_class cls;
	bool inbound;        /* inbound or bidirectional, not within the forest */
	bool contradictory;  /* ENABLE_TGT_DELEGATION with QUARANTINED_DOMAIN */
	const char *why;     /* static text: the reason for the verdict */
} ad_trust_verdict;

void ad_trust_evaluate(const ad_trust *t, ad_trust_rule rule, ad_trust_verdict *v);

#endif
