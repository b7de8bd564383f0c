build-cov/obj/tests/unit/test_resolve.o: tests/unit/test_resolve.c \
 tests/unit/testutil.h lib/ak_log.h tests/unit/storeutil.h \
 lib/ak_config.h lib/ak_doc.h lib/ak_fetch.h lib/ak_limits.h \
 lib/ak_time.h tests/unit/httputil.h lib/ak_cache.h lib/ak_config.h \
 lib/ak_doc.h lib/ak_err.h lib/ak_fresh.h lib/ak_index.h lib/ak_resolve.h \
 lib/ak_fetch.h lib/ak_fresh.h lib/ak_policy.h lib/ak_key.h \
 lib/ak_signers.h
tests/unit/testutil.h:
lib/ak_log.h:
tests/unit/storeutil.h:
lib/ak_config.h:
lib/ak_doc.h:
lib/ak_fetch.h:
lib/ak_limits.h:
lib/ak_time.h:
tests/unit/httputil.h:
lib/ak_cache.h:
lib/ak_config.h:
lib/ak_doc.h:
lib/ak_err.h:
lib/ak_fresh.h:
lib/ak_index.h:
lib/ak_resolve.h:
lib/ak_fetch.h:
lib/ak_fresh.h:
lib/ak_policy.h:
lib/ak_key.h:
lib/ak_signers.h:
