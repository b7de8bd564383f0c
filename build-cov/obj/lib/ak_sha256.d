build-cov/obj/lib/ak_sha256.o: lib/ak_sha256.c lib/ak_sha256.h
lib/ak_sha256.h:
