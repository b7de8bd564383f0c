build-asan/obj/authkeys_cmd/helper.o: authkeys_cmd/helper.c \
 lib/ak_config.h lib/ak_err.h lib/ak_log.h lib/ak_resolve.h \
 lib/ak_config.h lib/ak_doc.h lib/ak_policy.h lib/ak_key.h \
 lib/ak_signers.h authkeys_cmd/check.h authkeys_cmd/cmd.h lib/ak_doc.h \
 lib/ak_policy.h
lib/ak_config.h:
lib/ak_err.h:
lib/ak_log.h:
lib/ak_resolve.h:
lib/ak_config.h:
lib/ak_doc.h:
lib/ak_policy.h:
lib/ak_key.h:
lib/ak_signers.h:
authkeys_cmd/check.h:
authkeys_cmd/cmd.h:
lib/ak_doc.h:
lib/ak_policy.h:
