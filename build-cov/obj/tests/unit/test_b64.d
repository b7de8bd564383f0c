build-cov/obj/tests/unit/test_b64.o: tests/unit/test_b64.c \
 tests/unit/testutil.h lib/ak_log.h lib/ak_b64.h
tests/unit/testutil.h:
lib/ak_log.h:
lib/ak_b64.h:
