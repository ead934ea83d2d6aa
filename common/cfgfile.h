/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cfgfile.h - the libconfig configuration file.
 *
 * A file holds a shared group `defaults` and one group per plugin (named
 * after it, e.g. `check_ad_unconstrained`) or any other name chosen with
 * --section.  A setting is looked up in the selected section first, then in
 * `defaults`; the command line wins over both. */
#ifndef AD_CFGFILE_H
#define AD_CFGFILE_H

#include <libconfig.h>

#define AD_CONFIG_DEFAULTS "defaults"

typedef struct ad_config ad_config;

/* Loads PATH and selects SECTION.  When SECTION_REQUIRED is set (it was given
 * with --section), a missing section is an error.  Returns NULL with a
 * malloc'ed one-line *ERR on failure. */
ad_config *ad_config_load(const char *path, const char *section,
			  int section_required, char **err);
void ad_config_free(ad_config *cfg);

const char *ad_config_path(const ad_config *cfg);
const char *ad_config_section(const ad_config *cfg);

/* Where a setting comes from: later layers win. */
enum { AD_CONFIG_LAYER_DEFAULTS = 0, AD_CONFIG_LAYER_SECTION = 1 };

/* Calls FN for every scalar setting of `defaults` and then of the section
 * (so the section's value is applied last and wins), with the value as
 * text ("true"/"false" for booleans) and its LAYER.  Settings that are
 * groups or lists are skipped: plugins read those with ad_config_lookup().
 * Stops at the first FN that returns non-zero and returns that value. */
typedef int (*ad_config_scalar_fn)(const char *key, const char *value,
				   int is_bool, int line, int layer, void *ctx);
int ad_config_foreach_scalar(const ad_config *cfg, ad_config_scalar_fn fn,
			     void *ctx);

/* The value of a scalar setting as text ("true"/"false" for booleans,
 * numbers into BUF), with *IS_BOOL set; NULL for groups and lists. */
const char *ad_config_scalar_text(const config_setting_t *s, char *buf, size_t size,
				  int *is_bool);

/* The setting KEY of the section, else of `defaults`, or NULL. */
const config_setting_t *ad_config_lookup(const ad_config *cfg, const char *key);

#endif
