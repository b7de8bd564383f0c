# authkeys — see README.md. `make`, `make check`, `make install`.

PREFIX	?= /usr/local
SBINDIR	?= $(PREFIX)/sbin
BINDIR	?= $(PREFIX)/bin
LIBEXECDIR ?= $(PREFIX)/libexec
PAMDIR	?= $(PREFIX)/lib/security
MANDIR	?= $(PREFIX)/share/man
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
SYSCONFDIR ?= /etc
DESTDIR	?=

CC	?= cc
CFLAGS	?= -O2 -g
LDFLAGS	?=
PKG_CONFIG ?= pkg-config

# Required flags stay in force whatever CFLAGS/LDFLAGS the caller gives.
WERROR	?= -Werror
AK_CPPFLAGS = -D_GNU_SOURCE -D_FORTIFY_SOURCE=2 -Ilib -Iauthkeys_cmd -Ipublish \
	-Irefresh -Isweep
AK_CFLAGS = -std=c11 -Wall -Wextra -Wformat=2 -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wpointer-arith -Wvla -Wconversion $(WERROR) \
	-fstack-protector-strong -fPIC
AK_LDFLAGS = -Wl,-z,relro,-z,now -Wl,--as-needed

CURL_CFLAGS	:= $(shell $(PKG_CONFIG) --cflags libcurl)
CURL_LIBS	:= $(shell $(PKG_CONFIG) --libs libcurl)
CRYPTO_CFLAGS	:= $(shell $(PKG_CONFIG) --cflags libcrypto)
CRYPTO_LIBS	:= $(shell $(PKG_CONFIG) --libs libcrypto)
CMOCKA_CFLAGS	:= $(shell $(PKG_CONFIG) --cflags cmocka 2>/dev/null)
CMOCKA_LIBS	:= $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null)

B	= build
O	= $(B)/obj

CORE	= ak_err ak_log ak_match ak_time ak_valid ak_b64 ak_sha256 ak_wire ak_buf \
	  ak_key ak_config ak_url ak_file ak_doc ak_keyset ak_cache \
	  ak_signers ak_authinfo ak_userenv ak_pamstack ak_fresh ak_krl \
	  ak_session ak_proc ak_cgroup ak_pubsrc ak_index ak_local ak_snap ak_accounts ak_chain
NET	= ak_sshsig ak_fetch ak_resolve ak_resolve_verify ak_resolve_store \
	  ak_resolve_view ak_resolve_probe ak_root
CORE_OBJS = $(CORE:%=$(O)/lib/%.o)
NET_OBJS  = $(NET:%=$(O)/lib/%.o)

COMMAND	= $(B)/sbin/authkeys-command
HELPER	= $(B)/libexec/authkeys/authkeys-fetch
PAMMOD	= $(B)/lib/security/pam_authkeys.so
NETSO	= $(B)/lib/security/authkeys/net.so
PUBLISH	= $(B)/bin/authkeys-publish
REFRESH	= $(B)/sbin/authkeys-refresh
SWEEP	= $(B)/sbin/authkeys-sweep

PROGS	= $(COMMAND) $(HELPER) $(PAMMOD) $(NETSO) $(PUBLISH) $(REFRESH) \
	  $(SWEEP)

all: $(PROGS)

$(O)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(AK_CPPFLAGS) $(CPPFLAGS) $(AK_CFLAGS) $(CURL_CFLAGS) \
		$(CRYPTO_CFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

$(B)/libakcore.a: $(CORE_OBJS)
	@mkdir -p $(dir $@)
	$(AR) rcs $@ $^

$(B)/libaknet.a: $(NET_OBJS)
	@mkdir -p $(dir $@)
	$(AR) rcs $@ $^

# The cache-hit binary links no libcurl and no libcrypto (SPEC facts).
$(COMMAND): $(O)/authkeys_cmd/main.o $(O)/authkeys_cmd/cmd.o \
		$(O)/authkeys_cmd/status.o $(B)/libakcore.a
	@mkdir -p $(dir $@)
	$(CC) $(AK_CFLAGS) $(CFLAGS) -pie $(AK_LDFLAGS) $(LDFLAGS) -o $@ $^

$(HELPER): $(O)/authkeys_cmd/helper.o $(O)/authkeys_cmd/cmd.o \
		$(O)/authkeys_cmd/check.o $(O)/authkeys_cmd/check_sshd.o \
		$(O)/authkeys_cmd/check_unit.o \
		$(O)/authkeys_cmd/report.o \
		$(B)/libaknet.a $(B)/libakcore.a
	@mkdir -p $(dir $@)
	$(CC) $(AK_CFLAGS) $(CFLAGS) -pie $(AK_LDFLAGS) $(LDFLAGS) -o $@ $^ \
		$(CURL_LIBS) $(CRYPTO_LIBS)

$(REFRESH): $(O)/refresh/main.o $(O)/refresh/round.o $(B)/libaknet.a \
		$(B)/libakcore.a
	@mkdir -p $(dir $@)
	$(CC) $(AK_CFLAGS) $(CFLAGS) -pie $(AK_LDFLAGS) $(LDFLAGS) -o $@ $^ \
		$(CURL_LIBS) $(CRYPTO_LIBS)

$(SWEEP): $(O)/sweep/main.o $(O)/sweep/sweep.o $(O)/sweep/end.o \
		$(O)/sweep/list.o $(B)/libaknet.a \
		$(B)/libakcore.a
	@mkdir -p $(dir $@)
	$(CC) $(AK_CFLAGS) $(CFLAGS) -pie $(AK_LDFLAGS) $(LDFLAGS) -o $@ $^ \
		$(CURL_LIBS) $(CRYPTO_LIBS)

# Publish checks keys with libcrypto (ak_sshsig_key_check), not curl.
$(PUBLISH): $(O)/publish/main.o $(O)/publish/source.o $(O)/publish/snapshot.o \
		$(O)/publish/explain.o $(O)/publish/review.o $(O)/publish/sign.o \
		$(O)/publish/root.o $(O)/publish/cosign.o \
		$(B)/libaknet.a $(B)/libakcore.a
	@mkdir -p $(dir $@)
	$(CC) $(AK_CFLAGS) $(CFLAGS) -pie $(AK_LDFLAGS) $(LDFLAGS) -o $@ $^ \
		$(CRYPTO_LIBS)

# The module links neither libcurl nor libcrypto: ak_fetch_lazy.o stands in
# for ak_fetch.o and ak_sshsig.o and loads net.so (both, with their
# libraries) only when the store is asked or new bytes are verified.
# PAM_NET=linked links them in instead: make sanitize-check's sshd suites
# only (a stock sshd with the ASan runtime preloaded; see there).
PAM_NET	?= lazy
ifeq ($(PAM_NET),linked)
PAM_NET_OBJ =
PAM_NET_LIBS = $(CURL_LIBS) $(CRYPTO_LIBS)
else
PAM_NET_OBJ = $(O)/lib/ak_fetch_lazy.o
PAM_NET_LIBS = -ldl
endif
# PAM_NET's value, rewritten (at parse time: .SECONDARY would take a
# missing stamp as up to date) only when it changes, so a tree relinks.
PAM_NET_STAMP := $(shell mkdir -p $(B) && { echo $(PAM_NET) | \
	cmp -s - $(B)/pam_net || echo $(PAM_NET) > $(B)/pam_net; } && \
	echo $(B)/pam_net)

$(PAMMOD): $(O)/pam_module/pam_authkeys.o $(PAM_NET_OBJ) \
		$(B)/libaknet.a $(B)/libakcore.a pam_module/pam_authkeys.map \
		$(PAM_NET_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(AK_CFLAGS) $(CFLAGS) -shared $(AK_LDFLAGS) $(LDFLAGS) \
		-Wl,--version-script=pam_module/pam_authkeys.map -o $@ \
		$(O)/pam_module/pam_authkeys.o $(PAM_NET_OBJ) \
		$(B)/libaknet.a $(B)/libakcore.a -lpam $(PAM_NET_LIBS)

$(NETSO): $(O)/lib/ak_fetch_net.o $(B)/libaknet.a $(B)/libakcore.a \
		pam_module/net.map
	@mkdir -p $(dir $@)
	$(CC) $(AK_CFLAGS) $(CFLAGS) -shared $(AK_LDFLAGS) $(LDFLAGS) \
		-Wl,--version-script=pam_module/net.map -o $@ \
		$(O)/lib/ak_fetch_net.o $(B)/libaknet.a $(B)/libakcore.a \
		$(CURL_LIBS) $(CRYPTO_LIBS)

-include $(shell find $(O) -name '*.d' 2>/dev/null)

include tests/unit/unit.mk

check: all unit-check integration-check pam-check publish-check e2e-check \
	sessions-check cdn-check fleet-check docs-check

# One run of a suite at a time on this host, whichever tree it tests: the
# suites use host-wide names (users, groups, process markers, tmux
# sockets), so a parallel make overlaps different suites only.
SUITE = flock -o /run/ak-suite-$(1).lock tests/$(1)/run.sh

integration-check: all test-tools
	$(call SUITE,integration)

pam-check: all test-tools
	$(call SUITE,pam)

publish-check: all test-tools
	$(call SUITE,publish)

e2e-check: all test-tools
	$(call SUITE,e2e)

sessions-check: all test-tools
	$(call SUITE,sessions)

cdn-check: all test-tools
	$(call SUITE,cdn)

fleet-check: all test-tools
	$(call SUITE,fleet)

docs-check: all
	$(call SUITE,docs)

package-check:
	$(call SUITE,package)

# What ./test.sh runs: each suite once under the checker that finds the
# most, so the whole run fits 15 minutes on 2 cores. Every suite under
# ASan+UBSan; the unit, integration and PAM suites under valgrind on the
# release build (the tree that ships); the docs on the release build.
# `make check` (release build, no checker) stays for developers, and
# `./test.sh --full` runs it as well. With make -j2 the longest job
# (valgrind's integration run, ~450 s) starts first; the other slot takes
# the sshd suites, valgrind's PAM and unit runs, then the sanitized
# lazy-module suites, whose integration run needs the integration lock
# valgrind's run holds (each suite runs once at a time on a host).
ci-check: valgrind-integration sanitize-sshd valgrind-pam valgrind-unit \
	sanitize-lazy docs-check

# The suites again with AddressSanitizer + UBSan (a separate tree), e2e
# included (the test sshd gets the sanitizer runtimes preloaded), and under
# valgrind.
SAN_CFLAGS = -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
	-fno-sanitize-recover=all
SAN_LIBS = $(shell $(CC) -print-file-name=libasan.so):$(shell $(CC) -print-file-name=libubsan.so)

# sshd itself is not instrumented: its own allocations are not ours to
# leak-check (detect_leaks=0 for it), the module's errors are reported.
SAN_SSHD_ENV = env LD_PRELOAD=$(SAN_LIBS) \
	ASAN_OPTIONS=log_path=/run/ak-reports/asan:detect_leaks=0:abort_on_error=0 \
	UBSAN_OPTIONS=log_path=/run/ak-reports/ubsan:print_stacktrace=1:halt_on_error=1

# The sshd suites run a module with libcurl and libcrypto linked in
# (PAM_NET=linked, its own tree): with the ASan runtime preloaded into a
# stock sshd, ASan initialises on the first malloc, and that comes inside
# the locked part of bindtextdomain in libgpg-error's constructor. ASan's
# start-up calls dlerror, hence dcgettext, which "unlocks" glibc's
# _nl_state_lock that thread holds; the real unlock after it leaves the
# lock with a reader count of -1 for the life of the process (gdb: 0x1
# without the runtime, 0xfffffff9 with it, at main). A library whose
# constructor calls bindtextdomain after the first gettext (gnutls, loaded
# with net.so) then waits for ever; pam_limits' setlocale did the same on
# __libc_setlocale_lock. Not ours and not seen without the runtime
# preloaded (LLVM issue 49223 is the same deadlock); the lazy loader gets
# its sanitized run in the unit, pam and integration suites.
sanitize-check: sanitize-lazy sanitize-sshd

# The shell suites use this tree's test tools (logsink, akdoc, blackhole,
# the PAM driver): made first, so each target works from a clean tree.
sanitize-lazy: test-tools
	AK_PAM_ENV="env LD_PRELOAD=$(SAN_LIBS)" $(MAKE) B=build-asan \
		CFLAGS="$(SAN_CFLAGS)" LDFLAGS="-fsanitize=address,undefined" \
		unit-check integration-check pam-check publish-check docs-check

sanitize-sshd: test-tools
	AK_PAM_ENV="env LD_PRELOAD=$(SAN_LIBS)" \
	AK_SSHD_ENV="$(SAN_SSHD_ENV)" $(MAKE) B=build-asan-linked \
		PAM_NET=linked CFLAGS="$(SAN_CFLAGS)" \
		LDFLAGS="-fsanitize=address,undefined" \
		e2e-check sessions-check cdn-check fleet-check

VALGRIND = valgrind --leak-check=full --errors-for-leak-kinds=definite \
	--error-exitcode=99

# Three parts that make -j2 runs side by side (each suite has its own
# mount namespace, store and syslog).
valgrind-check: valgrind-unit valgrind-integration valgrind-pam

valgrind-unit: all test-tools $(UNIT_BINS)
	@set -e; exec 9>/run/ak-suite-unit.lock; flock 9; \
		for t in $(UNIT_BINS); do echo "== valgrind $$t"; \
		(cd tests/unit && $(VALGRIND) -q ../../$$t >/dev/null 9>&-); done

valgrind-integration: all test-tools
	AK_WRAP="$(VALGRIND) --trace-children=yes --log-file=/run/ak-reports/vg.%p" \
		$(call SUITE,integration)

valgrind-pam: all test-tools
	AK_WRAP="$(VALGRIND) --log-file=/run/ak-reports/vg.%p" \
		$(call SUITE,pam)

install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(LIBEXECDIR)/authkeys \
		$(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8
	install -m 0755 $(COMMAND) $(DESTDIR)$(SBINDIR)/authkeys-command
	install -m 0755 $(HELPER) $(DESTDIR)$(LIBEXECDIR)/authkeys/authkeys-fetch
	install -m 0755 $(PUBLISH) $(DESTDIR)$(BINDIR)/authkeys-publish
	install -m 0755 $(REFRESH) $(DESTDIR)$(SBINDIR)/authkeys-refresh
	install -m 0755 $(SWEEP) $(DESTDIR)$(SBINDIR)/authkeys-sweep
	install -d $(DESTDIR)$(SYSTEMDUNITDIR)
	for u in authkeys-refresh.service authkeys-sweep.service \
	    authkeys-sweep.path authkeys-sweep.timer; do \
		sed 's|@SBINDIR@|$(SBINDIR)|g' conf/systemd/$$u \
			> $(DESTDIR)$(SYSTEMDUNITDIR)/$$u && \
		chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/$$u || exit 1; done
	install -d $(DESTDIR)$(PAMDIR)
	install -m 0644 $(PAMMOD) $(DESTDIR)$(PAMDIR)/pam_authkeys.so
	install -d $(DESTDIR)$(PAMDIR)/authkeys
	install -m 0644 $(NETSO) $(DESTDIR)$(PAMDIR)/authkeys/net.so
	install -m 0644 man/authkeys-publish.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 0644 man/authkeys.conf.5 $(DESTDIR)$(MANDIR)/man5/
	install -m 0644 man/authkeys-command.8 man/pam_authkeys.8 \
		man/authkeys-refresh.8 man/authkeys-sweep.8 \
		$(DESTDIR)$(MANDIR)/man8/
	install -d $(DESTDIR)$(SYSCONFDIR)/authkeys
	@# Never overwrite an existing configuration.
	@if [ ! -e $(DESTDIR)$(SYSCONFDIR)/authkeys/authkeys.conf ]; then \
		install -m 0644 conf/authkeys.conf \
			$(DESTDIR)$(SYSCONFDIR)/authkeys/authkeys.conf; fi

BANNED	= '\b(atoi|atol|sscanf|sprintf|vsprintf|strcpy|strcat|strtok|gets)[[:space:]]*\('

SRC_C	= lib/*.[ch] authkeys_cmd/*.[ch] pam_module/*.[ch] publish/*.[ch] \
	  refresh/*.[ch] sweep/*.[ch]

# Every check here can fail (CONTRIBUTING.md): banned calls, cppcheck, the
# KNF rules tools/knf-check holds (and a file of known faults it must
# catch), and one file each for curl and for OpenSSL.
lint:
	@if grep -nE $(BANNED) $(SRC_C); then \
		echo "lint: banned call (see STYLE.md)"; exit 1; fi
	cppcheck -q --enable=warning,portability --error-exitcode=1 \
		-D_GNU_SOURCE -Ilib -Iauthkeys_cmd -Ipublish -Irefresh -Isweep \
		lib authkeys_cmd pam_module publish refresh sweep
	tools/knf-check $(SRC_C)
	@n=$$(tools/knf-check tests/lint/bad.c | wc -l); [ "$$n" -eq 9 ] || \
		{ echo "lint: knf-check found $$n of 9 faults in tests/lint/bad.c"; \
		exit 1; }
	@c=$$(grep -l 'include <curl/' $(SRC_C)); [ "$$c" = lib/ak_fetch.c ] || \
		{ echo "lint: curl included by $$c (only lib/ak_fetch.c may)"; exit 1; }
	@c=$$(grep -l 'include <openssl/' $(SRC_C)); [ "$$c" = lib/ak_sshsig.c ] || \
		{ echo "lint: OpenSSL included by $$c (only lib/ak_sshsig.c may)"; \
		exit 1; }
	@echo "lint: all checks hold"

clean:
	rm -rf $(B) build-asan build-asan-linked build-fuzz

.PHONY: all check unit-check integration-check pam-check publish-check cdn-check \
	fleet-check ci-check \
	e2e-check docs-check package-check sanitize-check sanitize-lazy \
	sanitize-sshd valgrind-check \
	valgrind-unit valgrind-integration valgrind-pam install lint clean
.SECONDARY:

# libFuzzer targets, one per parser (clang). `make fuzz-check` runs each
# for FUZZ_SECONDS from the corpus in tests/fuzz/corpus/, then checks the
# key-line parser against ssh-keygen -lf (tests/fuzz/differential.sh).
FUZZ_CC	?= clang
FUZZ_SECONDS ?= 15
FUZZERS	= config keyline doc signers sshsig cache authinfo session userenv proc index \
	  krl pamstack pubsrc snap root
FUZZ_BINS = $(FUZZERS:%=build-fuzz/fuzz_%)
LIB_SRCS = $(CORE:%=lib/%.c) $(NET:%=lib/%.c)

FUZZ_CFLAGS = -D_GNU_SOURCE -Ilib -g -O1 -fno-sanitize-recover=all
FUZZ_OBJS = $(LIB_SRCS:lib/%.c=build-fuzz/obj/%.o)

# The library once (instrumented for coverage, not linked with libFuzzer's
# main), then each target against it.
build-fuzz/obj/%.o: lib/%.c
	@mkdir -p build-fuzz/obj
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link,address,undefined \
		-MMD -MP -c -o $@ $<

build-fuzz/libakfuzz.a: $(FUZZ_OBJS)
	$(AR) rcs $@ $^

build-fuzz/fuzz_%: tests/fuzz/fuzz_%.c build-fuzz/libakfuzz.a \
		tests/fuzz/fuzz_common.h
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer,address,undefined \
		-o $@ $< build-fuzz/libakfuzz.a $(CURL_LIBS) $(CRYPTO_LIBS)

-include $(wildcard build-fuzz/obj/*.d)

fuzz: $(FUZZ_BINS)

fuzz-check: $(FUZZ_BINS) $(B)/tests/keyfpr
	FUZZ_SECONDS=$(FUZZ_SECONDS) tests/fuzz/run.sh
	tests/fuzz/differential.sh

.PHONY: fuzz fuzz-check
