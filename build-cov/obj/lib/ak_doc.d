build-cov/obj/lib/ak_doc.o: lib/ak_doc.c lib/ak_b64.h lib/ak_doc.h \
 lib/ak_err.h lib/ak_key.h lib/ak_time.h lib/ak_valid.h
lib/ak_b64.h:
lib/ak_doc.h:
lib/ak_err.h:
lib/ak_key.h:
lib/ak_time.h:
lib/ak_valid.h:
