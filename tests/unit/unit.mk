# cmocka unit tests: one file per core module.
UNIT	= test_root test_match test_differential test_fetch_lazy test_snap test_accounts test_chain test_buf test_local test_proc test_b64 test_sha256 test_key test_config test_sshsig test_doc test_keyset test_cache test_userenv test_pamstack test_fresh test_krl test_session test_index test_resolve test_authinfo \
	  test_signers test_fetch test_pubsrc test_valid test_time test_url \
	  test_wire test_err test_log test_file test_faults
UNIT_BINS = $(UNIT:%=$(B)/tests/%)

$(B)/tests/%: $(O)/tests/unit/%.o $(B)/libaknet.a $(B)/libakcore.a
	@mkdir -p $(dir $@)
	$(CC) $(AK_CFLAGS) $(CFLAGS) $(AK_LDFLAGS) $(LDFLAGS) -o $@ $^ \
		$(CMOCKA_LIBS) $(CURL_LIBS) $(CRYPTO_LIBS)

# Failure injection: the core's calls to these fail on demand (test_faults.c).
FAULT_WRAP = malloc calloc realloc reallocarray strdup strndup read pread \
	write rename fsync curl_easy_init curl_slist_append curl_easy_perform

$(B)/tests/test_faults: $(O)/tests/unit/test_faults.o $(B)/libaknet.a \
		$(B)/libakcore.a
	@mkdir -p $(dir $@)
	$(CC) $(AK_CFLAGS) $(CFLAGS) $(AK_LDFLAGS) $(LDFLAGS) \
		$(FAULT_WRAP:%=-Wl,--wrap=%) -o $@ $^ \
		$(CMOCKA_LIBS) $(CURL_LIBS) $(CRYPTO_LIBS)

# NSS answers injected for ak_accounts (test_accounts.c): a group line
# longer than any first buffer (ERANGE), and a directory that errs.
$(B)/tests/test_accounts: $(O)/tests/unit/test_accounts.o $(B)/libaknet.a \
		$(B)/libakcore.a
	@mkdir -p $(dir $@)
	$(CC) $(AK_CFLAGS) $(CFLAGS) $(AK_LDFLAGS) $(LDFLAGS) \
		-Wl,--wrap=getgrnam_r -o $@ $^ \
		$(CMOCKA_LIBS) $(CURL_LIBS) $(CRYPTO_LIBS)

# Linked as the PAM module is (ak_fetch_lazy.o, no libcurl, no libcrypto);
# it loads the tree's net.so, and a table of another version.
$(B)/tests/test_fetch_lazy: $(O)/tests/unit/test_fetch_lazy.o \
		$(O)/lib/ak_fetch_lazy.o $(B)/libaknet.a $(B)/libakcore.a | \
		$(NETSO) $(B)/tests/oldnet.so
	@mkdir -p $(dir $@)
	$(CC) $(AK_CFLAGS) $(CFLAGS) $(AK_LDFLAGS) $(LDFLAGS) -o $@ $^ \
		$(CMOCKA_LIBS) -ldl

$(B)/tests/oldnet.so: tests/tools/oldnet.c lib/ak_net.h
	@mkdir -p $(dir $@)
	$(CC) $(AK_CPPFLAGS) $(AK_CFLAGS) $(CFLAGS) -shared $(LDFLAGS) -o $@ $<

# The differential test runs the built programs and libpam's driver.
$(B)/tests/test_differential: | $(PROGS) $(B)/tests/pam_driver
$(B)/tests/test_sshsig: | $(B)/tests/sksig

unit-check: $(UNIT_BINS)
	@set -e; exec 9>/run/ak-suite-unit.lock; flock 9; \
		for t in $(UNIT_BINS); do echo "== $$t"; \
		(cd tests/unit && ../../$$t 9>&-); done

$(B)/tests/blackhole: tests/tools/blackhole.c
	@mkdir -p $(dir $@)
	$(CC) $(AK_CPPFLAGS) $(AK_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $<

$(B)/tests/logsink: tests/tools/logsink.c
	@mkdir -p $(dir $@)
	$(CC) $(AK_CPPFLAGS) $(AK_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $<

$(B)/tests/pam_driver: tests/tools/pam_driver.c
	@mkdir -p $(dir $@)
	$(CC) $(AK_CPPFLAGS) $(AK_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< -lpam -ldl

$(B)/tests/nss_caseless.so: tests/tools/nss_caseless.c
	@mkdir -p $(dir $@)
	$(CC) $(AK_CPPFLAGS) $(AK_CFLAGS) $(CFLAGS) -shared $(LDFLAGS) -o $@ $< -ldl

$(B)/tests/nss_broken.so: tests/tools/nss_broken.c
	@mkdir -p $(dir $@)
	$(CC) $(AK_CPPFLAGS) $(AK_CFLAGS) $(CFLAGS) -shared $(LDFLAGS) -o $@ $< -ldl

$(B)/tests/delayproxy: tests/tools/delayproxy.c
	@mkdir -p $(dir $@)
	$(CC) $(AK_CPPFLAGS) -std=c11 -Wall -Wextra $(WERROR) $(CFLAGS) $(LDFLAGS) -o $@ $<

$(B)/tests/akdoc: $(O)/tests/tools/akdoc.o $(B)/libakcore.a
	@mkdir -p $(dir $@)
	$(CC) $(AK_CFLAGS) $(CFLAGS) $(AK_LDFLAGS) $(LDFLAGS) -o $@ $^

$(B)/tests/keyfpr: $(O)/tests/tools/keyfpr.o $(B)/libaknet.a $(B)/libakcore.a
	@mkdir -p $(dir $@)
	$(CC) $(AK_CFLAGS) $(CFLAGS) $(AK_LDFLAGS) $(LDFLAGS) -o $@ $^ \
		$(CRYPTO_LIBS)

$(B)/tests/sksig: $(O)/tests/tools/sksig.o $(B)/libakcore.a
	@mkdir -p $(dir $@)
	$(CC) $(AK_CFLAGS) $(CFLAGS) $(AK_LDFLAGS) $(LDFLAGS) -o $@ $^ \
		$(CRYPTO_LIBS)

TEST_TOOLS = $(B)/tests/procs $(B)/tests/sksig $(B)/tests/keyfpr $(B)/tests/akdoc $(B)/tests/blackhole $(B)/tests/logsink $(B)/tests/pam_driver \
	$(B)/tests/nss_caseless.so $(B)/tests/nss_broken.so \
	$(B)/tests/delayproxy $(B)/tests/forkloop

test-tools: $(TEST_TOOLS)
.PHONY: test-tools

$(B)/tests/procs: tests/tools/procs.c
	@mkdir -p $(dir $@)
	$(CC) $(AK_CPPFLAGS) $(AK_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $<

$(B)/tests/forkloop: tests/tools/forkloop.c
	@mkdir -p $(dir $@)
	$(CC) $(AK_CPPFLAGS) $(AK_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $<
