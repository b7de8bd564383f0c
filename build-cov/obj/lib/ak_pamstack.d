build-cov/obj/lib/ak_pamstack.o: lib/ak_pamstack.c lib/ak_err.h \
 lib/ak_file.h lib/ak_pamstack.h
lib/ak_err.h:
lib/ak_file.h:
lib/ak_pamstack.h:
