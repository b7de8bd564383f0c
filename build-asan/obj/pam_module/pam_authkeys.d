build-asan/obj/pam_module/pam_authkeys.o: pam_module/pam_authkeys.c \
 lib/ak_config.h lib/ak_err.h lib/ak_log.h lib/ak_authinfo.h \
 lib/ak_config.h lib/ak_doc.h lib/ak_key.h lib/ak_policy.h \
 lib/ak_resolve.h lib/ak_signers.h
lib/ak_config.h:
lib/ak_err.h:
lib/ak_log.h:
lib/ak_authinfo.h:
lib/ak_config.h:
lib/ak_doc.h:
lib/ak_key.h:
lib/ak_policy.h:
lib/ak_resolve.h:
lib/ak_signers.h:
