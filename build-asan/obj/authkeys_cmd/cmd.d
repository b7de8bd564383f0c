build-asan/obj/authkeys_cmd/cmd.o: authkeys_cmd/cmd.c lib/ak_config.h \
 lib/ak_err.h lib/ak_key.h lib/ak_log.h lib/ak_policy.h lib/ak_config.h \
 lib/ak_doc.h lib/ak_key.h authkeys_cmd/cmd.h lib/ak_doc.h
lib/ak_config.h:
lib/ak_err.h:
lib/ak_key.h:
lib/ak_log.h:
lib/ak_policy.h:
lib/ak_config.h:
lib/ak_doc.h:
lib/ak_key.h:
authkeys_cmd/cmd.h:
lib/ak_doc.h:
