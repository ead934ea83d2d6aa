/* SPDX-License-Identifier: GPL-3.0-or-later */
/* secret.h - bind passwords from a file or the environment, never argv. */
#ifndef AD_SECRET_H
#define AD_SECRET_H

#define AD_PASSWORD_ENV "AD_BIND_PASSWORD"
#define AD_SECRET_MAX 4096

/* Reads the first line of PATH (without the line end).  Refuses a file that
 * is not a regular file, is readable or writable by group or others (as ssh
 * does with keys), is empty, or is larger than AD_SECRET_MAX.  Returns a
 * malloc'ed secret, or NULL with a malloc'ed one-line *ERR. */
char *ad_secret_read_file(const char *path, char **err);

/* The value of $AD_BIND_PASSWORD (copied), or NULL. */
char *ad_secret_from_env(void);

/* Scrubs and frees a secret (NULL is fine). */
void ad_secret_free(char *secret);

#endif
