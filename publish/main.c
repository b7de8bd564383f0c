/*
 * authkeys-publish -k SIGNING_KEY [-k KEY ...] -s SOURCE_DIR -o OUTPUT_DIR
 *     [--valid DURATION] [-f CONFIG]
 *
 * Checks every source line first; on any error nothing in OUTPUT_DIR
 * changes. Documents are signed with ssh-keygen -Y sign (a key file, or the
 * .pub of a key held in ssh-agent) and each replaces its file atomically.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ak_config.h"
#include "ak_doc.h"
#include "ak_err.h"
#include "ak_file.h"
#include "ak_log.h"
#include "publish.h"

static void
usage(void)
{
	fprintf(stderr, "usage: authkeys-publish -k signing_key [-k key ...] "
	    "-s source_dir -o output_dir\n"
	    "                        [--valid duration] [-f authkeys.conf]\n"
	    "                        [--resign-before duration] "
	    "[--report file.html]\n"
	    "                        [--timestamp-key key ...] "
	    "[--timestamp-valid duration]\n"
	    "                        [--snapshot-valid duration] [--force]\n"
	    "       authkeys-publish --dry-run -s source_dir -o output_dir "
	    "[-f authkeys.conf] [--report file.html]\n"
	    "       authkeys-publish --root roles_file -k root_key "
	    "[-k key ...] -o output_dir\n"
	    "                        [--root-valid duration]\n"
	    "       authkeys-publish --timestamp -k timestamp_key "
	    "-o output_dir [-f authkeys.conf]\n"
	    "                        [--timestamp-valid duration] [--force]\n"
	    "       authkeys-publish --partial -k key -s source_dir "
	    "-o staging_dir -f authkeys.conf [...]\n"
	    "       authkeys-publish --add-signature -k key [-k key ...] "
	    "-o staging_dir -f authkeys.conf\n"
	    "                        [--dry-run] [--timestamp-key key ...] "
	    "[--timestamp-valid duration]\n");
	exit(2);
}

static void
stderr_log(void *ctx, int prio, const char *fmt, va_list ap)
{
	(void)ctx;
	(void)prio;
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

/* Signs every staged file (see pub_sign_all). Returns 0 or -1. */
static int
sign_all(const struct pub_opts *o, const char *namespace,
    struct pub_item *items, size_t n)
{
	char **files;
	size_t i, nf = 0;
	int r;

	if ((files = calloc(n + 1, sizeof(*files))) == NULL)
		return -1;
	for (i = 0; i < n; i++)
		if (items[i].staged != NULL)
			files[nf++] = items[i].staged;
	r = pub_sign_all(o->keys, o->nkeys, namespace, files, nf);
	free(files);
	return r;
}

/*
 * Appends each key's signature to FILE, then checks the result parses.
 * Made durable all at once (syncfs) before anything is renamed.
 */
static int
append_sig(const struct pub_opts *o, const struct pub_item *it)
{
	struct ak_doc *d = NULL;
	char *doc = NULL;
	size_t doclen;
	int r = -1;

	if (pub_append_sigs(it->staged, o->nkeys, 0) != 0 ||
	    ak_file_read(it->staged,
	    AK_DOC_MAX, 0, 0, &doc, &doclen) != 0)
		goto out;
	if (ak_doc_parse(doc, doclen, it->name[0] ? AK_DOC_ACCOUNT :
	    AK_DOC_REVOCATIONS, &d) != 0)
		goto out;
	r = 0;
 out:
	ak_doc_free(d);
	free(doc);
	return r;
}

/* Moves a signed document into place, its mtime (ETag) newer than the old. */
static int
install_item(const struct pub_item *it)
{
	chmod(it->staged, 0644);
	if (ak_file_replace_newer(it->staged, it->final) != 0) {
		fprintf(stderr, "%s: %s\n", it->final, strerror(errno));
		return -1;
	}
	return 0;
}

/* Flushes the staging directory's filesystem once (not a fsync per file). */
static int
sync_dir(const char *dir)
{
	int fd, r;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	r = syncfs(fd);
	close(fd);
	return r;
}

static size_t
changed(const struct pub_item *items, size_t n)
{
	size_t i, c = 0;

	for (i = 0; i < n; i++)
		c += items[i].staged != NULL ? 1 : 0;
	return c;
}

/* The options that take a value, and where it goes. */
enum opt_kind { OPT_STR, OPT_DURATION, OPT_KEY };

struct opt {
	const char *name;
	enum opt_kind kind;
	size_t off;		/* in struct pub_opts, or (size_t)-1: config */
	long min;		/* OPT_DURATION: smallest accepted; OPT_KEY:
				 * where the count is */
};

#define O_(f)	offsetof(struct pub_opts, f)
static const struct opt opts[] = {
	{ "-k", OPT_KEY, O_(keys), O_(nkeys) },
	{ "-s", OPT_STR, O_(src), 0 },
	{ "-o", OPT_STR, O_(out), 0 },
	{ "-f", OPT_STR, (size_t)-1, 0 },
	{ "--report", OPT_STR, O_(report), 0 },
	{ "--root", OPT_STR, O_(root_file), 0 },
	{ "--root-valid", OPT_DURATION, O_(root_valid), 1 },
	{ "--timestamp-key", OPT_KEY, O_(ts_keys), O_(nts_keys) },
	{ "--valid", OPT_DURATION, O_(valid), 0 },
	{ "--snapshot-valid", OPT_DURATION, O_(snap_valid), 1 },
	{ "--timestamp-valid", OPT_DURATION, O_(ts_valid), 1 },
	{ "--resign-before", OPT_DURATION, O_(resign_before), 0 },
};
#undef O_

/*
 * One more -k or --timestamp-key: each key signs each document once, so a
 * key given twice is refused (it would count once on every host).
 */
static void
add_key(struct pub_opts *o, const struct opt *op, const char *key)
{
	const char **keys = (const char **)(void *)((char *)o + op->off);
	size_t *n = (size_t *)(void *)((char *)o + (size_t)op->min), i;

	for (i = 0; i < *n; i++) {
		if (strcmp(keys[i], key) == 0) {
			fprintf(stderr, "%s %s given twice: one key is one "
			    "signer\n", op->name, key);
			exit(2);
		}
	}
	if (*n == PUB_KEYS_MAX) {
		fprintf(stderr, "at most %d %s keys\n", PUB_KEYS_MAX, op->name);
		exit(2);
	}
	keys[(*n)++] = key;
}

/* Parses argv into o and *configp; exits 2 on a bad command line. */
static void
parse_args(int argc, char **argv, struct pub_opts *o, const char **configp)
{
	const struct opt *op;
	size_t i, k;
	long d;

	memset(o, 0, sizeof(*o));
	o->valid = 7 * 86400;
	o->ts_valid = 3600;
	o->snap_valid = 86400;
	o->root_valid = 365 * 86400;
	o->resign_before = -1;
	*configp = NULL;
	for (i = 1; i < (size_t)argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--dry-run") == 0) {
			o->dry_run = 1;
			continue;
		}
		if (strcmp(a, "--timestamp") == 0) {
			o->timestamp_only = 1;
			continue;
		}
		if (strcmp(a, "--force") == 0) {
			o->force = 1;
			continue;
		}
		if (strcmp(a, "--partial") == 0) {
			o->partial = 1;
			continue;
		}
		if (strcmp(a, "--add-signature") == 0) {
			o->add_signature = 1;
			continue;
		}
		for (k = 0, op = NULL; k < sizeof(opts) / sizeof(opts[0]); k++)
			if (strcmp(a, opts[k].name) == 0)
				op = &opts[k];
		if (op == NULL || i + 1 >= (size_t)argc)
			usage();
		a = argv[++i];
		if (op->off == (size_t)-1)
			*configp = a;
		else if (op->kind == OPT_KEY)
			add_key(o, op, a);
		else if (op->kind == OPT_STR)
			*(const char **)(void *)((char *)o + op->off) = a;
		else if ((d = pub_parse_duration(a)) < op->min) {
			fprintf(stderr, "bad duration '%s' (N, Ns, Nm, Nh or "
			    "Nd)\n", a);
			exit(2);
		} else
			*(long *)(void *)((char *)o + op->off) = d;
	}
	/* A dry run signs nothing: it needs no key. */
	if (o->add_signature) {
		if (o->nkeys == 0 || o->out == NULL || o->src != NULL ||
		    o->root_file != NULL || o->timestamp_only || o->partial)
			usage();
	} else if (o->root_file != NULL) {
		if (o->nkeys == 0 || o->out == NULL || o->src != NULL ||
		    o->dry_run || o->timestamp_only || o->nts_keys != 0)
			usage();
	} else if (o->timestamp_only) {
		if (o->nkeys == 0 || o->out == NULL || o->src != NULL ||
		    o->dry_run || o->nts_keys != 0)
			usage();
	} else if ((o->nkeys == 0 && !o->dry_run) || o->src == NULL ||
	    o->out == NULL || (o->partial && (o->dry_run ||
	    o->nts_keys != 0)))
		usage();
	if (o->partial && o->root_file != NULL)
		usage();
	if ((o->src != NULL && strlen(o->src) > 1024) ||
	    strlen(o->out) > 1024) {
		fprintf(stderr, "path too long\n");
		exit(2);
	}
}

/* --report, if asked for, after a mode that succeeded. */
static int
report(const struct pub_opts *o, const struct ak_config *pol)
{
	return o->report == NULL || pub_report(o, pol) == 0 ? 0 : 1;
}

/* --timestamp (the cron job's): the snapshot stays, a new timestamp. */
static int
mode_timestamp(const struct pub_opts *o, const struct ak_config *pol)
{
	return pub_check_roles(o, pol) == 0 &&
	    pub_write_timestamp(o, pol) == 0 ? 0 : 1;
}

/* --dry-run: what a reviewer reads in a merge request; nothing written. */
static int
mode_dry_run(const struct pub_opts *o, const struct ak_config *pol,
    const struct pub_item *items, size_t n)
{
	pub_roles_summary(o, pol);
	pub_dry_run(o, items, n);
	return report(o, pol);
}

/* Removes what staging holds, and staging. */
static void
unstage(const char *staging, const struct pub_item *items, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (items[i].staged == NULL)
			continue;
		unlink(items[i].staged);
		pub_remove_sigs(items[i].staged);
	}
	rmdir(staging);
}

/*
 * Stages, signs and syncs every changed document; only then is OUTPUT_DIR
 * changed, document by document, and last the snapshot and timestamp.
 */
static int
mode_publish(const struct pub_opts *o, const struct ak_config *pol,
    struct pub_item *items, size_t n)
{
	char staging[4096];
	unsigned long long serial;
	size_t i;
	int status = 1;

	/* Unchanged and far from #expires: same file, serial, ETag. */
	if (pub_mark_unchanged(o, items, n) == n) {
		printf("nothing changed: %zu document(s) left as they are\n",
		    n);
		return pub_write_view(o, pol, items, n) != 0 ? 1 :
		    report(o, pol);
	}
	if (pub_make_dirs(o->out) != 0) {
		fprintf(stderr, "%s: %s\n", o->out, strerror(errno));
		return 1;
	}
	snprintf(staging, sizeof(staging), "%s/.staging.XXXXXX", o->out);
	if (mkdtemp(staging) == NULL) {
		fprintf(stderr, "%s: %s\n", o->out, strerror(errno));
		return 1;
	}
	if (pub_next_serial(o, &serial) != 0 ||
	    pub_serial_ok(o, pol, "documents", serial) != 0 ||
	    pub_stage(o, staging, serial, items, n) != 0) {
		fprintf(stderr, "nothing published\n");
		goto out;
	}
	/* The namespace the hosts verify with (-f), else "authkeys". */
	if (sign_all(o, pol->namespace, items, n) != 0) {
		fprintf(stderr, "signing failed; nothing published\n");
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (items[i].staged != NULL && append_sig(o, &items[i]) != 0) {
			fprintf(stderr, "%s: signing failed; nothing "
			    "published\n", items[i].final);
			goto out;
		}
	}
	if (sync_dir(staging) != 0) {
		fprintf(stderr, "%s: %s; nothing published\n", staging,
		    strerror(errno));
		goto out;
	}
	/* All signed and on disk: only now does OUTPUT_DIR change. */
	if (pub_serial_record(o, AK_DOC_ACCOUNT, serial) != 0) {
		fprintf(stderr, "nothing published\n");
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (items[i].staged == NULL)
			continue;
		if (install_item(&items[i]) != 0)
			goto out;
		printf("%s serial %llu\n", items[i].final, serial);
	}
	if (n - changed(items, n) > 0)
		printf("%zu unchanged document(s) left as they are\n",
		    n - changed(items, n));
	/* Last, once every document is in place: snapshot, timestamp. */
	if (pub_write_view(o, pol, items, n) != 0) {
		fprintf(stderr, "snapshot or timestamp not written: hosts with "
		    "timestamp_url keep the previous view\n");
		goto out;
	}
	status = report(o, pol);
 out:
	unstage(staging, items, n);
	return status;
}

int
main(int argc, char **argv)
{
	struct pub_opts o;
	struct ak_config *pol = NULL;
	struct pub_item *items = NULL;
	const char *config;
	size_t n = 0;
	int status = 1;

	parse_args(argc, argv, &o, &config);
	ak_log_set(stderr_log, NULL);
	o.now = time(NULL);
	pub_hash_keys(&o);
	/* Unchanged documents are re-signed in the last half of their life. */
	if (o.resign_before < 0)
		o.resign_before = o.valid / 2;
	if ((config != NULL ? ak_config_load(config, &pol) :
	    ak_config_defaults(&pol)) != 0)
		return 1;
	o.ns = pol->namespace;
	if ((o.partial || o.add_signature) && pol->trusted_root == NULL) {
		fprintf(stderr, "--partial and --add-signature need -f with "
		    "trusted_root: the threshold they work towards is the "
		    "root's\n");
		ak_config_free(pol);
		return 2;
	}
	/* The root hosts will hold: what counts towards its thresholds. */
	if (pol->trusted_root != NULL && o.root_file == NULL &&
	    (!o.dry_run || o.add_signature) &&
	    pub_root_in_force(&o, pol, &o.root) != 0) {
		fprintf(stderr, "%s: cannot read trusted_root; nothing "
		    "published\n", pol->trusted_root);
		ak_config_free(pol);
		return 1;
	}
	if (o.add_signature)
		status = pub_add_signature(&o, pol) == 0 ? 0 : 1;
	else if (o.root_file != NULL)
		status = pub_write_root(&o) == 0 ? 0 : 1;
	else if (o.timestamp_only)
		status = mode_timestamp(&o, pol);
	else if (!o.dry_run && pub_check_roles(&o, pol) != 0)
		status = 1;
	else if (pub_read_sources(&o, pol, &items, &n) != 0)
		fprintf(stderr, "nothing published\n");
	else
		status = o.dry_run ? mode_dry_run(&o, pol, items, n) :
		    mode_publish(&o, pol, items, n);
	pub_items_free(items, n);
	ak_root_free(o.root);
	ak_config_free(pol);
	return status;
}
