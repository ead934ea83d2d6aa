/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "ad_flags.h"

struct flag_name {
	uint32_t bit;
	const char *name;
};

static const struct flag_name uac_names[] = {
	{0x00000001u, "SCRIPT"},
	{UAC_ACCOUNTDISABLE, "ACCOUNTDISABLE"},
	{0x00000008u, "HOMEDIR_REQUIRED"},
	{0x00000010u, "LOCKOUT"},
	{0x00000020u, "PASSWD_NOTREQD"},
	{0x00000040u, "PASSWD_CANT_CHANGE"},
	{0x00000080u, "ENCRYPTED_TEXT_PWD_ALLOWED"},
	{0x00000100u, "TEMP_DUPLICATE_ACCOUNT"},
	{UAC_NORMAL_ACCOUNT, "NORMAL_ACCOUNT"},
	{UAC_INTERDOMAIN_TRUST_ACCOUNT, "INTERDOMAIN_TRUST_ACCOUNT"},
	{UAC_WORKSTATION_TRUST_ACCOUNT, "WORKSTATION_TRUST_ACCOUNT"},
	{UAC_SERVER_TRUST_ACCOUNT, "SERVER_TRUST_ACCOUNT"},
	{0x00010000u, "DONT_EXPIRE_PASSWORD"},
	{0x00020000u, "MNS_LOGON_ACCOUNT"},
	{0x00040000u, "SMARTCARD_REQUIRED"},
	{UAC_TRUSTED_FOR_DELEGATION, "TRUSTED_FOR_DELEGATION"},
	{UAC_NOT_DELEGATED, "NOT_DELEGATED"},
	{0x00200000u, "USE_DES_KEY_ONLY"},
	{0x00400000u, "DONT_REQ_PREAUTH"},
	{0x00800000u, "PASSWORD_EXPIRED"},
	{UAC_TRUSTED_TO_AUTH_FOR_DELEGATION, "TRUSTED_TO_AUTH_FOR_DELEGATION"},
	{UAC_PARTIAL_SECRETS_ACCOUNT, "PARTIAL_SECRETS_ACCOUNT"},
	{0, NULL},
};

static const struct flag_name trust_attr_names[] = {
	{TRUST_ATTR_NON_TRANSITIVE, "NON_TRANSITIVE"},
	{TRUST_ATTR_UPLEVEL_ONLY, "UPLEVEL_ONLY"},
	{TRUST_ATTR_QUARANTINED_DOMAIN, "QUARANTINED_DOMAIN"},
	{TRUST_ATTR_FOREST_TRANSITIVE, "FOREST_TRANSITIVE"},
	{TRUST_ATTR_CROSS_ORGANIZATION, "CROSS_ORGANIZATION"},
	{TRUST_ATTR_WITHIN_FOREST, "WITHIN_FOREST"},
	{TRUST_ATTR_TREAT_AS_EXTERNAL, "TREAT_AS_EXTERNAL"},
	{TRUST_ATTR_USES_RC4_ENCRYPTION, "USES_RC4_ENCRYPTION"},
	{TRUST_ATTR_USES_AES_KEYS, "USES_AES_KEYS"},
	{TRUST_ATTR_CROSS_ORGANIZATION_NO_TGT_DELEGATION, "NO_TGT_DELEGATION"},
	{TRUST_ATTR_PIM_TRUST, "PIM_TRUST"},
	{TRUST_ATTR_CROSS_ORGANIZATION_ENABLE_TGT_DELEGATION, "ENABLE_TGT_DELEGATION"},
	{TRUST_ATTR_DISABLE_AUTH_TARGET_VALIDATION, "DISABLE_AUTH_TARGET_VALIDATION"},
	{0, NULL},
};

static char *names_of(uint32_t value, const struct flag_name *table)
{
	strbuf b;
	uint32_t known = 0;

	strbuf_init(&b);
	for (const struct flag_name *f = table; f->name; f++) {
		known |= f->bit;
		if (value & f->bit)
			strbuf_printf(&b, "%s%s", b.len ? "," : "", f->name);
	}
	if (value & ~known)
		strbuf_printf(&b, "%s0x%x", b.len ? "," : "", (unsigned)(value & ~known));
	if (b.len == 0)
		strbuf_puts(&b, "none");
	return strbuf_take(&b);
}

char *ad_uac_names(uint32_t uac)
{
	return names_of(uac, uac_names);
}

char *ad_trust_attr_names(uint32_t attrs)
{
	return names_of(attrs, trust_attr_names);
}

const char *ad_trust_direction_name(long direction)
{
	switch (direction) {
	case TRUST_DIRECTION_DISABLED: return "disabled";
	case TRUST_DIRECTION_INBOUND: return "inbound";
	case TRUST_DIRECTION_OUTBOUND: return "outbound";
	case TRUST_DIRECTION_BIDIRECTIONAL: return "bidirectional";
	default: return "unknown direction";
	}
}

const char *ad_trust_type_name(long type)
{
	switch (type) {
	case TRUST_TYPE_DOWNLEVEL: return "downlevel";
	case TRUST_TYPE_UPLEVEL: return "uplevel";
	case TRUST_TYPE_MIT: return "MIT Kerberos realm";
	case TRUST_TYPE_DCE: return "DCE";
	default: return "unknown type";
	}
}

bool trust_allows_tgt_delegation(uint32_t attrs, ad_trust_rule rule)
{
	const uint32_t enable = TRUST_ATTR_WITHIN_FOREST |
				TRUST_ATTR_CROSS_ORGANIZATION_ENABLE_TGT_DELEGATION;
	const uint32_t disable = TRUST_ATTR_CROSS_ORGANIZATION_NO_TGT_DELEGATION |
				 TRUST_ATTR_QUARANTINED_DOMAIN;

	if (rule == TRUST_RULE_LEGACY)
		return !(attrs & TRUST_ATTR_CROSS_ORGANIZATION_NO_TGT_DELEGATION);
	return (attrs & enable) && !(attrs & disable);
}

bool trust_attrs_contradictory(uint32_t attrs)
{
	return (attrs & TRUST_ATTR_CROSS_ORGANIZATION_ENABLE_TGT_DELEGATION) &&
	       (attrs & TRUST_ATTR_QUARANTINED_DOMAIN);
}
