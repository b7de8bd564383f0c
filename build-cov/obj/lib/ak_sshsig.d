build-cov/obj/lib/ak_sshsig.o: lib/ak_sshsig.c lib/ak_err.h lib/ak_key.h \
 lib/ak_signers.h lib/ak_sshsig.h lib/ak_doc.h lib/ak_wire.h
lib/ak_err.h:
lib/ak_key.h:
lib/ak_signers.h:
lib/ak_sshsig.h:
lib/ak_doc.h:
lib/ak_wire.h:
