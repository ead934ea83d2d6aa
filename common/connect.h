/* SPDX-License-Identifier: GPL-3.0-or-later */
/* connect.h - from the common options to an open, bound LDAP session and
 * the search base: URI, secrets, Kerberos keytab, RootDSE. */
#ifndef AD_CONNECT_H
#define AD_CONNECT_H

#include "ldap_session.h"
#include "options.h"

/* Opens a session as the options say and finds the search base (-b, else
 * the RootDSE's defaultNamingContext) into *BASE (malloc'ed).  TIMEOUT is
 * the seconds each network operation may take.  Returns NULL with a
 * malloc'ed one-line *ERR. */
ad_ldap *ad_connect(const ad_common_opts *o, double timeout, char **base, char **err);

/* Points the Kerberos library at KEYTAB as client keytab, with a private
 * in-memory credential cache, so GSSAPI binds need no kinit. */
void ad_use_client_keytab(const char *keytab);

#endif
