build-cov/obj/lib/ak_index.o: lib/ak_index.c lib/ak_b64.h lib/ak_err.h \
 lib/ak_file.h lib/ak_index.h lib/ak_doc.h lib/ak_key.h lib/ak_valid.h
lib/ak_b64.h:
lib/ak_err.h:
lib/ak_file.h:
lib/ak_index.h:
lib/ak_doc.h:
lib/ak_key.h:
lib/ak_valid.h:
