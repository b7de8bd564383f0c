build-cov/obj/lib/ak_key.o: lib/ak_key.c lib/ak_b64.h lib/ak_err.h \
 lib/ak_key.h lib/ak_sha256.h lib/ak_valid.h lib/ak_wire.h
lib/ak_b64.h:
lib/ak_err.h:
lib/ak_key.h:
lib/ak_sha256.h:
lib/ak_valid.h:
lib/ak_wire.h:
