build-asan/obj/lib/ak_fetch.o: lib/ak_fetch.c lib/ak_err.h lib/ak_fetch.h \
 lib/ak_cache.h lib/ak_config.h lib/ak_doc.h lib/ak_log.h
lib/ak_err.h:
lib/ak_fetch.h:
lib/ak_cache.h:
lib/ak_config.h:
lib/ak_doc.h:
lib/ak_log.h:
