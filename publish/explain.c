/* Why a source line is refused, in words a sysadmin acts on. */
#include <stdio.h>
#include <string.h>

#include "ak_config.h"
#include "ak_err.h"
#include "ak_key.h"
#include "ak_keyset.h"
#include "publish.h"

/* The key type field of a line: the first token naming a key type. */
static void
type_token(const char *line, char *out, size_t outlen)
{
	const char *p = line, *e;
	size_t n;

	out[0] = '\0';
	while (*p != '\0') {
		while (*p == ' ' || *p == '\t')
			p++;
		for (e = p; *e != '\0' && *e != ' ' && *e != '\t'; e++)
			;
		n = (size_t)(e - p);
		if ((n > 4 && (strncmp(p, "ssh-", 4) == 0 ||
		    strncmp(p, "sk-", 3) == 0 || strncmp(p, "ecdsa-", 6) == 0 ||
		    strncmp(p, "rsa-", 4) == 0)) && n < outlen) {
			memcpy(out, p, n);
			out[n] = '\0';
			return;
		}
		p = e;
	}
}

void
pub_explain(const char *line, int r, enum ak_verdict v,
    const struct ak_config *pol, const struct ak_key_line *kl, char *out,
    size_t len)
{
	char type[80];
	size_t i;

	/* A line that reads, refused by the policy: the same words. */
	if (r == 0)
		r = v == AK_DENY_KEY_TYPE ? AK_ERR_KEY_TYPE :
		    v == AK_DENY_WEAK ? AK_ERR_POLICY : AK_ERR_OPTION;
	type_token(line, type, sizeof(type));
	switch (r) {
	case AK_ERR_BAD_FPR:
		snprintf(out, len, "not a SHA256 fingerprint as ssh-keygen -lf "
		    "prints it (SHA256: and 43 base64 characters)");
		return;
	case AK_ERR_KEY_TYPE:
		if (kl != NULL) {
			snprintf(out, len, "key type %s is not in "
			    "allowed_key_types", kl->type_name);
		} else if (strstr(type, "-cert-v01@openssh.com") != NULL) {
			snprintf(out, len, "an SSH certificate (%s): publish "
			    "the plain public key, not a certificate", type);
		} else if (strcmp(type, "ssh-dss") == 0) {
			snprintf(out, len, "a DSA key (ssh-dss): not accepted "
			    "(1024 bits, disabled in OpenSSH); make an ed25519 "
			    "key (ssh-keygen -t ed25519)");
		} else if (type[0] != '\0') {
			snprintf(out, len, "unknown key type '%s'", type);
		} else {
			snprintf(out, len, "not a public key line (no key "
			    "type such as ssh-ed25519 or ssh-rsa)");
		}
		return;
	case AK_ERR_KEY_INVALID:
	case AK_ERR_FORMAT:
		if (type[0] != '\0')
			snprintf(out, len, "the %s key data (base64) is "
			    "truncated or damaged: copy the whole .pub line "
			    "again", type);
		else
			snprintf(out, len, "not a public key line (expected "
			    "[options] TYPE BASE64 [comment])");
		return;
	case AK_ERR_OPTION:
		if (kl != NULL) {
			for (i = 0; i < kl->nopts; i++) {
				if (!ak_config_option_allowed(pol,
				    kl->opts[i].name)) {
					snprintf(out, len, "option '%s' is not "
					    "allowed (see allowed_options)",
					    kl->opts[i].name);
					return;
				}
			}
		}
		snprintf(out, len, "the options before the key type are "
		    "malformed (unbalanced quotes?)");
		return;
	case AK_ERR_POLICY:
		if (kl != NULL && kl->type == AK_KT_RSA) {
			snprintf(out, len, "RSA key of %u bits is smaller than "
			    "min_rsa_bits (%u): make a new key (ssh-keygen -t "
			    "ed25519, or -t rsa -b 4096), or lower "
			    "min_rsa_bits "
			    "in the config given with -f", kl->bits,
			    pol->min_rsa_bits);
			return;
		}
		break;
	case AK_ERR_CONTROL_CHAR:
		snprintf(out, len, "a control character in the line (a "
		    "pasted tab is fine; a carriage return in the middle is "
		    "not)");
		return;
	case AK_ERR_TOO_LARGE:
		snprintf(out, len, "line too long");
		return;
	}
	snprintf(out, len, "%s", ak_err(r));
}
