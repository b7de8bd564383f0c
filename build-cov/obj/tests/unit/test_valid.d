build-cov/obj/tests/unit/test_valid.o: tests/unit/test_valid.c \
 tests/unit/testutil.h lib/ak_log.h lib/ak_valid.h
tests/unit/testutil.h:
lib/ak_log.h:
lib/ak_valid.h:
