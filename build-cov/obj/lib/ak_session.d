build-cov/obj/lib/ak_session.o: lib/ak_session.c lib/ak_err.h \
 lib/ak_file.h lib/ak_key.h lib/ak_session.h lib/ak_valid.h
lib/ak_err.h:
lib/ak_file.h:
lib/ak_key.h:
lib/ak_session.h:
lib/ak_valid.h:
