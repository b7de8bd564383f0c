build-cov/obj/lib/ak_fresh.o: lib/ak_fresh.c lib/ak_err.h lib/ak_file.h \
 lib/ak_fresh.h lib/ak_config.h lib/ak_key.h lib/ak_valid.h
lib/ak_err.h:
lib/ak_file.h:
lib/ak_fresh.h:
lib/ak_config.h:
lib/ak_key.h:
lib/ak_valid.h:
