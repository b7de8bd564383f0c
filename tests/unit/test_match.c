/*
 * ak_match: OpenSSH's match_pattern / match_pattern_list, answer for
 * answer (the cases where fnmatch(3) said otherwise come first).
 */
#include "testutil.h"

#include "ak_match.h"

static char big_stars[1000];

static void
test_brackets_and_backslash_are_plain(void **state)
{
	(void)state;
	/* fnmatch: "[k]" is a class, "\*" an escaped star. OpenSSH: text. */
	assert_int_equal(ak_match_pattern("authkeys", "auth[k]eys"), 0);
	assert_int_equal(ak_match_pattern("auth[k]eys", "auth[k]eys"), 1);
	assert_int_equal(ak_match_pattern("a*", "a\\*"), 0);
	assert_int_equal(ak_match_pattern("a\\bc", "a\\*"), 1);
	assert_int_equal(ak_match_pattern("[", "["), 1);
	assert_int_equal(ak_match_pattern("x", "[!a]"), 0);
}

static void
test_star_and_question(void **state)
{
	(void)state;
	assert_int_equal(ak_match_pattern("", ""), 1);
	assert_int_equal(ak_match_pattern("a", ""), 0);
	assert_int_equal(ak_match_pattern("", "*"), 1);
	assert_int_equal(ak_match_pattern("anything", "*"), 1);
	assert_int_equal(ak_match_pattern("authkeys", "auth*"), 1);
	assert_int_equal(ak_match_pattern("authkeys-timestamp", "*-timestamp"),
	    1);
	assert_int_equal(ak_match_pattern("authkeys", "*-timestamp"), 0);
	assert_int_equal(ak_match_pattern("abc", "a?c"), 1);
	assert_int_equal(ak_match_pattern("ac", "a?c"), 0);
	assert_int_equal(ak_match_pattern("abcbd", "a*b?"), 1);
	assert_int_equal(ak_match_pattern("abcbdx", "a*b?"), 0);
	assert_int_equal(ak_match_pattern("a", "a*?"), 0);
	assert_int_equal(ak_match_pattern("ab", "a*?"), 1);
	/* match.c's own answer for "**" on an empty remainder. */
	assert_int_equal(ak_match_pattern("a", "a**"), 0);
	assert_int_equal(ak_match_pattern("ab", "a**"), 1);
	/* Case matters (namespaces are compared as given). */
	assert_int_equal(ak_match_pattern("AuthKeys", "authkeys"), 0);
}

static void
test_lists(void **state)
{
	char big[1100];

	(void)state;
	assert_int_equal(ak_match_list("authkeys", "git,authkeys"), 1);
	assert_int_equal(ak_match_list("authkeys", "git,file"), 0);
	assert_int_equal(ak_match_list("authkeys", "!authkeys,*"), -1);
	assert_int_equal(ak_match_list("authkeys", "*,!authkeys"), -1);
	assert_int_equal(ak_match_list("authkeys-timestamp", "!authkeys,*"),
	    1);
	/* Only negations: nothing positive, so no match. */
	assert_int_equal(ak_match_list("git", "!authkeys"), 0);
	assert_int_equal(ak_match_list("authkeys", ""), 0);
	assert_int_equal(ak_match_list("", ","), 1);
	assert_int_equal(ak_match_list("a", "a,"), 1);
	/* A pattern of 1023 bytes or more: the list matches nothing. */
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(ak_match_list("a", big), 0);
	big[0] = '*';
	big[1022] = '\0';
	assert_int_equal(ak_match_list(big, big), 1);
	big[1022] = 'a';
	big[1023] = '\0';
	assert_int_equal(ak_match_list(big + 1, big), 0);
}

/* OpenSSH's match_pattern (match.c), literally: the reference. */
static int
ref_match(const char *s, const char *pattern)
{
	for (;;) {
		if (!*pattern)
			return !*s;
		if (*pattern == '*') {
			pattern++;
			if (!*pattern)
				return 1;
			if (*pattern != '?' && *pattern != '*') {
				for (; *s; s++)
					if (*s == *pattern &&
					    ref_match(s + 1, pattern + 1))
						return 1;
				return 0;
			}
			for (; *s; s++)
				if (ref_match(s, pattern))
					return 1;
			return 0;
		}
		if (!*s)
			return 0;
		if (*pattern != '?' && *pattern != *s)
			return 0;
		s++;
		pattern++;
	}
}

/* Every string of up to n characters of alpha, in turn, into buf. */
static int
next_word(char *buf, size_t n, const char *alpha)
{
	size_t i, k = strlen(alpha), len = strlen(buf);

	for (i = len; i > 0; i--) {
		const char *p = strchr(alpha, buf[i - 1]);

		if ((size_t)(p - alpha) + 1 < k) {
			buf[i - 1] = p[1];
			return 1;
		}
		buf[i - 1] = alpha[0];
	}
	if (len == n)
		return 0;
	memset(buf, alpha[0], len + 1);
	buf[len + 1] = '\0';
	return 1;
}

static void
test_same_answers_as_match_c(void **state)
{
	char s[8] = "", p[8];
	size_t n = 0;

	(void)state;
	/* Strings of a, b up to 5; patterns of a, b, *, ? up to 5. */
	do {
		p[0] = '\0';
		do {
			if (ak_match_pattern(s, p) != ref_match(s, p))
				fail_msg("\"%s\" against \"%s\": %d, match.c "
				    "says %d", s, p, ak_match_pattern(s, p),
				    ref_match(s, p));
			n++;
		} while (next_word(p, 5, "ab*?"));
	} while (next_word(s, 5, "ab"));
	assert_true(n > 80000);
	/* A run of stars costs a step each, not a recursion each. */
	memset(big_stars, '*', sizeof(big_stars) - 2);
	big_stars[sizeof(big_stars) - 2] = 'x';
	big_stars[sizeof(big_stars) - 1] = '\0';
	assert_int_equal(ak_match_pattern("authkeys-timestamp", big_stars),
	    0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_brackets_and_backslash_are_plain),
		cmocka_unit_test(test_star_and_question),
		cmocka_unit_test(test_lists),
		cmocka_unit_test(test_same_answers_as_match_c),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
