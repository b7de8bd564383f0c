/*
 * SSHSIG blobs against a fixed set of signers (ed25519, ECDSA P-256/384/521,
 * RSA 3072, and the FIDO keys tests/sksig makes); the seed corpus holds
 * real ssh-keygen -Y sign blobs of "message\n" by each of them, SHA-256
 * and SHA-512, and sksig's sk-ed25519, sk-ecdsa and webauthn ones, so
 * mutations reach the signature checks of every key type, not only the
 * parser.
 */
#include "fuzz_common.h"

#include <string.h>

#include "ak_signers.h"
#include "ak_sshsig.h"

static const char signers_text[] =
    "ed25519 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIR3RmJ1mSSvMXIMqMCS"
    "1i1HKIXH1yZ6+a9n8ENCXQq4\n"
    "p256 ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbml"
    "zdHAyNTYAAABBBCB6ud6YYuTF+qIABWJvw8EzoUe5gXA3w+cGF2yohf+luk5yc/6"
    "0X1YLKw0t6yfQJJGyJsuhQeyF7RDB8adrGOQ=\n"
    "p384 ecdsa-sha2-nistp384 AAAAE2VjZHNhLXNoYTItbmlzdHAzODQAAAAIbml"
    "zdHAzODQAAABhBOe6BLl9Lik5OkDWtvXAkaPgAV2t3UWnwDB0OSOY38vOIknc+Nq"
    "AjajFFObe4Pm3Nf35xrr6+T7dmerNhDOzCCfsDPpd2yBN1M0pXj+mOa6ME8ooXSS"
    "vGDp8rp8LWFYHkA==\n"
    "p521 ecdsa-sha2-nistp521 AAAAE2VjZHNhLXNoYTItbmlzdHA1MjEAAAAIbml"
    "zdHA1MjEAAACFBAAuqLECJWWHItSGM5BAafDIE9vPWKp8aStJAddO+19yuCEdbkX"
    "3jntCY2zWccn3VrsX3gKnhFXiEVD9sB0Nrxs0SAASL6e3/DFvW08WjafYmeLCzhl"
    "lSrDNZVa6FqI6uVLLRO5p55XxQj1IYY0yaHwwGn3G9GfxLl0ECqzjhjLyy3AY5g="
    "=\n"
    "rsa ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABgQDYKO83nEs8AOMNwFGPAlsU"
    "ouK0aRCK4NK+byTWvwik9CN64E6NfkP60zvpymDEb/kOvdh7kipXklx8HU/hIc4h"
    "3CTIA5hntT0Qv8wuWuU83/zMHOZqLdJVToNFUgnz38MF6pIgHiRE+tSqyB96gogO"
    "k7qM0IhiCvDqDaY6oEWm/Fk8iVTv8sLYY+5JE4yRsUw1W1kKjD6OXFs5/8miEhHJ"
    "X034LRzfDRcgLSwQs2XETA8mVLuo+q38FtEI74liDOFFkQC2ysd4gPohsldj2SBE"
    "dAek5Qsu2sNZLCKW+SUizqi8sDULpYfQFl6SERxq/lS3V71qhCWkrHZ+/jsqIbNo"
    "XdFuxg/Spye+Z0p9NbZGi+UtPjpMIGEkBknunjTIEs4+nA9qOTcLWy3BE7mwRAt5"
    "6kTxk1lm1JgAwggrWi07VlpqsNqSgAuwLx1og9F59qqMgf2CmXa9xbjrNnFSRpwH"
    "fJMAk0DmaveQE5miY2LWweMYJk0pW68BiyhQ4xA+d9c=\n"
    "sk sk-ssh-ed25519@openssh.com AAAAGnNrLXNzaC1lZDI1NTE5QG9wZW5zc2gu"
    "Y29tAAAAIG+gi3EmN3lni4OcuXZjFJYjDedzfSXfKU9AP5ITTSY+AAAABHNzaDo=\n"
    "sk sk-ecdsa-sha2-nistp256@openssh.com AAAAInNrLWVjZHNhLXNoYTItbmlz"
    "dHAyNTZAb3BlbnNzaC5jb20AAAAIbmlzdHAyNTYAAABBBLjDNukJZVHnmaVYe9xVLF8"
    "P5Pix3mmlQ8+ReHyO12DK+s4nLjdgspEi9fvQS2oFxnnBp3jW/GCQ34KEq4mSP6sAAA"
    "AEc3NoOg==\n";

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
