build-cov/obj/tests/unit/test_pamstack.o: tests/unit/test_pamstack.c \
 tests/unit/testutil.h lib/ak_log.h lib/ak_err.h lib/ak_pamstack.h
tests/unit/testutil.h:
lib/ak_log.h:
lib/ak_err.h:
lib/ak_pamstack.h:
