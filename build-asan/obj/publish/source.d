build-asan/obj/publish/source.o: publish/source.c lib/ak_doc.h \
 lib/ak_err.h lib/ak_file.h lib/ak_key.h lib/ak_policy.h lib/ak_config.h \
 lib/ak_doc.h lib/ak_key.h publish/publish.h lib/ak_config.h
lib/ak_doc.h:
lib/ak_err.h:
lib/ak_file.h:
lib/ak_key.h:
lib/ak_policy.h:
lib/ak_config.h:
lib/ak_doc.h:
lib/ak_key.h:
publish/publish.h:
lib/ak_config.h:
