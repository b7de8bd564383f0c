/*
 * authkeys-publish -k SIGNING_KEY -s SOURCE_DIR -o OUTPUT_DIR
 *     [--valid DURATION] [-f CONFIG]
 *
 * Checks every source line first; on any error nothing in OUTPUT_DIR
 * changes. Documents are signed with ssh-keygen -Y sign (a key file, or the
 * .pub of a key held in ssh-agent) and each replaces its file atomically.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
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
	fprintf(stderr, "usage: authkeys-publish -k signing_key -s source_dir "
	    "-o output_dir [--valid duration] [-f authkeys.conf]\n"
	    "                        [--resign-before duration] "
	    "[--report file.html]\n"
	    "                        [--timestamp-key key] "
	    "[--timestamp-valid duration]\n"
	    "       authkeys-publish --dry-run -s source_dir -o output_dir "
	    "[-f authkeys.conf] [--report file.html]\n"
	    "       authkeys-publish --timestamp -k timestamp_key "
	    "-o output_dir [-f authkeys.conf]\n"
	    "                        [--timestamp-valid duration]\n");
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

#define SIGN_BATCH	1000	/* files per ssh-keygen run */
#define SIGN_PARALLEL	2

pid_t
pub_sign_start(const char *key, const char *namespace, char **files, size_t n)
{
	char **argv;
	size_t i;
	pid_t pid;

	if ((argv = calloc(n + 9, sizeof(*argv))) == NULL)
		return -1;
	argv[0] = "ssh-keygen";
	argv[1] = "-q";
	argv[2] = "-Y";
	argv[3] = "sign";
	argv[4] = "-n";
	argv[5] = (char *)namespace;
	argv[6] = "-f";
	argv[7] = (char *)key;
	for (i = 0; i < n; i++)
		argv[8 + i] = files[i];
	if ((pid = fork()) == 0) {
		execvp("ssh-keygen", argv);
		perror("ssh-keygen");
		_exit(127);
	}
	free(argv);
	return pid;
}

/*
 * Signs every staged file: one ssh-keygen per SIGN_BATCH files (it signs
 * many files in one run), SIGN_PARALLEL at a time. Returns 0 or -1.
 */
static int
sign_all(const char *key, const char *namespace, struct pub_item *items,
    size_t n)
{
	char **files;
	pid_t running[SIGN_PARALLEL];
	size_t i, nf = 0, off, nrun = 0, k;
	int status, bad = 0;

	if ((files = calloc(n + 1, sizeof(*files))) == NULL)
		return -1;
	for (i = 0; i < n; i++)
		if (items[i].staged != NULL)
			files[nf++] = items[i].staged;
	for (off = 0; off < nf || nrun > 0; ) {
		if (off < nf && nrun < SIGN_PARALLEL) {
			k = nf - off < SIGN_BATCH ? nf - off : SIGN_BATCH;
			if ((running[nrun] = pub_sign_start(key, namespace,
			    files + off, k)) == -1) {
				bad = 1;
				break;
			}
			nrun++;
			off += k;
			continue;
		}
		if (waitpid(running[0], &status, 0) != running[0] ||
		    !WIFEXITED(status) || WEXITSTATUS(status) != 0)
			bad = 1;
		memmove(running, running + 1, --nrun * sizeof(*running));
	}
	while (nrun > 0)
		waitpid(running[--nrun], &status, 0);
	free(files);
	return bad ? -1 : 0;
}

/* Appends FILE.sig to FILE, then checks the result parses. */
static int
append_sig(const struct pub_item *it)
{
	char sigpath[4200], *sig = NULL, *doc = NULL;
	struct ak_doc *d = NULL;
	size_t siglen, doclen;
	FILE *f;
	int r = -1;

	snprintf(sigpath, sizeof(sigpath), "%s.sig", it->staged);
	if (ak_file_read(sigpath, 65536, 0, 0, &sig, &siglen) != 0 ||
	    (f = fopen(it->staged, "a")) == NULL)
		goto out;
	/* Made durable all at once (syncfs) before anything is renamed. */
	if (fwrite(sig, 1, siglen, f) != siglen || fflush(f) != 0) {
		fclose(f);
		goto out;
	}
	if (fclose(f) != 0 || ak_file_read(it->staged, AK_DOC_MAX, 0, 0, &doc,
	    &doclen) != 0)
		goto out;
	if (ak_doc_parse(doc, doclen, it->name[0] ? AK_DOC_ACCOUNT :
	    AK_DOC_REVOCATIONS, &d) != 0)
		goto out;
	r = 0;
 out:
	unlink(sigpath);
	ak_doc_free(d);
	free(sig);
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

static int
mkdirs(const char *out)
{
	char p[4096];

	snprintf(p, sizeof(p), "%s/v1", out);
	if (mkdir(out, 0755) != 0 && errno != EEXIST)
		return -1;
	if (mkdir(p, 0755) != 0 && errno != EEXIST)
		return -1;
	snprintf(p, sizeof(p), "%s/v1/accounts", out);
	if (mkdir(p, 0755) != 0 && errno != EEXIST)
		return -1;
	return 0;
}

int
main(int argc, char **argv)
{
	struct pub_opts o;
	struct ak_config *pol = NULL;
	struct pub_item *items = NULL;
	const char *config = NULL;
	char staging[4096];
	unsigned long long serial;
	size_t n = 0, i;
	int status = 1, staged = 0;

	memset(&o, 0, sizeof(o));
	o.valid = 7 * 86400;
	o.ts_valid = 3600;
	o.resign_before = -1;
	for (i = 1; i < (size_t)argc; i++) {
		const char *a = argv[i], *v = i + 1 < (size_t)argc ?
		    argv[i + 1] : NULL;

		if (strcmp(a, "--dry-run") == 0) {
			o.dry_run = 1;
			continue;
		}
		if (strcmp(a, "--timestamp") == 0) {
			o.timestamp_only = 1;
			continue;
		}
		if (v == NULL)
			usage();
		if (strcmp(a, "-k") == 0)
			o.key = v;
		else if (strcmp(a, "-s") == 0)
			o.src = v;
		else if (strcmp(a, "-o") == 0)
			o.out = v;
		else if (strcmp(a, "-f") == 0)
			config = v;
		else if (strcmp(a, "--report") == 0)
			o.report = v;
		else if (strcmp(a, "--timestamp-key") == 0)
			o.ts_key = v;
		else if (strcmp(a, "--timestamp-valid") == 0) {
			if ((o.ts_valid = pub_parse_duration(v)) <= 0) {
				fprintf(stderr, "bad duration '%s'\n", v);
				return 2;
			}
		}
		else if (strcmp(a, "--resign-before") == 0) {
			if ((o.resign_before = pub_parse_duration(v)) < 0) {
				fprintf(stderr, "bad duration '%s'\n", v);
				return 2;
			}
		}
		else if (strcmp(a, "--valid") == 0) {
			if ((o.valid = pub_parse_duration(v)) < 0) {
				fprintf(stderr, "bad duration '%s' (N, Ns, Nm, "
				    "Nh or Nd)\n", v);
				return 2;
			}
		} else
			usage();
		i++;
	}
	/* A dry run signs nothing: it needs no key. */
	if (o.timestamp_only) {
		if (o.key == NULL || o.out == NULL || o.src != NULL ||
		    o.dry_run || o.ts_key != NULL)
			usage();
	} else if ((o.key == NULL && !o.dry_run) || o.src == NULL ||
	    o.out == NULL)
		usage();
	if ((o.src != NULL && strlen(o.src) > 1024) || strlen(o.out) > 1024) {
		fprintf(stderr, "path too long\n");
		return 2;
	}
	ak_log_set(stderr_log, NULL);
	o.now = time(NULL);
	/* Unchanged documents are re-signed in the last half of their life. */
	if (o.resign_before < 0)
		o.resign_before = o.valid / 2;
	if ((config != NULL ? ak_config_load(config, &pol) :
	    ak_config_defaults(&pol)) != 0)
		return 1;
	if (o.timestamp_only) {
		/* The cron job's: the snapshot stays, a new timestamp. */
		status = pub_check_roles(&o, pol) == 0 &&
		    pub_write_timestamp(&o, pol) == 0 ? 0 : 1;
		goto done;
	}
	if (!o.dry_run && pub_check_roles(&o, pol) != 0)
		goto done;
	if (pub_read_sources(&o, pol, &items, &n) != 0) {
		fprintf(stderr, "nothing published\n");
		goto done;
	}
	/* Unchanged and far from #expires: same file, serial, ETag. */
	if (!o.dry_run && pub_mark_unchanged(&o, items, n) == n) {
		printf("nothing changed: %zu document(s) left as they are\n",
		    n);
		if (pub_write_view(&o, pol, items, n) != 0)
			goto done;
		status = o.report != NULL ? (pub_report(&o, pol) == 0 ? 0 : 1) :
		    0;
		goto done;
	}
	if (o.dry_run) {
		/* What a reviewer reads in a merge request; nothing written. */
		pub_dry_run(&o, items, n);
		status = o.report != NULL ? (pub_report(&o, pol) == 0 ? 0 : 1) :
		    0;
		goto done;
	}
	if (mkdirs(o.out) != 0) {
		fprintf(stderr, "%s: %s\n", o.out, strerror(errno));
		goto done;
	}
	snprintf(staging, sizeof(staging), "%s/.staging.XXXXXX", o.out);
	if (mkdtemp(staging) == NULL) {
		fprintf(stderr, "%s: %s\n", o.out, strerror(errno));
		goto done;
	}
	staged = 1;
	serial = pub_next_serial(&o);
	if (pub_stage(&o, staging, serial, items, n) != 0) {
		fprintf(stderr, "nothing published\n");
		goto cleanup;
	}
	/* The namespace the hosts verify with (-f), else "authkeys". */
	if (sign_all(o.key, pol->namespace, items, n) != 0) {
		fprintf(stderr, "signing failed; nothing published\n");
		goto cleanup;
	}
	for (i = 0; i < n; i++) {
		if (items[i].staged != NULL && append_sig(&items[i]) != 0) {
			fprintf(stderr, "%s: signing failed; nothing "
			    "published\n", items[i].final);
			goto cleanup;
		}
	}
	if (sync_dir(staging) != 0) {
		fprintf(stderr, "%s: %s; nothing published\n", staging,
		    strerror(errno));
		goto cleanup;
	}
	/* All signed and on disk: only now does OUTPUT_DIR change. */
	for (i = 0; i < n; i++) {
		if (items[i].staged == NULL)
			continue;
		if (install_item(&items[i]) != 0)
			goto cleanup;
		printf("%s serial %llu\n", items[i].final, serial);
	}
	if (n - changed(items, n) > 0)
		printf("%zu unchanged document(s) left as they are\n",
		    n - changed(items, n));
	/* Last, once every document is in place: snapshot, timestamp. */
	if (pub_write_view(&o, pol, items, n) != 0) {
		fprintf(stderr, "snapshot or timestamp not written: hosts with "
		    "timestamp_url keep the previous view\n");
		goto cleanup;
	}
	status = 0;
	if (o.report != NULL && pub_report(&o, pol) != 0)
		status = 1;
 cleanup:
	for (i = 0; i < n; i++) {
		char sig[4200];

		if (items[i].staged == NULL)
			continue;
		unlink(items[i].staged);
		snprintf(sig, sizeof(sig), "%s.sig", items[i].staged);
		unlink(sig);
	}
	if (staged)
		rmdir(staging);
 done:
	pub_items_free(items, n);
	ak_config_free(pol);
	return status;
}
