build-cov/obj/lib/ak_err.o: lib/ak_err.c lib/ak_err.h
lib/ak_err.h:
