build-cov/obj/tests/unit/test_time.o: tests/unit/test_time.c \
 tests/unit/testutil.h lib/ak_log.h lib/ak_err.h lib/ak_time.h
tests/unit/testutil.h:
lib/ak_log.h:
lib/ak_err.h:
lib/ak_time.h:
