/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Flag names and the MS-KILE TGT delegation rule, with the expected
 * verdicts written out here, not computed. */
#include <stdlib.h>

#include "../tap.h"
#include "ad_flags.h"
#include "unconstrained.h"

struct rule_case {
	unsigned attrs;
	int current; /* MS-KILE 3.3.5.7.5 today */
	int legacy;  /* DCs without the 2019 updates */
	int contradictory;
};

/* enable = 0x20 or 0x800; disable = 0x200 or 0x4 */
static const struct rule_case rules[] = {
	{0x000, 0, 1, 0},  /* plain external trust */
	{0x008, 0, 1, 0},  /* plain forest trust: blocked since 2019 */
	{0x004, 0, 1, 0},  /* quarantined */
	{0x020, 1, 1, 0},  /* within forest */
	{0x200, 0, 0, 0},  /* NO_TGT_DELEGATION */
	{0x800, 1, 1, 0},  /* ENABLE_TGT_DELEGATION */
	{0x808, 1, 1, 0},  /* forest + enable: the netdom /EnableTGTDelegation:Yes case */
	{0x80c, 0, 1, 1},  /* forest + enable + quarantine: contradictory, quarantine wins */
	{0x804, 0, 1, 1},
	{0xa08, 0, 0, 0},  /* enable and disable: disable wins */
	{0x208, 0, 0, 0},
	{0x024, 0, 1, 0},  /* within forest but quarantined */
	{0x220, 0, 0, 0},
	{0x028, 1, 1, 0},
	{0x82c, 0, 1, 1},
	{0xa2c, 0, 0, 1},
	{0x400, 0, 1, 0},  /* PIM trust alone does nothing here */
	{0x1000, 0, 1, 0},
	{0x848, 1, 1, 0},
};

int main(void)
{
	char *s;

	for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++) {
		is_int(trust_allows_tgt_delegation(rules[i].attrs, TRUST_RULE_CURRENT),
		       rules[i].current, "0x%x current rule: %s", rules[i].attrs,
		       rules[i].current ? "allowed" : "blocked");
		is_int(trust_allows_tgt_delegation(rules[i].attrs, TRUST_RULE_LEGACY),
		       rules[i].legacy, "0x%x legacy rule: %s", rules[i].attrs,
		       rules[i].legacy ? "allowed" : "blocked");
		is_int(trust_attrs_contradictory(rules[i].attrs), rules[i].contradictory,
		       "0x%x contradictory: %d", rules[i].attrs, rules[i].contradictory);
	}

	s = ad_trust_attr_names(0x808);
	is_str(s, "FOREST_TRANSITIVE,ENABLE_TGT_DELEGATION", "trust attribute names");
	free(s);
	s = ad_trust_attr_names(0);
	is_str(s, "none", "no attribute");
	free(s);
	s = ad_trust_attr_names(0x80000208);
	is_str(s, "FOREST_TRANSITIVE,NO_TGT_DELEGATION,0x80000000", "unknown bits in hex");
	free(s);
	ok(strchr((s = ad_trust_attr_names(0xffffffff)), '|') == NULL, "names never contain '|'");
	free(s);
	s = ad_uac_names(532480);
	is_str(s, "SERVER_TRUST_ACCOUNT,TRUSTED_FOR_DELEGATION", "a DC's userAccountControl");
	free(s);
	s = ad_uac_names(0x5081000);
	is_str(s, "WORKSTATION_TRUST_ACCOUNT,TRUSTED_FOR_DELEGATION,"
		  "TRUSTED_TO_AUTH_FOR_DELEGATION,PARTIAL_SECRETS_ACCOUNT", "an RODC's");
	free(s);
	is_str(ad_trust_direction_name(3), "bidirectional", "direction 3");
	is_str(ad_trust_direction_name(1), "inbound", "direction 1");
	is_str(ad_trust_direction_name(7), "unknown direction", "direction 7");
	is_str(ad_trust_type_name(2), "uplevel", "type 2");
	is_str(ad_trust_type_name(3), "MIT Kerberos realm", "type 3");

	is_str(ad_delegation_filter(AD_FIND_UNCONSTRAINED),
	       "(&(userAccountControl:1.2.840.113556.1.4.803:=524288)"
	       "(!(userAccountControl:1.2.840.113556.1.4.803:=8192))"
	       "(!(userAccountControl:1.2.840.113556.1.4.803:=67108864)))",
	       "the unconstrained filter is exactly DOMAIN.md's");
	return tap_done();
}
