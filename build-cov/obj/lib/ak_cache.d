build-cov/obj/lib/ak_cache.o: lib/ak_cache.c lib/ak_cache.h \
 lib/ak_config.h lib/ak_doc.h lib/ak_limits.h lib/ak_err.h lib/ak_file.h \
 lib/ak_key.h lib/ak_time.h lib/ak_valid.h
lib/ak_cache.h:
lib/ak_config.h:
lib/ak_doc.h:
lib/ak_limits.h:
lib/ak_err.h:
lib/ak_file.h:
lib/ak_key.h:
lib/ak_time.h:
lib/ak_valid.h:
