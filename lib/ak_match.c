/*
 * OpenSSH's match_pattern and match_pattern_list, written again (see
 * ak_match.h): fnmatch(3) would give '[', ']' and '\' meanings that sshd
 * and ssh-keygen do not, in both directions.
 */
#include <string.h>

#include "ak_match.h"

#define SUB_MAX	1024

int
ak_match_pattern(const char *s, const char *pattern)
{
	for (;;) {
		if (*pattern == '\0')
			return *s == '\0';
		if (*pattern == '*') {
			pattern++;
			if (*pattern == '\0')
				return 1;
			/*
			 * match.c tries "*REST" at every position left, which
			 * is "*REST" here if one character is left (its
			 * answer for "**" on nothing is no); one step, not a
			 * recursion per star.
			 */
			if (*pattern == '*') {
				if (*s == '\0')
					return 0;
				continue;
			}
			if (*pattern != '?') {
				for (; *s != '\0'; s++) {
					if (*s == *pattern &&
					    ak_match_pattern(s + 1,
					    pattern + 1))
						return 1;
				}
				return 0;
			}
			for (; *s != '\0'; s++) {
				if (ak_match_pattern(s, pattern))
					return 1;
			}
			return 0;
		}
		if (*s == '\0')
			return 0;
		if (*pattern != '?' && *pattern != *s)
			return 0;
		s++;
		pattern++;
	}
}

int
ak_match_list(const char *s, const char *list)
{
	char sub[SUB_MAX];
	size_t i = 0, len = strlen(list), n;
	int negated, positive = 0;

	while (i < len) {
		negated = list[i] == '!';
		if (negated)
			i++;
		for (n = 0; i < len && n < sizeof(sub) - 1 && list[i] != ',';
		    n++, i++)
			sub[n] = list[i];
		if (n >= sizeof(sub) - 1)
			return 0;
		if (i < len && list[i] == ',')
			i++;
		sub[n] = '\0';
		if (ak_match_pattern(s, sub)) {
			if (negated)
				return -1;
			positive = 1;
		}
	}
	return positive;
}
