build-cov/obj/lib/ak_userenv.o: lib/ak_userenv.c lib/ak_err.h \
 lib/ak_userenv.h
lib/ak_err.h:
lib/ak_userenv.h:
