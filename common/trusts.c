/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "strlist.h"
#include "trusts.h"

static int collect(ad_ldap *s, LDAPMessage *e, void *ctx)
{
	ad_trust_list *l = ctx;
	ad_trust t = {0};
	long long v;

	t.dn = ad_ldap_entry_dn(s, e);
	t.partner = ad_ldap_first_value(s, e, "trustPartner");
	t.flat_name = ad_ldap_first_value(s, e, "flatName");
	if (t.partner == NULL)
		t.partner = xstrdup("");
	if (t.flat_name == NULL)
		t.flat_name = xstrdup("");
	t.has_direction = ad_ldap_int_value(s, e, "trustDirection", &v) == 0;
	t.direction = t.has_direction && v >= LONG_MIN && v <= LONG_MAX ? (long)v : -1;
	t.type = ad_ldap_int_value(s, e, "trustType", &v) == 0 ? (long)v : -1;
	/* AD returns the 32-bit value signed: keep the bits */
	/* AD gives the 32-bit value signed or unsigned; anything wider is not
	 * a value the rule can be applied to */
	t.has_attrs = ad_ldap_int_value(s, e, "trustAttributes", &v) == 0 && v >= INT32_MIN &&
		      v <= (long long)UINT32_MAX;
	t.attrs = t.has_attrs ? (uint32_t)v : 0;
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->items = xrealloc(l->items, l->cap * sizeof *l->items);
	}
	l->items[l->n++] = t;
	return 0;
}

static int by_partner(const void *pa, const void *pb)
{
	const ad_trust *a = pa, *b = pb;
	int c = strcasecmp(a->partner, b->partner);

	return c ? c : strcmp(a->dn, b->dn);
}

int ad_find_trusts(ad_ldap *s, const char *base, ad_trust_list *out, char **err)
{
	static char *const attrs[] = {"trustPartner", "flatName", "trustDirection",
				      "trustType", "trustAttributes", NULL};
	char *system = xasprintf("CN=System,%s", base);
	int rc;

	memset(out, 0, sizeof *out);
	rc = ad_ldap_search(s, system, LDAP_SCOPE_SUBTREE, "(objectClass=trustedDomain)",
			    attrs, collect, out, NULL, err);
	free(system);
	if (rc != 0) {
		ad_trust_list_free(out);
		return -1;
	}
	if (out->n > 1)
		qsort(out->items, out->n, sizeof *out->items, by_partner);
	return 0;
}

void ad_trust_list_free(ad_trust_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->items[i].partner);
		free(l->items[i].flat_name);
		free(l->items[i].dn);
	}
	free(l->items);
	memset(l, 0, sizeof *l);
}

static const char *blocked_why(uint32_t a, ad_trust_rule rule)
{
	if (a & TRUST_ATTR_CROSS_ORGANIZATION_NO_TGT_DELEGATION)
		return "TGT delegation blocked: NO_TGT_DELEGATION set";
	if (rule == TRUST_RULE_CURRENT && (a & TRUST_ATTR_QUARANTINED_DOMAIN))
		return "TGT delegation blocked: QUARANTINED_DOMAIN (SID filtering) set";
	return "TGT delegation blocked: ENABLE_TGT_DELEGATION not set (the default since 2019)";
}

void ad_trust_evaluate(const ad_trust *t, ad_trust_rule rule, ad_trust_verdict *v)
{
	bool inbound = t->direction == TRUST_DIRECTION_INBOUND ||
		       t->direction == TRUST_DIRECTION_BIDIRECTIONAL;

	memset(v, 0, sizeof *v);
	v->contradictory = trust_attrs_contradictory(t->attrs);
	if (t->direction == TRUST_DIRECTION_OUTBOUND || t->direction == TRUST_DIRECTION_DISABLED) {
		v->cls = TRUST_NOT_RELEVANT;
		v->why = t->direction == TRUST_DIRECTION_OUTBOUND
				 ? "not relevant: outbound only (this domain's users do not use it)"
				 : "not relevant: trust disabled";
		return;
	}
	/* an unreadable value is never taken as "no risk" */
	if (!inbound) {
		v->cls = TRUST_UNKNOWN;
		v->why = !t->has_direction ? "cannot be evaluated: trustDirection absent or unreadable"
					   : "cannot be evaluated: trustDirection is not 0-3";
		return;
	}
	if (!t->has_attrs) {
		v->cls = TRUST_UNKNOWN;
		v->why = "cannot be evaluated: trustAttributes absent, unreadable or not a 32-bit value";
		return;
	}
	if (t->attrs & TRUST_ATTR_WITHIN_FOREST) {
		v->cls = TRUST_WITHIN_FOREST;
		v->why = "within the forest: not a security boundary (listed, not counted)";
		return;
	}
	v->inbound = true;
	if (trust_allows_tgt_delegation(t->attrs, rule)) {
		v->cls = TRUST_ALLOWED;
		v->why = rule == TRUST_RULE_LEGACY
				 ? "TGT delegation ALLOWED (legacy rule): NO_TGT_DELEGATION not set"
				 : "TGT delegation ALLOWED: ENABLE_TGT_DELEGATION set";
		return;
	}
	v->cls = TRUST_BLOCKED;
	v->why = blocked_why(t->attrs, rule);
}
