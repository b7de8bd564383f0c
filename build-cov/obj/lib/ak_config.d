build-cov/obj/lib/ak_config.o: lib/ak_config.c lib/ak_config.h \
 lib/ak_err.h lib/ak_file.h lib/ak_key.h lib/ak_log.h lib/ak_valid.h
lib/ak_config.h:
lib/ak_err.h:
lib/ak_file.h:
lib/ak_key.h:
lib/ak_log.h:
lib/ak_valid.h:
