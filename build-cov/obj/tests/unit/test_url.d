build-cov/obj/tests/unit/test_url.o: tests/unit/test_url.c \
 tests/unit/testutil.h lib/ak_log.h lib/ak_err.h lib/ak_url.h
tests/unit/testutil.h:
lib/ak_log.h:
lib/ak_err.h:
lib/ak_url.h:
