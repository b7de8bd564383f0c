build-cov/obj/tests/unit/test_doc.o: tests/unit/test_doc.c \
 tests/unit/testutil.h lib/ak_log.h lib/ak_doc.h lib/ak_err.h \
 lib/ak_time.h
tests/unit/testutil.h:
lib/ak_log.h:
lib/ak_doc.h:
lib/ak_err.h:
lib/ak_time.h:
