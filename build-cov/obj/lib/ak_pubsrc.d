build-cov/obj/lib/ak_pubsrc.o: lib/ak_pubsrc.c lib/ak_b64.h lib/ak_err.h \
 lib/ak_key.h lib/ak_pubsrc.h lib/ak_wire.h
lib/ak_b64.h:
lib/ak_err.h:
lib/ak_key.h:
lib/ak_pubsrc.h:
lib/ak_wire.h:
