build-cov/obj/lib/ak_wire.o: lib/ak_wire.c lib/ak_err.h lib/ak_wire.h
lib/ak_err.h:
lib/ak_wire.h:
