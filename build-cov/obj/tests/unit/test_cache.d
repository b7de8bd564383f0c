build-cov/obj/tests/unit/test_cache.o: tests/unit/test_cache.c \
 tests/unit/testutil.h lib/ak_log.h lib/ak_cache.h lib/ak_config.h \
 lib/ak_doc.h lib/ak_limits.h lib/ak_config.h lib/ak_err.h lib/ak_file.h \
 lib/ak_fresh.h lib/ak_time.h
tests/unit/testutil.h:
lib/ak_log.h:
lib/ak_cache.h:
lib/ak_config.h:
lib/ak_doc.h:
lib/ak_limits.h:
lib/ak_config.h:
lib/ak_err.h:
lib/ak_file.h:
lib/ak_fresh.h:
lib/ak_time.h:
