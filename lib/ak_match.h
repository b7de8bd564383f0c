/*
 * OpenSSH's pattern matching (match.c): what sshd's Match User and
 * ssh-keygen's allowed_signers namespaces= mean, so a pattern means the
 * same here as there. Only '*' (any run, also empty) and '?' (one
 * character) are special: no brackets, no backslash escapes.
 */
#ifndef AK_MATCH_H
#define AK_MATCH_H

/* Returns 1 if s matches pattern, else 0. */
int ak_match_pattern(const char *s, const char *pattern);

/*
 * A comma-separated list of patterns, each optionally negated by a
 * leading '!'. Returns -1 if a negated pattern matches (whatever else
 * does), 1 if a positive one does, else 0; a pattern of 1024 bytes or
 * more makes the list match nothing (0), as match_pattern_list does.
 */
int ak_match_list(const char *s, const char *list);

#endif
