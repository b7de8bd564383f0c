/*
 * Drives a PAM stack the way sshd does, through the real libpam:
 *   pam_driver CONFDIR SERVICE USER auth|account|session [AUTH_INFO]
 * puts SSH_AUTH_INFO_0 (if given) and PAM_RHOST=127.0.0.1, runs the stage
 * and prints "rc=PAM_NAME fpr=VALUE" (the module's AUTHKEYS_FINGERPRINT).
 *   pam_driver --symbols MODULE.so
 * dlopens the module and prints its pam_sm_* symbols and any core symbol
 * that leaked.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <security/pam_appl.h>

static int
conv(int n, const struct pam_message **msg, struct pam_response **resp,
    void *data)
{
	(void)n;
	(void)msg;
	(void)resp;
	(void)data;
	return PAM_CONV_ERR;
}

static const char *
rc_name(int rc)
{
	switch (rc) {
	case PAM_SUCCESS: return "PAM_SUCCESS";
	case PAM_AUTH_ERR: return "PAM_AUTH_ERR";
	case PAM_PERM_DENIED: return "PAM_PERM_DENIED";
	case PAM_IGNORE: return "PAM_IGNORE";
	case PAM_USER_UNKNOWN: return "PAM_USER_UNKNOWN";
	case PAM_SYSTEM_ERR: return "PAM_SYSTEM_ERR";
	case PAM_SESSION_ERR: return "PAM_SESSION_ERR";
	default: return "PAM_OTHER";
	}
}

static int
symbols(const char *path)
{
	static const char *want[] = { "pam_sm_authenticate", "pam_sm_setcred",
	    "pam_sm_acct_mgmt", "pam_sm_open_session", "pam_sm_close_session" };
	static const char *hidden[] = { "ak_config_load", "ak_resolve",
	    "ak_log", "ak_fetch", "ak_sshsig_verify", "check", "parse_args" };
	void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	size_t i;
	int bad = 0;

	if (h == NULL) {
		fprintf(stderr, "%s\n", dlerror());
		return 1;
	}
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		if (dlsym(h, want[i]) == NULL) {
			printf("missing %s\n", want[i]);
			bad = 1;
		}
	}
	for (i = 0; i < sizeof(hidden) / sizeof(hidden[0]); i++) {
		if (dlsym(h, hidden[i]) != NULL) {
			printf("exported %s\n", hidden[i]);
			bad = 1;
		}
	}
	dlclose(h);
	printf(bad ? "symbols: bad\n" : "symbols: ok\n");
	return bad;
}

int
main(int argc, char **argv)
{
	struct pam_conv pc = { conv, NULL };
	pam_handle_t *pamh = NULL;
	const char *fpr;
	char env[70000];
	int rc;

	if (argc == 3 && strcmp(argv[1], "--symbols") == 0)
		return symbols(argv[2]);
	if (argc < 5) {
		fprintf(stderr, "usage: pam_driver confdir service user "
		    "auth|account|session [auth_info]\n");
		return 2;
	}
	if ((rc = pam_start_confdir(argv[2], argv[3], &pc, argv[1], &pamh)) !=
	    PAM_SUCCESS) {
		fprintf(stderr, "pam_start_confdir: %d\n", rc);
		return 2;
	}
	pam_set_item(pamh, PAM_RHOST, "127.0.0.1");
	if (argc > 5) {
		snprintf(env, sizeof(env), "SSH_AUTH_INFO_0=%s", argv[5]);
		pam_putenv(pamh, env);
	}
	if (strcmp(argv[4], "auth") == 0)
		rc = pam_authenticate(pamh, 0);
	else if (strcmp(argv[4], "account") == 0)
		rc = pam_acct_mgmt(pamh, 0);
	else if (strcmp(argv[4], "session") == 0)
		rc = pam_open_session(pamh, 0);
	else
		return 2;
	fpr = pam_getenv(pamh, "AUTHKEYS_FINGERPRINT");
	printf("rc=%s fpr=%s\n", rc_name(rc), fpr != NULL ? fpr : "-");
	/* The session records the module keeps, while the session is open. */
	if (getenv("AK_DRIVER_RECORDS") != NULL) {
		char cmd[4200];

		snprintf(cmd, sizeof(cmd), "cat %s/* 2>/dev/null | "
		    "sed 's/^/record: /'", getenv("AK_DRIVER_RECORDS"));
		fflush(stdout);
		if (system(cmd) == -1)
			return 2;
		printf("driver-pid: %ld\n", (long)getpid());
	}
	if (rc == PAM_SUCCESS && strcmp(argv[4], "session") == 0)
		pam_close_session(pamh, 0);
	pam_end(pamh, rc);
	return 0;
}
