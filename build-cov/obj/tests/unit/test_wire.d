build-cov/obj/tests/unit/test_wire.o: tests/unit/test_wire.c \
 tests/unit/testutil.h lib/ak_log.h lib/ak_err.h lib/ak_wire.h
tests/unit/testutil.h:
lib/ak_log.h:
lib/ak_err.h:
lib/ak_wire.h:
