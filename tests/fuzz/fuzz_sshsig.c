/*
 * SSHSIG blobs against a fixed set of signers; the seed corpus holds real
 * ssh-keygen signatures of "message\n" by them.
 */
#include "fuzz_common.h"

#include <string.h>

#include "ak_signers.h"
#include "ak_sshsig.h"

static const char signers_text[] =
    "a ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMT3DXwn6lG/FC0T+vlcDPpV01+qaBhkt0H9fxPlC1kF\n"
    "b ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBPOqgoNrEpe7U+74dmOv63D3qm+O5wwHnxMKjvRn7eT5JfnlolbNY+Y4Gg0TtvkU5Nm5g2d1Y8OFjmOGfjUN0CE=\n";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ak_signers *s;

	fuzz_init();
	if (s == NULL && ak_signers_parse(signers_text, strlen(signers_text),
	    "fuzz", &s) != 0)
		return 0;
	(void)ak_sshsig_verify(data, size, "message\n", 8, "authkeys", s,
	    1700000000);
	return 0;
}
