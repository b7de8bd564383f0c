build-cov/obj/tests/unit/test_userenv.o: tests/unit/test_userenv.c \
 tests/unit/testutil.h lib/ak_log.h lib/ak_err.h lib/ak_userenv.h
tests/unit/testutil.h:
lib/ak_log.h:
lib/ak_err.h:
lib/ak_userenv.h:
