build-cov/obj/lib/ak_time.o: lib/ak_time.c lib/ak_err.h lib/ak_time.h \
 lib/ak_valid.h
lib/ak_err.h:
lib/ak_time.h:
lib/ak_valid.h:
