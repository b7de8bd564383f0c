/*
 * authkeys.conf: "key = value" lines into struct ak_config, every key
 * checked and bounded; an unknown key or bad value is an error, never a
 * default (SPEC "Configuration").
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ak_accounts.h"
#include "ak_chain.h"
#include "ak_config.h"
#include "ak_err.h"
#include "ak_file.h"
#include "ak_key.h"
#include "ak_log.h"
#include "ak_valid.h"

static const char *default_allowed_options[] = {
	"from", "expiry-time", "no-pty", "restrict", "command",
	"no-port-forwarding", "no-agent-forwarding", "no-x11-forwarding",
};

static const struct {
	const char *name;
	unsigned int bits;
} type_aliases[] = {
	{ "ed25519", 1U << AK_KT_ED25519 },
	{ "ecdsa", (1U << AK_KT_ECDSA_P256) | (1U << AK_KT_ECDSA_P384) |
	    (1U << AK_KT_ECDSA_P521) },
	{ "sk-ed25519", 1U << AK_KT_SK_ED25519 },
	{ "sk-ecdsa", 1U << AK_KT_SK_ECDSA_P256 },
	{ "rsa", 1U << AK_KT_RSA },
};

#define ALL_TYPES	(((1U << AK_KT_MAX) - 1) & ~1U)

struct parse_ctx {
	const char *name;
	unsigned long line;
	unsigned int seen;	/* bit per single-valued key */
};

static int
fail(struct parse_ctx *pc, const char *why, const char *what)
{
	ak_log(LOG_ERR, "%s:%lu: %s%s%s%s", pc->name, pc->line, why,
	    what != NULL ? " '" : "", what != NULL ? what : "",
	    what != NULL ? "'" : "");
	return AK_ERR_CONFIG;
}

static int
set_string(char **dst, const char *v)
{
	free(*dst);
	if ((*dst = strdup(v)) == NULL)
		return AK_ERR_ALLOC;
	return 0;
}

static int
parse_long(struct parse_ctx *pc, const char *v, long min, long max, long *out)
{
	char *ep;
	long n;

	errno = 0;
	n = strtol(v, &ep, 10);
	if (*v == '\0' || *ep != '\0' || errno != 0 || n < min || n > max)
		return fail(pc, "bad number", v);
	*out = n;
	return 0;
}

/* Splits a comma separated list into trimmed, non-empty items. */
static int
split_list(struct parse_ctx *pc, const char *v, char ***itemsp, size_t *np)
{
	char **items = NULL, **tmp;
	size_t n = 0;
	const char *p = v, *e;
	int r = AK_ERR_ALLOC;

	while (*p != '\0') {
		while (*p == ' ' || *p == '\t')
			p++;
		for (e = p; *e != '\0' && *e != ','; e++)
			;
		{
			const char *te = e;

			while (te > p && (te[-1] == ' ' || te[-1] == '\t'))
				te--;
			if (te == p) {
				r = fail(pc, "empty item in list", v);
				goto err;
			}
			if ((tmp = reallocarray(items, n + 1,
			    sizeof(*items))) == NULL)
				goto err;
			items = tmp;
			if ((items[n] = strndup(p, (size_t)(te - p))) == NULL)
				goto err;
			n++;
		}
		p = *e == ',' ? e + 1 : e;
	}
	if (n == 0) {
		r = fail(pc, "empty list", NULL);
		goto err;
	}
	*itemsp = items;
	*np = n;
	return 0;
 err:
	while (n > 0)
		free(items[--n]);
	free(items);
	return r;
}

static void
free_list(char **items, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(items[i]);
	free(items);
}

/* A URL template: scheme allowed, only %u and %% escapes, no spaces. */
static int
check_url(struct parse_ctx *pc, const char *v)
{
	const char *p;

	if (strncmp(v, "https://", 8) != 0 && strncmp(v, "http://", 7) != 0 &&
	    strncmp(v, "file://", 7) != 0)
		return fail(pc, "URL scheme must be https, http or file", v);
	for (p = v; *p != '\0'; p++) {
		if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f)
			return fail(pc, "bad character in URL", v);
		if (*p == '%') {
			if (p[1] != 'u' && p[1] != '%')
				return fail(pc, "bad % escape in URL", v);
			p++;
		}
	}
	return 0;
}

static int
parse_types(struct parse_ctx *pc, const char *v, unsigned int *out)
{
	char **items = NULL;
	size_t n = 0, i, j;
	unsigned int bits = 0;
	int r;

	if ((r = split_list(pc, v, &items, &n)) != 0)
		return r;
	for (i = 0; i < n; i++) {
		enum ak_key_type t;

		t = ak_key_type_from_name(items[i], strlen(items[i]));
		if (t != AK_KT_UNKNOWN) {
			bits |= 1U << t;
			continue;
		}
		for (j = 0; j < sizeof(type_aliases) / sizeof(type_aliases[0]);
		    j++) {
			if (strcmp(items[i], type_aliases[j].name) == 0)
				break;
		}
		if (j == sizeof(type_aliases) / sizeof(type_aliases[0])) {
			r = fail(pc, "unknown key type", items[i]);
			goto out;
		}
		bits |= type_aliases[j].bits;
	}
	*out = bits;
	r = 0;
 out:
	free_list(items, n);
	return r;
}

enum { K_URL, K_REVOCATION_URL, K_TRUSTED_SIGNERS, K_REQUIRE_SIGNATURE,
	K_NAMESPACE, K_CA_FILE, K_CACHE_DIR, K_REFRESH_AFTER, K_TIMEOUT,
	K_ACCOUNTS, K_FORCED_OPTIONS, K_ALLOWED_OPTIONS, K_ALLOWED_KEY_TYPES,
	K_MIN_RSA_BITS, K_MODULE_CACHE_DIR, K_RETRY_AFTER, K_REVOKED_KEYS_FILE,
	K_SESSION_DIR, K_TIMESTAMP_URL, K_FREEZE_AFTER, K_ON_FREEZE,
	K_CHAIN_COMMAND, K_END_ACCOUNT_PROCESSES };

static const char *keywords[] = {
	"url", "revocation_url", "trusted_signers", "require_signature",
	"signature_namespace", "ca_file", "cache_dir", "refresh_after",
	"timeout", "accounts", "forced_options", "allowed_options",
	"allowed_key_types", "min_rsa_bits", "module_cache_dir",
	"retry_after", "revoked_keys_file", "session_dir", "timestamp_url",
	"freeze_after", "on_freeze", "chain_command", "end_account_processes",
};

static int
set_key(struct parse_ctx *pc, struct ak_config *cfg, int k, const char *v)
{
	size_t i;
	int r;

	if (k != K_URL && k != K_TIMESTAMP_URL && (pc->seen & (1U << k)) != 0)
		return fail(pc, "repeated key", keywords[k]);
	pc->seen |= 1U << k;
	if (*v == '\0' && k != K_FORCED_OPTIONS)
		return fail(pc, "empty value for", keywords[k]);
	switch (k) {
	case K_URL:
		if ((r = check_url(pc, v)) != 0)
			return r;
		if (cfg->nurls >= AK_MAX_URLS)
			return fail(pc, "too many url lines", NULL);
		if ((cfg->urls[cfg->nurls] = strdup(v)) == NULL)
			return AK_ERR_ALLOC;
		cfg->nurls++;
		return 0;
	case K_TIMESTAMP_URL:
		if ((r = check_url(pc, v)) != 0)
			return r;
		if (strstr(v, "%u") != NULL)
			return fail(pc, "%u has no meaning in", keywords[k]);
		/* The snapshot is its sibling: ".../v1/timestamp". */
		if (strrchr(v, '/') == NULL || strrchr(v, '/')[1] == '\0')
			return fail(pc, "timestamp_url must name a file", v);
		if (cfg->ntimestamp_urls >= AK_MAX_URLS)
			return fail(pc, "too many timestamp_url lines", NULL);
		if ((cfg->timestamp_urls[cfg->ntimestamp_urls] = strdup(v)) ==
		    NULL)
			return AK_ERR_ALLOC;
		cfg->ntimestamp_urls++;
		return 0;
	case K_CHAIN_COMMAND:
		if (ak_chain_syntax(v) != 0)
			return fail(pc, "chain_command: an absolute path, then "
			    "arguments; only %u, %f and %% expand", v);
		return set_string(&cfg->chain_command, v);
	case K_FREEZE_AFTER:
		return parse_long(pc, v, 1, 86400L * 365, &cfg->freeze_after);
	case K_ON_FREEZE:
		if (strcmp(v, "stale") == 0)
			cfg->freeze_deny = 0;
		else if (strcmp(v, "deny") == 0)
			cfg->freeze_deny = 1;
		else
			return fail(pc, "expected stale or deny, got", v);
		return 0;
	case K_REVOCATION_URL:
		if ((r = check_url(pc, v)) != 0)
			return r;
		if (strstr(v, "%u") != NULL)
			return fail(pc, "%u has no meaning in", keywords[k]);
		return set_string(&cfg->revocation_url, v);
	case K_TRUSTED_SIGNERS:
		if (v[0] != '/')
			return fail(pc, "path must be absolute", v);
		return set_string(&cfg->trusted_signers, v);
	case K_REQUIRE_SIGNATURE:
	case K_END_ACCOUNT_PROCESSES:
		if (strcmp(v, "yes") != 0 && strcmp(v, "no") != 0)
			return fail(pc, "expected yes or no, got", v);
		*(k == K_REQUIRE_SIGNATURE ? &cfg->require_signature :
		    &cfg->end_account_processes) = strcmp(v, "yes") == 0;
		return 0;
	case K_NAMESPACE:
		if (ak_has_ctrl(v, strlen(v)) || strchr(v, ' ') != NULL)
			return fail(pc, "bad namespace", v);
		return set_string(&cfg->namespace, v);
	case K_CA_FILE:
	case K_CACHE_DIR:
	case K_MODULE_CACHE_DIR:
	case K_REVOKED_KEYS_FILE:
	case K_SESSION_DIR:
		if (v[0] != '/')
			return fail(pc, "path must be absolute", v);
		return set_string(k == K_CA_FILE ? &cfg->ca_file :
		    k == K_CACHE_DIR ? &cfg->cache_dir :
		    k == K_REVOKED_KEYS_FILE ? &cfg->revoked_keys_file :
		    k == K_SESSION_DIR ? &cfg->session_dir :
		    &cfg->module_cache_dir, v);
	case K_RETRY_AFTER:
		return parse_long(pc, v, 0, 86400, &cfg->retry_after);
	case K_REFRESH_AFTER:
		return parse_long(pc, v, 0, 86400L * 365, &cfg->refresh_after);
	case K_TIMEOUT:
		return parse_long(pc, v, 1, 600, &cfg->timeout);
	case K_ACCOUNTS:
		if ((r = split_list(pc, v, &cfg->accounts,
		    &cfg->naccounts)) != 0)
			return r;
		for (i = 0; i < cfg->naccounts; i++) {
			if (ak_accounts_item_valid(cfg->accounts[i]) != 0)
				return fail(pc, "invalid account name, pattern "
				    "or %group", cfg->accounts[i]);
		}
		return 0;
	case K_FORCED_OPTIONS:
		if (*v != '\0' && ak_key_options_check(v) != 0)
			return fail(pc, "malformed options", v);
		return set_string(&cfg->forced_options, v);
	case K_ALLOWED_OPTIONS:
		free_list(cfg->allowed_options, cfg->nallowed_options);
		cfg->allowed_options = NULL;
		cfg->nallowed_options = 0;
		if ((r = split_list(pc, v, &cfg->allowed_options,
		    &cfg->nallowed_options)) != 0)
			return r;
		for (i = 0; i < cfg->nallowed_options; i++) {
			char *p;

			for (p = cfg->allowed_options[i]; *p != '\0'; p++) {
				if (*p >= 'A' && *p <= 'Z')
					*p = (char)(*p - 'A' + 'a');
				else if (!((*p >= 'a' && *p <= 'z') ||
				    (*p >= '0' && *p <= '9') || *p == '-'))
					return fail(pc, "bad option name",
					    cfg->allowed_options[i]);
			}
		}
		return 0;
	case K_ALLOWED_KEY_TYPES:
		return parse_types(pc, v, &cfg->allowed_types);
	case K_MIN_RSA_BITS: {
		long n;

		if ((r = parse_long(pc, v, 1024, 16384, &n)) != 0)
			return r;
		cfg->min_rsa_bits = (unsigned int)n;
		return 0;
	}
	}
	return AK_ERR_INTERNAL;
}

static int
set_defaults(struct ak_config *cfg)
{
	size_t i, n = sizeof(default_allowed_options) /
	    sizeof(default_allowed_options[0]);

	cfg->require_signature = 1;
	cfg->refresh_after = 60;
	cfg->retry_after = 30;
	cfg->freeze_after = 3600;
	cfg->timeout = 5;
	cfg->allowed_types = ALL_TYPES;
	cfg->min_rsa_bits = 3072;
	if ((cfg->namespace = strdup("authkeys")) == NULL ||
	    (cfg->cache_dir = strdup("/var/cache/authkeys")) == NULL ||
	    (cfg->module_cache_dir = strdup(AK_MODULE_CACHE_DIR_DEFAULT)) ==
	    NULL ||
	    (cfg->session_dir = strdup(AK_SESSION_DIR_DEFAULT)) == NULL ||
	    (cfg->allowed_options = calloc(n, sizeof(char *))) == NULL)
		return AK_ERR_ALLOC;
	for (i = 0; i < n; i++) {
		if ((cfg->allowed_options[i] =
		    strdup(default_allowed_options[i])) == NULL)
			return AK_ERR_ALLOC;
		cfg->nallowed_options++;
	}
	return 0;
}

static int
parse_line(struct parse_ctx *pc, struct ak_config *cfg, char *line)
{
	char *p = line, *key, *v, *e;
	size_t k;

	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\0' || *p == '#')
		return 0;
	if (ak_has_ctrl(p, strlen(p)))
		return fail(pc, "control character in line", NULL);
	key = p;
	while (*p != '\0' && *p != '=' && *p != ' ' && *p != '\t')
		p++;
	e = p;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p != '=')
		return fail(pc, "expected 'key = value'", NULL);
	*e = '\0';
	v = p + 1;
	while (*v == ' ' || *v == '\t')
		v++;
	e = v + strlen(v);
	while (e > v && (e[-1] == ' ' || e[-1] == '\t'))
		*--e = '\0';
	for (k = 0; k < sizeof(keywords) / sizeof(keywords[0]); k++) {
		if (strcmp(key, keywords[k]) == 0)
			return set_key(pc, cfg, (int)k, v);
	}
	return fail(pc, "unknown key", key);
}

static int
check_complete(struct parse_ctx *pc, struct ak_config *cfg)
{
	size_t i;

	pc->line = 0;
	if (cfg->nurls == 0)
		return fail(pc, "missing required key 'url'", NULL);
	if (cfg->naccounts == 0)
		return fail(pc, "missing required key 'accounts'", NULL);
	if (strcmp(cfg->module_cache_dir, cfg->cache_dir) == 0)
		return fail(pc, "module_cache_dir must not be cache_dir (the "
		    "module keeps what only root may write apart)", NULL);
	if (cfg->require_signature && cfg->trusted_signers == NULL)
		return fail(pc, "require_signature = yes needs trusted_signers",
		    NULL);
	if (!cfg->require_signature) {
		for (i = 0; i < cfg->nurls; i++) {
			if (strncmp(cfg->urls[i], "http://", 7) == 0)
				return fail(pc, "http:// store without "
				    "signatures would trust the network",
				    cfg->urls[i]);
		}
		if (cfg->revocation_url != NULL &&
		    cfg->trusted_signers == NULL)
			return fail(pc, "revocation_url needs trusted_signers",
			    NULL);
		if (cfg->ntimestamp_urls > 0)
			return fail(pc, "timestamp_url needs require_signature "
			    "= yes", NULL);
	}
	return 0;
}

int
ak_config_parse(const char *buf, size_t len, const char *name,
    struct ak_config **cfgp)
{
	struct ak_config *cfg = NULL;
	struct parse_ctx pc = { name, 0, 0 };
	char *copy = NULL, *line, *nl;
	int r;

	*cfgp = NULL;
	if (len > AK_CONFIG_MAX)
		return AK_ERR_TOO_LARGE;
	if (memchr(buf, '\0', len) != NULL) {
		pc.line = 1;
		return fail(&pc, "NUL byte in file", NULL);
	}
	if ((cfg = calloc(1, sizeof(*cfg))) == NULL ||
	    (copy = strndup(buf, len)) == NULL ||
	    (cfg->path = strdup(name)) == NULL) {
		r = AK_ERR_ALLOC;
		goto out;
	}
	if ((r = set_defaults(cfg)) != 0)
		goto out;
	for (line = copy; line != NULL; line = nl) {
		if ((nl = strchr(line, '\n')) != NULL)
			*nl++ = '\0';
		pc.line++;
		if ((r = parse_line(&pc, cfg, line)) != 0)
			goto out;
	}
	if ((r = check_complete(&pc, cfg)) != 0)
		goto out;
	*cfgp = cfg;
	cfg = NULL;
	r = 0;
 out:
	free(copy);
	ak_config_free(cfg);
	return r;
}

int
ak_config_defaults(struct ak_config **cfgp)
{
	struct ak_config *cfg;
	int r;

	*cfgp = NULL;
	if ((cfg = calloc(1, sizeof(*cfg))) == NULL)
		return AK_ERR_ALLOC;
	if ((r = set_defaults(cfg)) != 0) {
		ak_config_free(cfg);
		return r;
	}
	*cfgp = cfg;
	return 0;
}

int
ak_config_load(const char *path, struct ak_config **cfgp)
{
	struct ak_config *cfg = NULL;
	char *buf = NULL;
	size_t len;
	int r;

	*cfgp = NULL;
	if ((r = ak_file_check_root_path(path)) != 0 ||
	    (r = ak_file_read(path, AK_CONFIG_MAX, 1, 0, &buf, &len)) != 0) {
		ak_log(LOG_ERR, "%s: %s", path, ak_err(r));
		goto out;
	}
	if ((r = ak_config_parse(buf, len, path, &cfg)) != 0)
		goto out;
	*cfgp = cfg;
	cfg = NULL;
 out:
	ak_config_free(cfg);
	free(buf);
	return r;
}

void
ak_config_free(struct ak_config *cfg)
{
	size_t i;

	if (cfg == NULL)
		return;
	free(cfg->path);
	for (i = 0; i < cfg->nurls; i++)
		free(cfg->urls[i]);
	free(cfg->revocation_url);
	for (i = 0; i < cfg->ntimestamp_urls; i++)
		free(cfg->timestamp_urls[i]);
	free(cfg->trusted_signers);
	free(cfg->namespace);
	free(cfg->ca_file);
	free(cfg->cache_dir);
	free(cfg->module_cache_dir);
	free(cfg->revoked_keys_file);
	free(cfg->session_dir);
	free_list(cfg->accounts, cfg->naccounts);
	free(cfg->forced_options);
	free(cfg->chain_command);
	free_list(cfg->allowed_options, cfg->nallowed_options);
	free(cfg);
}

int
ak_config_manages(const struct ak_config *cfg, const char *account)
{
	return ak_accounts_match(cfg->accounts, cfg->naccounts, account);
}

int
ak_config_accounts(const struct ak_config *cfg, char ***namesp, size_t *np)
{
	return ak_accounts_expand(cfg->accounts, cfg->naccounts, namesp, np);
}

int
ak_config_option_allowed(const struct ak_config *cfg, const char *name)
{
	size_t i;

	for (i = 0; i < cfg->nallowed_options; i++) {
		if (strcmp(cfg->allowed_options[i], name) == 0)
			return 1;
	}
	return 0;
}
