/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ad_flags.h - Active Directory flag bits (MS-ADTS, MS-SAMR, MS-LSAD), their
 * names, and the MS-KILE rule for TGT delegation across a trust. */
#ifndef AD_FLAGS_H
#define AD_FLAGS_H

#include <stdbool.h>
#include <stdint.h>

#include "strlist.h"

/* userAccountControl */
#define UAC_ACCOUNTDISABLE                 0x00000002u
#define UAC_NORMAL_ACCOUNT                 0x00000200u
#define UAC_INTERDOMAIN_TRUST_ACCOUNT      0x00000800u
#define UAC_WORKSTATION_TRUST_ACCOUNT      0x00001000u
#define UAC_SERVER_TRUST_ACCOUNT           0x00002000u
#define UAC_TRUSTED_FOR_DELEGATION         0x00080000u
#define UAC_NOT_DELEGATED                  0x00100000u
#define UAC_TRUSTED_TO_AUTH_FOR_DELEGATION 0x01000000u
#define UAC_PARTIAL_SECRETS_ACCOUNT        0x04000000u

/* The LDAP matching rule for a bitwise AND (LDAP_MATCHING_RULE_BIT_AND). */
#define AD_MATCH_BIT_AND "1.2.840.113556.1.4.803"

/* trustDirection */
#define TRUST_DIRECTION_DISABLED      0
#define TRUST_DIRECTION_INBOUND       1
#define TRUST_DIRECTION_OUTBOUND      2
#define TRUST_DIRECTION_BIDIRECTIONAL 3

/* trustType */
#define TRUST_TYPE_DOWNLEVEL 1
#define TRUST_TYPE_UPLEVEL   2
#define TRUST_TYPE_MIT       3
#define TRUST_TYPE_DCE       4

/* trustAttributes */
#define TRUST_ATTR_NON_TRANSITIVE                           0x00000001u
#define TRUST_ATTR_UPLEVEL_ONLY                             0x00000002u
#define TRUST_ATTR_QUARANTINED_DOMAIN                       0x00000004u
#define TRUST_ATTR_FOREST_TRANSITIVE                        0x00000008u
#define TRUST_ATTR_CROSS_ORGANIZATION                       0x00000010u
#define TRUST_ATTR_WITHIN_FOREST                            0x00000020u
#define TRUST_ATTR_TREAT_AS_EXTERNAL                        0x00000040u
#define TRUST_ATTR_USES_RC4_ENCRYPTION                      0x00000080u
#define TRUST_ATTR_USES_AES_KEYS                            0x00000100u
#define TRUST_ATTR_CROSS_ORGANIZATION_NO_TGT_DELEGATION     0x00000200u
#define TRUST_ATTR_PIM_TRUST                                0x00000400u
#define TRUST_ATTR_CROSS_ORGANIZATION_ENABLE_TGT_DELEGATION 0x00000800u
#define TRUST_ATTR_DISABLE_AUTH_TARGET_VALIDATION           0x00001000u

/* Names of the set userAccountControl / trustAttributes bits joined with
 * ',' (unknown bits as 0x...); "none" when no bit is set.  Malloc'ed.
 * Trust attribute names drop the CROSS_ORGANIZATION_ prefix of the two TGT
 * delegation bits (NO_TGT_DELEGATION, ENABLE_TGT_DELEGATION), as MS-KILE
 * writes them. */
char *ad_uac_names(uint32_t uac);
char *ad_trust_attr_names(uint32_t attrs);
const char *ad_trust_direction_name(long direction);
const char *ad_trust_type_name(long type);

typedef enum {
	TRUST_RULE_CURRENT, /* MS-KILE 3.3.5.7.5 as of the 2019 updates */
	TRUST_RULE_LEGACY   /* DCs without them: allowed unless 0x200 */
} ad_trust_rule;

/* Whether a TGT may be delegated across a trust with these attributes. */
bool trust_allows_tgt_delegation(uint32_t attrs, ad_trust_rule rule);

/* ENABLE_TGT_DELEGATION together with QUARANTINED_DOMAIN: netdom refuses
 * to create it, so finding it means someone wrote the attributes by hand. */
bool trust_attrs_contradictory(uint32_t attrs);

#endif
