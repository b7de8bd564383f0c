/* authkeys-publish: source directory in, signed store documents out. */
#ifndef AK_PUBLISH_H
#define AK_PUBLISH_H

#include <stddef.h>
#include <time.h>

#include "ak_config.h"

struct pub_opts {
	const char *key;	/* signing key file, or .pub of an agent key */
	const char *src;
	const char *out;
	long valid;		/* seconds */
	time_t now;
};

/* One output document waiting in the staging directory. */
struct pub_item {
	char name[64];		/* account name, or "" for the list */
	char staged[4096];	/* path of the signed file in staging */
	char final[4096];	/* where it goes */
};

/*
 * Reads and checks every source file (names, every line, with policy) and
 * writes each document's unsigned text into staging. Returns 0, or -1 after
 * printing "file:line: reason" to stderr.
 */
int pub_read_sources(const struct pub_opts *o, const struct ak_config *pol,
    const char *staging, unsigned long long serial, struct pub_item **itemsp,
    size_t *np);

/* Returns the serial to publish: above every serial already in out. */
unsigned long long pub_next_serial(const struct pub_opts *o);

/* Parses "30", "90s", "15m", "12h", "7d" into seconds; -1 if bad. */
long pub_parse_duration(const char *s);

#endif
