build-asan/obj/publish/main.o: publish/main.c lib/ak_config.h \
 lib/ak_doc.h lib/ak_err.h lib/ak_file.h lib/ak_log.h publish/publish.h
lib/ak_config.h:
lib/ak_doc.h:
lib/ak_err.h:
lib/ak_file.h:
lib/ak_log.h:
publish/publish.h:
