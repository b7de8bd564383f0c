/* ak_pubsrc: publish's sources as users write them; private keys refused. */
#include "testutil.h"

#include "ak_err.h"
#include "ak_key.h"
#include "ak_pubsrc.h"

#define ED_B64	"AAAAC3NzaC1lZDI1NTE5AAAAIMT3DXwn6lG/FC0T+vlcDPpV01+qaBhkt0H9fxPlC1kF"
/* The same key wrapped at 20 columns, as some tools do. */
#define ED_WRAPPED "AAAAC3NzaC1lZDI1NTE5\nAAAAIMT3DXwn6lG/FC0T\n" \
	"+vlcDPpV01+qaBhkt0H9\nfxPlC1kF\n"
#define BEGIN	"---- BEGIN SSH2 PUBLIC KEY ----\n"
#define END	"---- END SSH2 PUBLIC KEY ----\n"

static struct ak_src *
parse_ok(const char *text)
{
	struct ak_src *src = NULL;
	unsigned long line = 0;
	const char *why = NULL;

	assert_int_equal(ak_src_parse(text, strlen(text), &src, &line, &why),
	    0);
	assert_non_null(src);
	return src;
}

static int
parse_err(const char *text, unsigned long want_line, const char *want_why)
{
	struct ak_src *src = NULL;
	unsigned long line = 0;
	const char *why = NULL;
	int r;

	r = ak_src_parse(text, strlen(text), &src, &line, &why);
	assert_null(src);
	assert_int_equal(line, want_line);
	assert_non_null(why);
	if (strstr(why, want_why) == NULL)
		fail_msg("reason \"%s\" lacks \"%s\"", why, want_why);
	return r;
}

static void
test_openssh_lines_trimmed(void **state)
{
	struct ak_src *src;

	(void)state;
	src = parse_ok("# deploy keys\n\n  ssh-ed25519 " ED_B64 " ops  \n"
	    "\t# indented comment\nSHA256:abc\n");
	assert_int_equal(src->n, 2);
	assert_string_equal(src->lines[0].text, "ssh-ed25519 " ED_B64 " ops");
	assert_int_equal(src->lines[0].lineno, 3);
	assert_int_equal(src->lines[0].converted, 0);
	assert_string_equal(src->lines[1].text, "SHA256:abc");
	assert_int_equal(src->lines[1].lineno, 5);
	ak_src_free(src);
	ak_src_free(NULL);
}

static void
test_rfc4716_block_any_wrap(void **state)
{
	struct ak_src *src;

	(void)state;
	src = parse_ok("ssh-ed25519 " ED_B64 " first\n" BEGIN
	    "Comment: \"octopus prod\"\n" ED_WRAPPED END);
	assert_int_equal(src->n, 2);
	assert_string_equal(src->lines[1].text,
	    "ssh-ed25519 " ED_B64 " octopus prod");
	assert_int_equal(src->lines[1].lineno, 2);
	assert_int_equal(src->lines[1].converted, 1);
	ak_src_free(src);
}

static void
test_rfc4716_headers(void **state)
{
	struct ak_src *src;

	(void)state;
	/* A continued Comment header, other headers ignored, no comment. */
	src = parse_ok(BEGIN "x-Tool: puttygen\nComment: \"a \\\ncontinued\"\n"
	    ED_WRAPPED END BEGIN ED_B64 "\n" END);
	assert_int_equal(src->n, 2);
	assert_string_equal(src->lines[0].text,
	    "ssh-ed25519 " ED_B64 " a continued");
	assert_string_equal(src->lines[1].text, "ssh-ed25519 " ED_B64);
	ak_src_free(src);
	/* CRLF copies from Windows tools. */
	src = parse_ok("---- BEGIN SSH2 PUBLIC KEY ----\r\nComment: w\r\n"
	    ED_B64 "\r\n---- END SSH2 PUBLIC KEY ----\r\n");
	assert_int_equal(src->n, 1);
	assert_string_equal(src->lines[0].text, "ssh-ed25519 " ED_B64 " w");
	ak_src_free(src);
}

static void
test_private_keys_refused(void **state)
{
	(void)state;
	assert_int_equal(parse_err("ssh-ed25519 " ED_B64 " ok\n"
	    "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaA==\n", 2,
	    "OpenSSH private key"), AK_ERR_PRIVATE_KEY);
	assert_int_equal(parse_err("-----BEGIN RSA PRIVATE KEY-----\nMIIE\n",
	    1, "PEM private key"), AK_ERR_PRIVATE_KEY);
	assert_int_equal(parse_err("-----BEGIN EC PRIVATE KEY-----\n", 1,
	    "PEM private key"), AK_ERR_PRIVATE_KEY);
	assert_int_equal(parse_err("PuTTY-User-Key-File-3: ssh-ed25519\n"
	    "Encryption: none\n", 1, ".ppk"), AK_ERR_PRIVATE_KEY);
	assert_int_equal(parse_err("\n---- BEGIN SSH2 ENCRYPTED PRIVATE KEY "
	    "----\n", 2, "SSH2 private key"), AK_ERR_PRIVATE_KEY);
}

static void
test_damaged_blocks(void **state)
{
	(void)state;
	assert_int_equal(parse_err(BEGIN ED_WRAPPED, 1, "truncated"),
	    AK_ERR_FORMAT);
	assert_int_equal(parse_err(BEGIN "Comment: x\n" END, 1, "no key data"),
	    AK_ERR_FORMAT);
	assert_int_equal(parse_err(BEGIN "AAAA*AAA\n" END, 1, "base64"),
	    AK_ERR_FORMAT);
	assert_int_equal(parse_err("ok\n" BEGIN "AAAAAAAA\n" END, 2,
	    "key type"), AK_ERR_FORMAT);
}

static void
test_header_bound(void **state)
{
	char *text;
	size_t n = 2000;

	(void)state;
	assert_non_null(text = calloc(1, n + 200));
	strcpy(text, BEGIN "Comment: \"");
	memset(text + strlen(text), 'c', n);
	strcat(text, "\"\n" ED_B64 "\n" END);
	assert_int_equal(parse_err(text, 1, "header longer"), AK_ERR_FORMAT);
	free(text);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_openssh_lines_trimmed),
		cmocka_unit_test(test_rfc4716_block_any_wrap),
		cmocka_unit_test(test_rfc4716_headers),
		cmocka_unit_test(test_private_keys_refused),
		cmocka_unit_test(test_damaged_blocks),
		cmocka_unit_test(test_header_bound),
	};

	test_log_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
