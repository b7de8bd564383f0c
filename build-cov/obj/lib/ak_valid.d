build-cov/obj/lib/ak_valid.o: lib/ak_valid.c lib/ak_b64.h lib/ak_key.h \
 lib/ak_valid.h
lib/ak_b64.h:
lib/ak_key.h:
lib/ak_valid.h:
