build-cov/obj/tests/unit/test_fresh.o: tests/unit/test_fresh.c \
 tests/unit/testutil.h lib/ak_log.h lib/ak_config.h lib/ak_err.h \
 lib/ak_fresh.h lib/ak_config.h
tests/unit/testutil.h:
lib/ak_log.h:
lib/ak_config.h:
lib/ak_err.h:
lib/ak_fresh.h:
lib/ak_config.h:
