/*
 * What the sweep reads of other processes: /proc/PID/stat, ids, status
 * (uids), cgroup.
 */
#include "fuzz_common.h"

#include <string.h>

#include "ak_cgroup.h"
#include "ak_proc.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ak_proc p;
	char buf[4096], out[512];
	uint32_t ruid, suid;
	int v2;

	fuzz_init();
	if (size >= sizeof(buf))
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	(void)ak_proc_parse_stat(buf, &p);
	(void)ak_cgroup_parse(buf, out, sizeof(out), &v2);
	(void)ak_cgroup_dir_ok(buf);
	(void)ak_proc_parse_id(buf);
	(void)ak_proc_parse_uids(buf, &ruid, &suid);
	return 0;
}
