build-cov/obj/lib/ak_file.o: lib/ak_file.c lib/ak_err.h lib/ak_file.h
lib/ak_err.h:
lib/ak_file.h:
