/* authkeys-publish: source directory in, signed store documents out. */
#ifndef AK_PUBLISH_H
#define AK_PUBLISH_H

#include <sys/types.h>

#include <stddef.h>
#include <time.h>

#include "ak_config.h"
#include "ak_keyset.h"

struct pub_opts {
	const char *key;	/* signing key file, or .pub of an agent key */
	const char *src;
	const char *out;
	const char *report;	/* --report FILE.html, or NULL */
	long valid;		/* seconds */
	long resign_before;	/* re-sign unchanged ones this near #expires */
	const char *ts_key;	/* --timestamp-key, or NULL: key */
	long ts_valid;		/* --timestamp-valid, seconds */
	int timestamp_only;	/* --timestamp */
	int dry_run;
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
 * Writes v1/snapshot (kept as it is if its body is the same and it is far
 * from #expires) and then v1/timestamp naming it. Returns 0 or -1.
 */
int pub_write_view(const struct pub_opts *o, const struct ak_config *pol,
    const struct pub_item *items, size_t n);

/* --timestamp: re-signs only v1/timestamp. Returns 0 or -1. */
int pub_write_timestamp(const struct pub_opts *o, const struct ak_config *pol);

/* Starts ssh-keygen -Y sign on files (no shell); each FILE gets FILE.sig. */
pid_t pub_sign_start(const char *key, const char *namespace, char **files,
    size_t n);

/* Returns the serial to publish: above every serial already in out. */
unsigned long long pub_next_serial(const struct pub_opts *o);

/* Parses "30", "90s", "15m", "12h", "7d" into seconds; -1 if bad. */
long pub_parse_duration(const char *s);

#endif
