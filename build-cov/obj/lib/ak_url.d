build-cov/obj/lib/ak_url.o: lib/ak_url.c lib/ak_err.h lib/ak_url.h
lib/ak_err.h:
lib/ak_url.h:
