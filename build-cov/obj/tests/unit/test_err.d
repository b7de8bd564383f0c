build-cov/obj/tests/unit/test_err.o: tests/unit/test_err.c \
 tests/unit/testutil.h lib/ak_log.h lib/ak_err.h
tests/unit/testutil.h:
lib/ak_log.h:
lib/ak_err.h:
