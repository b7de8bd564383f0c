/* authkeys-sweep: ending live sessions of keys that are no longer allowed. */
#ifndef AK_SWEEP_H
#define AK_SWEEP_H

#include "ak_config.h"

/* One sweep over the session records. Returns the exit status. */
int sweep_run(const struct ak_config *cfg);

#endif
