build-cov/obj/lib/ak_krl.o: lib/ak_krl.c lib/ak_b64.h lib/ak_err.h \
 lib/ak_file.h lib/ak_key.h lib/ak_krl.h lib/ak_policy.h lib/ak_config.h \
 lib/ak_doc.h lib/ak_log.h lib/ak_wire.h
lib/ak_b64.h:
lib/ak_err.h:
lib/ak_file.h:
lib/ak_key.h:
lib/ak_krl.h:
lib/ak_policy.h:
lib/ak_config.h:
lib/ak_doc.h:
lib/ak_log.h:
lib/ak_wire.h:
