build-cov/obj/tests/unit/test_config.o: tests/unit/test_config.c \
 tests/unit/testutil.h lib/ak_log.h lib/ak_config.h lib/ak_err.h \
 lib/ak_key.h lib/ak_url.h
tests/unit/testutil.h:
lib/ak_log.h:
lib/ak_config.h:
lib/ak_err.h:
lib/ak_key.h:
lib/ak_url.h:
