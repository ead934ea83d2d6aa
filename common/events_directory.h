/* SPDX-License-Identifier: GPL-3.0-or-later */
/* events_directory.h - the trusted realms and the local domain's names as
 * the directory knows them, for check_ad_ticket_events --realms-from-ldap.
 *
 * Trusted: trustPartner and flatName of every trustedDomain object under
 * CN=System of the domain (both spellings reported under trustPartner).
 * Local: the domain's DNS name (from its DN: DC=lab,DC=example is
 * lab.example) and, when the configuration partition is readable, its
 * NetBIOS name (nETBIOSName of the crossRef whose nCName is the domain). */
#ifndef AD_EVENTS_DIRECTORY_H
#define AD_EVENTS_DIRECTORY_H

#include "events_realms.h"
#include "ldap_session.h"
#include "strlist.h"

/* Adds to R what the directory says about the domain of BASE.  Lines for
 * the verbose output go to NOTES.  Returns 0, or -1 with a malloc'ed *ERR
 * when the trusts cannot be read (a missing NetBIOS name is only a note). */
int events_realms_from_directory(ad_ldap *s, const char *base, struct events_realms *r,
				 strlist *notes, char **err);

#endif
