build-cov/obj/tests/unit/test_pubsrc.o: tests/unit/test_pubsrc.c \
 tests/unit/testutil.h lib/ak_log.h lib/ak_err.h lib/ak_key.h \
 lib/ak_pubsrc.h
tests/unit/testutil.h:
lib/ak_log.h:
lib/ak_err.h:
lib/ak_key.h:
lib/ak_pubsrc.h:
