build-cov/obj/tests/unit/test_sha256.o: tests/unit/test_sha256.c \
 tests/unit/testutil.h lib/ak_log.h lib/ak_sha256.h
tests/unit/testutil.h:
lib/ak_log.h:
lib/ak_sha256.h:
