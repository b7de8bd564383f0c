/* authkeys-publish: source directory in, signed store documents out. */
#ifndef AK_PUBLISH_H
#define AK_PUBLISH_H

#include <sys/types.h>

#include <stddef.h>
#include <time.h>

#include "ak_config.h"
#include "ak_keyset.h"
#include "ak_root.h"

#define PUB_KEYS_MAX	8	/* -k (or --timestamp-key) given this often */

struct pub_opts {
	/* Signing keys (files, or .pub of agent keys): each signs each. */
	const char *keys[PUB_KEYS_MAX];
	size_t nkeys;
	/* SHA-256 of each key's public blob, once (pub_hash_keys). */
	unsigned char key_hash[PUB_KEYS_MAX][32];
	int keys_hashed;	/* 0: some .pub unreadable */
	const char *src;
	const char *out;
	const char *report;	/* --report FILE.html, or NULL */
	long valid;		/* seconds */
	long resign_before;	/* re-sign unchanged ones this near #expires */
	const char *ts_keys[PUB_KEYS_MAX];	/* --timestamp-key, or keys */
	size_t nts_keys;
	long ts_valid;		/* --timestamp-valid, seconds */
	long snap_valid;	/* --snapshot-valid, seconds */
	int force;		/* --force: sign a serial ahead of the clock */
	const char *root_file;	/* --root ROLES_FILE, or NULL */
	long root_valid;	/* --root-valid, seconds */
	int timestamp_only;	/* --timestamp */
	int dry_run;
	int partial;		/* --partial: fewer keys than k may sign */
	int add_signature;	/* --add-signature */
	const char *ns;		/* the documents' namespace (-f's) */
	/* With -f and trusted_root, for --partial and --add-signature: the
	 * root hosts will hold (pub_root_in_force), else NULL. */
	struct ak_root *root;
	time_t now;
};

/* One output document: its body from the source, then its files. */
struct pub_item {
	char name[64];		/* account name, or "" for the list */
	char *body;		/* key lines, one per line (normalised) */
	size_t bodylen;
	char *staged;		/* the signed file in staging, or NULL */
	char *final;		/* where it goes */
	int unchanged;		/* same body, far from #expires: left alone */
};

/*
 * Marks the items whose published document has the same body and expires
 * more than o->resign_before from now: they keep their file, serial and
 * ETag (hosts get 304s). Returns how many were marked.
 */
size_t pub_mark_unchanged(const struct pub_opts *o, struct pub_item *items,
    size_t n);

/*
 * Reads and checks every source file (names, every line, with policy;
 * RFC 4716 keys converted, private keys refused) into items with their
 * bodies. Returns 0, or -1 after printing "file:line: reason" to stderr.
 */
int pub_read_sources(const struct pub_opts *o, const struct ak_config *pol,
    struct pub_item **itemsp, size_t *np);
void pub_items_free(struct pub_item *items, size_t n);

/* Writes each item's unsigned document into staging. Returns 0 or -1. */
int pub_stage(const struct pub_opts *o, const char *staging,
    unsigned long long serial, struct pub_item *items, size_t n);

/*
 * --dry-run: per account and for the list, the fingerprints (with
 * comments) publishing would add and remove against what OUTPUT_DIR holds.
 */
void pub_dry_run(const struct pub_opts *o, const struct pub_item *items,
    size_t n);

/* Each key line of doc: "    FINGERPRINT type, comment" on stdout. */
struct ak_doc;
void pub_print_keys(const struct ak_doc *doc);

/* --report: one self-contained HTML page of OUTPUT_DIR's documents. */
int pub_report(const struct pub_opts *o, const struct ak_config *pol);

/*
 * Why a line is refused, in plain words, into out (len bytes): r is what
 * ak_line_read said, or 0 with v what the policy said (ak_keyset_policy).
 */
void pub_explain(const char *line, int r, enum ak_verdict v,
    const struct ak_config *pol, const struct ak_key_line *kl, char *out,
    size_t len);

/*
 * Checks, before anything is written, that trusted_signers (with -f) lets
 * each key sign the roles it must: documents and snapshot in the
 * namespace, the timestamp in NAMESPACE-timestamp. Returns 0 or -1 after
 * saying which key and role.
 */
int pub_check_roles(const struct pub_opts *o, const struct ak_config *pol);

/*
 * --dry-run with a trusted_root config: the root hosts will hold and, per
 * role, how many of its keys the keys given are against its threshold.
 */
void pub_roles_summary(const struct pub_opts *o, const struct ak_config *pol);

/*
 * Writes v1/snapshot (kept as it is if its body is the same and it is far
 * from #expires) and then v1/timestamp naming it. Returns 0 or -1.
 */
int pub_write_view(const struct pub_opts *o, const struct ak_config *pol,
    const struct pub_item *items, size_t n);

/* --timestamp: re-signs only v1/timestamp. Returns 0 or -1. */
int pub_write_timestamp(const struct pub_opts *o, const struct ak_config *pol);

/* sign.c: ssh-keygen -Y sign, and its signatures appended. */

/* Starts ssh-keygen -Y sign on files (no shell); each FILE gets FILE.sig. */
pid_t pub_sign_start(const char *key, const char *namespace, char **files,
    size_t n);

/*
 * Signs nf files with each of nkeys keys: one ssh-keygen per 1,000 files
 * (it signs many in one run), two at a time. Every key signs the same
 * bytes: key i's FILE.sig is kept as FILE.sig.i. Returns 0, or -1 if any
 * run failed.
 */
int pub_sign_all(const char *const *keys, size_t nkeys,
    const char *namespace, char **files, size_t nf);

/*
 * Appends path.sig.0 .. path.sig.(nkeys - 1) (as ssh-keygen wrote them)
 * to path, in that order, and removes them; with durable, fsyncs path.
 * Returns 0 or -1 (the file is closed and the .sig files removed either
 * way).
 */
int pub_append_sigs(const char *path, size_t nkeys, int durable);

/* Removes whatever path.sig and path.sig.N files a signing left. */
void pub_remove_sigs(const char *path);

/* The public key blob of a key file (KEY.pub, or KEY if it ends in .pub). */
int pub_read_pub(const char *key, unsigned char **blobp, size_t *lenp);

/* Fills o->key_hash from the -k keys' public halves (o->keys_hashed). */
void pub_hash_keys(struct pub_opts *o);

/*
 * Returns 1 if d carries one signature by each -k key and no other (so an
 * unchanged document need not be signed again), else 0.
 */
struct ak_doc;
int pub_signed_by(const struct pub_opts *o, const struct ak_doc *d);

/*
 * How many distinct keys of o->root's documents role have a signature on d
 * that verifies (their SHA-256 into keys, room for AK_DOC_SIGS_MAX); 0
 * without o->root.
 */
size_t pub_doc_signers(const struct pub_opts *o, const struct ak_doc *d,
    unsigned char keys[][32]);

/*
 * Returns 1 if d's signatures need not change for a body that did not: it
 * carries exactly the -k keys' (pub_signed_by), or, in a partial publish,
 * already reaches the documents role's threshold.
 */
int pub_keep_signatures(const struct pub_opts *o, const struct ak_doc *d);

/*
 * --add-signature: each -k key signs the signed bytes of every document,
 * the list and the snapshot in o->out that are short of the documents
 * role's threshold and carry a valid signature by one of its keys; the
 * signature is appended. Checks first that the snapshot names those
 * documents by their signed bytes. Returns 0 or -1 (nothing changed).
 */
int pub_add_signature(const struct pub_opts *o, const struct ak_config *pol);

/* Signs path in place with every key (pub_sign_all, pub_append_sigs). */
int pub_sign_file(const char *const *keys, size_t nkeys,
    const char *namespace, const char *path);

/* Makes out, out/v1 and out/v1/accounts (mode 0755). Returns 0 or -1. */
int pub_make_dirs(const char *out);

/*
 * --root: signs o->root_file's role lines as root N+1 (1 if out has none)
 * with every key, checks it as hosts will (k of root N's root keys and k
 * of its own), then writes v1/root.N and v1/root. Returns 0 or -1.
 */
int pub_write_root(const struct pub_opts *o);

/*
 * The root hosts configured with pol (trusted_root) hold once they take
 * what the store in o->out publishes: the bootstrap, then each v1/root.N
 * that verifies in turn. Returns 0 and *rootp, or AK_ERR_* (logged).
 */
int pub_root_in_force(const struct pub_opts *o, const struct ak_config *pol,
    struct ak_root **rootp);

/*
 * The serial to publish documents with: above every serial in out and
 * every one this publisher recorded issuing there. Returns 0 and
 * *serialp, or -1 (said).
 */
int pub_next_serial(const struct pub_opts *o, unsigned long long *serialp);

/*
 * The highest serial recorded issued in out for kind (account documents
 * and the revocation list share one line, the snapshot and the timestamp
 * have their own), 0 if none; pub_serial_record raises it, durably, before
 * files with that serial are put in place. Both return 0 or -1 (said).
 */
int pub_serial_floor(const struct pub_opts *o, enum ak_doc_kind kind,
    unsigned long long *floorp);
int pub_serial_record(const struct pub_opts *o, enum ak_doc_kind kind,
    unsigned long long serial);

/*
 * Hosts refuse a serial more than max_clock_skew ahead of their clock, and
 * a serial once taken holds every later one up (serials never go down).
 * Returns 0 if serial (for what) is within pol's skew of o->now, or with
 * --force; else says which clock to look at and returns -1.
 */
int pub_serial_ok(const struct pub_opts *o, const struct ak_config *pol,
    const char *what, unsigned long long serial);

/* Parses "30", "90s", "15m", "12h", "7d" into seconds; -1 if bad. */
long pub_parse_duration(const char *s);

#endif
