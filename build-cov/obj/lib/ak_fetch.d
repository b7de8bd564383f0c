build-cov/obj/lib/ak_fetch.o: lib/ak_fetch.c lib/ak_err.h lib/ak_fetch.h \
 lib/ak_limits.h lib/ak_file.h lib/ak_log.h
lib/ak_err.h:
lib/ak_fetch.h:
lib/ak_limits.h:
lib/ak_file.h:
lib/ak_log.h:
