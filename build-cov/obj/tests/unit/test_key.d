build-cov/obj/tests/unit/test_key.o: tests/unit/test_key.c \
 tests/unit/testutil.h lib/ak_log.h lib/ak_b64.h lib/ak_err.h \
 lib/ak_key.h lib/ak_valid.h
tests/unit/testutil.h:
lib/ak_log.h:
lib/ak_b64.h:
lib/ak_err.h:
lib/ak_key.h:
lib/ak_valid.h:
