build-cov/obj/lib/ak_policy.o: lib/ak_policy.c lib/ak_config.h \
 lib/ak_doc.h lib/ak_err.h lib/ak_key.h lib/ak_log.h lib/ak_policy.h \
 lib/ak_valid.h
lib/ak_config.h:
lib/ak_doc.h:
lib/ak_err.h:
lib/ak_key.h:
lib/ak_log.h:
lib/ak_policy.h:
lib/ak_valid.h:
