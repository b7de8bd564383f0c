build-cov/obj/lib/ak_resolve.o: lib/ak_resolve.c lib/ak_cache.h \
 lib/ak_config.h lib/ak_doc.h lib/ak_limits.h lib/ak_err.h lib/ak_fetch.h \
 lib/ak_file.h lib/ak_index.h lib/ak_krl.h lib/ak_policy.h lib/ak_key.h \
 lib/ak_log.h lib/ak_resolve.h lib/ak_fresh.h lib/ak_signers.h \
 lib/ak_sshsig.h lib/ak_time.h lib/ak_url.h
lib/ak_cache.h:
lib/ak_config.h:
lib/ak_doc.h:
lib/ak_limits.h:
lib/ak_err.h:
lib/ak_fetch.h:
lib/ak_file.h:
lib/ak_index.h:
lib/ak_krl.h:
lib/ak_policy.h:
lib/ak_key.h:
lib/ak_log.h:
lib/ak_resolve.h:
lib/ak_fresh.h:
lib/ak_signers.h:
lib/ak_sshsig.h:
lib/ak_time.h:
lib/ak_url.h:
