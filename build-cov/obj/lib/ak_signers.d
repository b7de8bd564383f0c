build-cov/obj/lib/ak_signers.o: lib/ak_signers.c lib/ak_err.h \
 lib/ak_file.h lib/ak_key.h lib/ak_log.h lib/ak_signers.h lib/ak_valid.h
lib/ak_err.h:
lib/ak_file.h:
lib/ak_key.h:
lib/ak_log.h:
lib/ak_signers.h:
lib/ak_valid.h:
