build-cov/obj/tests/unit/test_fetch.o: tests/unit/test_fetch.c \
 tests/unit/testutil.h lib/ak_log.h lib/ak_err.h lib/ak_fetch.h \
 lib/ak_limits.h lib/ak_time.h
tests/unit/testutil.h:
lib/ak_log.h:
lib/ak_err.h:
lib/ak_fetch.h:
lib/ak_limits.h:
lib/ak_time.h:
