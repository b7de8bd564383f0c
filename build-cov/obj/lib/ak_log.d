build-cov/obj/lib/ak_log.o: lib/ak_log.c lib/ak_log.h
lib/ak_log.h:
