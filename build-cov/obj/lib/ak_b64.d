build-cov/obj/lib/ak_b64.o: lib/ak_b64.c lib/ak_b64.h
lib/ak_b64.h:
