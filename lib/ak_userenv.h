/*
 * Whether a user's own environment file could choose the key the PAM module
 * checks. pam_env with user_readenv=1 (Debian's /etc/pam.d/sshd) loads
 * ~/.pam_environment into the PAM environment, where it can overwrite the
 * SSH_AUTH_INFO_0 sshd put there, wherever our module sits after it.
 */
#ifndef AK_USERENV_H
#define AK_USERENV_H

#define AK_USERENV_FILE	".pam_environment"
#define AK_USERENV_MAX	65536

/*
 * Looks at home/.pam_environment without following links or blocking.
 * Returns 0 if it is absent or cannot set SSH_AUTH_INFO_*; otherwise
 * AK_ERR_POLICY (it names SSH_AUTH_INFO) or AK_ERR_PERM (a link, not a
 * regular file, larger than AK_USERENV_MAX, unreadable: it cannot be
 * checked), with *whyp set to a static reason for the log.
 */
int ak_userenv_check(const char *home, const char **whyp);

/*
 * Checks len bytes of environment file text the way pam_env reads it
 * (backslash-newline continues a line). Returns 1 if it names
 * SSH_AUTH_INFO, else 0.
 */
int ak_userenv_names_authinfo(const char *buf, size_t len);

#endif
