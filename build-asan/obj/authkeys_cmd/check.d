build-asan/obj/authkeys_cmd/check.o: authkeys_cmd/check.c lib/ak_config.h \
 lib/ak_doc.h lib/ak_err.h lib/ak_file.h lib/ak_resolve.h lib/ak_config.h \
 lib/ak_doc.h lib/ak_policy.h lib/ak_key.h lib/ak_signers.h \
 authkeys_cmd/check.h authkeys_cmd/cmd.h lib/ak_policy.h
lib/ak_config.h:
lib/ak_doc.h:
lib/ak_err.h:
lib/ak_file.h:
lib/ak_resolve.h:
lib/ak_config.h:
lib/ak_doc.h:
lib/ak_policy.h:
lib/ak_key.h:
lib/ak_signers.h:
authkeys_cmd/check.h:
authkeys_cmd/cmd.h:
lib/ak_policy.h:
