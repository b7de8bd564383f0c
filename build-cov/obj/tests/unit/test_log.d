build-cov/obj/tests/unit/test_log.o: tests/unit/test_log.c \
 tests/unit/testutil.h lib/ak_log.h
tests/unit/testutil.h:
lib/ak_log.h:
