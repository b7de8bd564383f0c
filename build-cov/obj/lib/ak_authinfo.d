build-cov/obj/lib/ak_authinfo.o: lib/ak_authinfo.c lib/ak_authinfo.h \
 lib/ak_config.h lib/ak_doc.h lib/ak_key.h lib/ak_policy.h lib/ak_err.h \
 lib/ak_valid.h
lib/ak_authinfo.h:
lib/ak_config.h:
lib/ak_doc.h:
lib/ak_key.h:
lib/ak_policy.h:
lib/ak_err.h:
lib/ak_valid.h:
