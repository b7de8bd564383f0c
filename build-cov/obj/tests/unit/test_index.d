build-cov/obj/tests/unit/test_index.o: tests/unit/test_index.c \
 tests/unit/testutil.h lib/ak_log.h lib/ak_doc.h lib/ak_err.h \
 lib/ak_index.h lib/ak_doc.h lib/ak_key.h
tests/unit/testutil.h:
lib/ak_log.h:
lib/ak_doc.h:
lib/ak_err.h:
lib/ak_index.h:
lib/ak_doc.h:
lib/ak_key.h:
