build-cov/obj/tests/unit/test_krl.o: tests/unit/test_krl.c \
 tests/unit/testutil.h lib/ak_log.h lib/ak_doc.h lib/ak_err.h \
 lib/ak_file.h lib/ak_krl.h lib/ak_policy.h lib/ak_config.h lib/ak_doc.h \
 lib/ak_key.h lib/ak_policy.h
tests/unit/testutil.h:
lib/ak_log.h:
lib/ak_doc.h:
lib/ak_err.h:
lib/ak_file.h:
lib/ak_krl.h:
lib/ak_policy.h:
lib/ak_config.h:
lib/ak_doc.h:
lib/ak_key.h:
lib/ak_policy.h:
