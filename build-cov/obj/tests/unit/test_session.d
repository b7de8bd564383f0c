build-cov/obj/tests/unit/test_session.o: tests/unit/test_session.c \
 tests/unit/testutil.h lib/ak_log.h lib/ak_err.h lib/ak_session.h \
 lib/ak_key.h
tests/unit/testutil.h:
lib/ak_log.h:
lib/ak_err.h:
lib/ak_session.h:
lib/ak_key.h:
