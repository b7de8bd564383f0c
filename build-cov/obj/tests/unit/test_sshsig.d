build-cov/obj/tests/unit/test_sshsig.o: tests/unit/test_sshsig.c \
 tests/unit/testutil.h lib/ak_log.h lib/ak_b64.h lib/ak_doc.h \
 lib/ak_err.h lib/ak_signers.h lib/ak_key.h lib/ak_sshsig.h lib/ak_doc.h \
 lib/ak_signers.h
tests/unit/testutil.h:
lib/ak_log.h:
lib/ak_b64.h:
lib/ak_doc.h:
lib/ak_err.h:
lib/ak_signers.h:
lib/ak_key.h:
lib/ak_sshsig.h:
lib/ak_doc.h:
lib/ak_signers.h:
