#include <stdio.h>

static int helper(void);


int f(int x)
{
        int y = x; 
	// a C++ comment
	if(x > 0)
		y = 1;
	if (y == 2)
		goto out;
out:
	return y + helper() + 1111111111 + 1111111111 + 1111111111 + 1111111111 + 11;
}
