/*
 * authkeys.conf: "key = value" lines into struct ak_config, every key
 * checked and bounded; an unknown key or bad value is an error, never a
 * default (SPEC "Configuration").
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
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

/* --- the keys ----------------------------------------------------------- */

/* Validators: 0, or fail()'s AK_ERR_CONFIG. */

/* A URL with no account in it (the list, the timestamp). */
static int
check_url_fixed(struct parse_ctx *pc, const char *v)
{
	int r;

	if ((r = check_url(pc, v)) != 0)
		return r;
	if (strstr(v, "%u") != NULL)
		return fail(pc, "%u has no meaning in", v);
	return 0;
}

/* The snapshot is the timestamp's sibling: ".../v1/timestamp". */
static int
check_timestamp_url(struct parse_ctx *pc, const char *v)
{
	int r;

	if ((r = check_url_fixed(pc, v)) != 0)
		return r;
	if (strrchr(v, '/') == NULL || strrchr(v, '/')[1] == '\0')
		return fail(pc, "timestamp_url must name a file", v);
	return 0;
}

static int
check_chain(struct parse_ctx *pc, const char *v)
{
	if (ak_chain_syntax(v) != 0)
		return fail(pc, "chain_command: an absolute path, then "
		    "arguments; only %u, %f and %% expand", v);
	return 0;
}

static int
check_namespace(struct parse_ctx *pc, const char *v)
{
	if (ak_has_ctrl(v, strlen(v)) || strchr(v, ' ') != NULL)
		return fail(pc, "bad namespace", v);
	return 0;
}

static int
check_options(struct parse_ctx *pc, const char *v)
{
	if (*v != '\0' && ak_key_options_check(v) != 0)
		return fail(pc, "malformed options", v);
	return 0;
}

static int
check_path(struct parse_ctx *pc, const char *v)
{
	if (v[0] != '/')
		return fail(pc, "path must be absolute", v);
	return 0;
}

/* Setters for what no generic type holds. */

static int
set_on_freeze(struct parse_ctx *pc, struct ak_config *cfg, const char *v)
{
	if (strcmp(v, "stale") == 0)
		cfg->freeze_deny = 0;
	else if (strcmp(v, "deny") == 0)
		cfg->freeze_deny = 1;
	else
		return fail(pc, "expected stale or deny, got", v);
	return 0;
}

static int
set_accounts(struct parse_ctx *pc, struct ak_config *cfg, const char *v)
{
	size_t i;
	int r;

	if ((r = split_list(pc, v, &cfg->accounts, &cfg->naccounts)) != 0)
		return r;
	for (i = 0; i < cfg->naccounts; i++) {
		if (ak_accounts_item_valid(cfg->accounts[i]) != 0)
			return fail(pc, "invalid account name, pattern or "
			    "%group", cfg->accounts[i]);
	}
	return 0;
}

/* Option names, lower-cased; they replace the defaults. */
static int
set_allowed_options(struct parse_ctx *pc, struct ak_config *cfg,
    const char *v)
{
	size_t i;
	char *p;
	int r;

	free_list(cfg->allowed_options, cfg->nallowed_options);
	cfg->allowed_options = NULL;
	cfg->nallowed_options = 0;
	if ((r = split_list(pc, v, &cfg->allowed_options,
	    &cfg->nallowed_options)) != 0)
		return r;
	for (i = 0; i < cfg->nallowed_options; i++) {
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
}

static int
set_key_types(struct parse_ctx *pc, struct ak_config *cfg, const char *v)
{
	return parse_types(pc, v, &cfg->allowed_types);
}

/* How a key's value is stored in struct ak_config. */
enum key_type {
	T_URLS,		/* repeatable: one more of char *[AK_MAX_URLS] */
	T_STRING,	/* char * */
	T_LONG,		/* long, within min..max */
	T_UINT,		/* unsigned int, within min..max */
	T_BOOL,		/* int, "yes" or "no" */
	T_SET,		/* its own setter */
};

struct key {
	const char *name;
	enum key_type type;
	size_t off;		/* in struct ak_config */
	size_t count_off;	/* T_URLS: the size_t count */
	long min, max;		/* T_LONG, T_UINT */
	int empty_ok;		/* "key =" means none */
	int (*check)(struct parse_ctx *, const char *);
	int (*set)(struct parse_ctx *, struct ak_config *, const char *);
};

#define F(f)	offsetof(struct ak_config, f)
#define DAY	86400L
static const struct key keys[] = {
	{ "url", T_URLS, F(urls), F(nurls), 0, 0, 0, check_url, NULL },
	{ "revocation_url", T_STRING, F(revocation_url), 0, 0, 0, 0,
	    check_url_fixed, NULL },
	{ "trusted_signers", T_STRING, F(trusted_signers), 0, 0, 0, 0,
	    check_path, NULL },
	{ "trusted_root", T_STRING, F(trusted_root), 0, 0, 0, 0, check_path,
	    NULL },
	{ "require_signature", T_BOOL, F(require_signature), 0, 0, 0, 0,
	    NULL, NULL },
	{ "signature_namespace", T_STRING, F(namespace), 0, 0, 0, 0,
	    check_namespace, NULL },
	{ "ca_file", T_STRING, F(ca_file), 0, 0, 0, 0, check_path, NULL },
	{ "cache_dir", T_STRING, F(cache_dir), 0, 0, 0, 0, check_path, NULL },
	{ "refresh_after", T_LONG, F(refresh_after), 0, 0, 365 * DAY, 0, NULL,
	    NULL },
	{ "timeout", T_LONG, F(timeout), 0, 1, 600, 0, NULL, NULL },
	{ "accounts", T_SET, 0, 0, 0, 0, 0, NULL, set_accounts },
	{ "forced_options", T_STRING, F(forced_options), 0, 0, 0, 1,
	    check_options, NULL },
	{ "allowed_options", T_SET, 0, 0, 0, 0, 0, NULL,
	    set_allowed_options },
	{ "allowed_key_types", T_SET, 0, 0, 0, 0, 0, NULL, set_key_types },
	{ "min_rsa_bits", T_UINT, F(min_rsa_bits), 0, 1024, 16384, 0, NULL,
	    NULL },
	{ "module_cache_dir", T_STRING, F(module_cache_dir), 0, 0, 0, 0,
	    check_path, NULL },
	{ "retry_after", T_LONG, F(retry_after), 0, 0, DAY, 0, NULL, NULL },
	{ "revoked_keys_file", T_STRING, F(revoked_keys_file), 0, 0, 0, 0,
	    check_path, NULL },
	{ "session_dir", T_STRING, F(session_dir), 0, 0, 0, 0, check_path,
	    NULL },
	{ "timestamp_url", T_URLS, F(timestamp_urls), F(ntimestamp_urls), 0,
	    0, 0, check_timestamp_url, NULL },
	{ "freeze_after", T_LONG, F(freeze_after), 0, 1, 365 * DAY, 0, NULL,
	    NULL },
	{ "on_freeze", T_SET, 0, 0, 0, 0, 0, NULL, set_on_freeze },
	{ "chain_command", T_STRING, F(chain_command), 0, 0, 0, 0,
	    check_chain, NULL },
	{ "end_account_processes", T_BOOL, F(end_account_processes), 0, 0, 0,
	    0, NULL, NULL },
	{ "max_clock_skew", T_LONG, F(max_clock_skew), 0, 0, DAY, 0, NULL,
	    NULL },
};
#undef F
#undef DAY

static int
set_key(struct parse_ctx *pc, struct ak_config *cfg, size_t k, const char *v)
{
	const struct key *kd = &keys[k];
	char *at = (char *)cfg + kd->off, **list;
	size_t *count;
	long n;
	int r;

	if (kd->type != T_URLS && (pc->seen & (1U << k)) != 0)
		return fail(pc, "repeated key", kd->name);
	pc->seen |= 1U << k;
	if (*v == '\0' && !kd->empty_ok)
		return fail(pc, "empty value for", kd->name);
	if (kd->check != NULL && (r = kd->check(pc, v)) != 0)
		return r;
	switch (kd->type) {
	case T_URLS:
		list = (char **)(void *)at;
		count = (size_t *)(void *)((char *)cfg + kd->count_off);
		if (*count >= AK_MAX_URLS)
			return fail(pc, "too many lines of", kd->name);
		if ((list[*count] = strdup(v)) == NULL)
			return AK_ERR_ALLOC;
		(*count)++;
		return 0;
	case T_STRING:
		return set_string((char **)(void *)at, v);
	case T_LONG:
		return parse_long(pc, v, kd->min, kd->max, (long *)(void *)at);
	case T_UINT:
		if ((r = parse_long(pc, v, kd->min, kd->max, &n)) != 0)
			return r;
		*(unsigned int *)(void *)at = (unsigned int)n;
		return 0;
	case T_BOOL:
		if (strcmp(v, "yes") != 0 && strcmp(v, "no") != 0)
			return fail(pc, "expected yes or no, got", v);
		*(int *)(void *)at = strcmp(v, "yes") == 0;
		return 0;
	case T_SET:
		return kd->set(pc, cfg, v);
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
	cfg->max_clock_skew = AK_MAX_CLOCK_SKEW_DEFAULT;
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
	for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		if (strcmp(key, keys[k].name) == 0)
			return set_key(pc, cfg, k, v);
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
	if (cfg->trusted_signers != NULL && cfg->trusted_root != NULL)
		return fail(pc, "trusted_signers and trusted_root both set: "
		    "one decides who may sign", NULL);
	if (cfg->require_signature && ak_config_trust_file(cfg) == NULL)
		return fail(pc, "require_signature = yes needs trusted_signers "
		    "or trusted_root", NULL);
	if (!cfg->require_signature) {
		for (i = 0; i < cfg->nurls; i++) {
			if (strncmp(cfg->urls[i], "http://", 7) == 0)
				return fail(pc, "http:// store without "
				    "signatures would trust the network",
				    cfg->urls[i]);
		}
		if (cfg->revocation_url != NULL &&
		    ak_config_trust_file(cfg) == NULL)
			return fail(pc, "revocation_url needs trusted_signers "
			    "or trusted_root", NULL);
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
	if ((r = ak_file_read_root(path, AK_CONFIG_MAX, &buf, &len)) != 0) {
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
	free(cfg->trusted_root);
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

const char *
ak_config_trust_file(const struct ak_config *cfg)
{
	return cfg->trusted_root != NULL ? cfg->trusted_root :
	    cfg->trusted_signers;
}
