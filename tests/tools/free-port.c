/* SPDX-License-Identifier: MIT */
/*
 * free-port.c: prints N TCP ports on 127.0.0.1 that are free now (the OS
 * picks them; all are held until all are picked, so they differ), for a
 * test that starts a server which cannot bind port 0 itself.
 * Usage: free-port [N]
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 1, i, fd[16];
	struct sockaddr_in sa;
	socklen_t len;

	if (n < 1 || n > 16) {
		fputs("usage: free-port [N], N from 1 to 16\n", stderr);
		return 2;
	}
	for (i = 0; i < n; i++) {
		memset(&sa, 0, sizeof sa);
		sa.sin_family = AF_INET;
		sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		len = sizeof sa;
		if ((fd[i] = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
		    bind(fd[i], (struct sockaddr *)&sa, sizeof sa) != 0 ||
		    getsockname(fd[i], (struct sockaddr *)&sa, &len) != 0) {
			perror("free-port");
			return 1;
		}
		printf("%d\n", ntohs(sa.sin_port));
	}
	for (i = 0; i < n; i++)
		close(fd[i]);
	return 0;
}
