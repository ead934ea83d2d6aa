/* SPDX-License-Identifier: GPL-3.0-or-later */
/* events_realms.h - which account realms are trusted domains: the names of
 * the trusts (DNS and NetBIOS spellings) and the local domain's own names,
 * which never match.
 *
 * An event is cross-trust when its TargetDomainName, or else the realm part
 * of its TargetUserName ("user@REALM"), equals a trusted name that is not a
 * local name.  Names compare case-insensitively, one trailing dot ignored
 * (ticket_event_realm_equal()); an empty name matches nothing. */
#ifndef AD_EVENTS_REALMS_H
#define AD_EVENTS_REALMS_H

#include <stdbool.h>
#include <stddef.h>

#include "strlist.h"
#include "ticket_event.h"

/* One trusted name and the label its matches are reported under (the
 * trust's DNS name for both spellings of a trust read from the directory,
 * the name itself for --realm). */
struct events_realm {
	char *name;
	char *label;
};

struct events_realms {
	struct events_realm *trusted;
	size_t ntrusted, cap;
	strlist local;   /* the local domain's names */
};

void events_realms_init(struct events_realms *r);
void events_realms_free(struct events_realms *r);

/* Adds a trusted NAME reported as LABEL (NULL: NAME itself).  An empty
 * name or one already there is ignored; returns true when added. */
bool events_realms_add_trusted(struct events_realms *r, const char *name,
			       const char *label);
/* Adds a local name (never matches); returns true when added. */
bool events_realms_add_local(struct events_realms *r, const char *name);

bool events_realms_is_local(const struct events_realms *r, const char *name);
/* The trusted entry NAME equals, local names left out; NULL if none. */
const struct events_realm *events_realms_find(const struct events_realms *r,
					      const char *name);

/* The label of the trusted realm EV's account belongs to, or NULL: checks
 * TargetDomainName first, then the realm part of TargetUserName.  The
 * result points into R. */
const char *events_realms_match(const struct events_realms *r,
				const struct ticket_event *ev);

/* The trailing DC= components of DN: "OU=x,DC=lab,DC=example" gives the
 * domain DN "DC=lab,DC=example" and the DNS name "lab.example".  Both
 * malloc'ed; NULL when DN does not end in DC= components. */
char *events_domain_dn(const char *dn);
char *events_dns_name_of_dn(const char *dn);

#endif
