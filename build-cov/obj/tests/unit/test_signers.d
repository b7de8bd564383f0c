build-cov/obj/tests/unit/test_signers.o: tests/unit/test_signers.c \
 tests/unit/testutil.h lib/ak_log.h lib/ak_err.h lib/ak_key.h \
 lib/ak_signers.h lib/ak_key.h
tests/unit/testutil.h:
lib/ak_log.h:
lib/ak_err.h:
lib/ak_key.h:
lib/ak_signers.h:
lib/ak_key.h:
