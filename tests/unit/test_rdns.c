/* SPDX-License-Identifier: MIT */
/*
 * test_rdns.c: the reverse DNS module: the fixture backend, and the c-ares
 * backend against tests/tools/dns-responder on 127.0.0.1 serving
 * tests/data/rdns/zone (answers, NXDOMAIN, NODATA, SERVFAIL, slow answers
 * past the timeout and the budget, forward confirmation, IPv6, 100 IPs).
 */
#include "check.h"
#include "rdns.h"

#include <signal.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SLACK_MS 400	/* scheduling slack on a loaded CI machine */

static char tmpdir[] = "/tmp/test_rdns.XXXXXX";
static char server[64];
static pid_t responder = -1;

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
set_ips(struct rdns_result *out, const char *const *ips, size_t n)
{
	size_t i;

	memset(out, 0, n * sizeof *out);
	for (i = 0; i < n; i++)
		snprintf(out[i].ip, sizeof out[i].ip, "%s", ips[i]);
}

/* Starts dns-responder and waits for its port; -1 when it did not start. */
static int
start_responder(void)
{
	const char *build = getenv("DM_BUILD_DIR");
	char bin[4096], portfile[256], zone[4096];
	int64_t until;
	FILE *fp;
	int port = 0;

	snprintf(bin, sizeof bin, "%s/tests/dns-responder",
	    build ? build : "build");
	snprintf(portfile, sizeof portfile, "%s/port", tmpdir);
	snprintf(zone, sizeof zone, "%s", check_data("rdns/zone"));
	if ((responder = fork()) == -1)
		return -1;
	if (responder == 0) {
		execl(bin, bin, "--max-seconds", "120", portfile, zone,
		    (char *)NULL);
		perror(bin);
		_exit(127);
	}
	for (until = now_ms() + 5000; now_ms() < until; usleep(10000)) {
		int status;

		if (waitpid(responder, &status, WNOHANG) == responder) {
			responder = -1;
			return -1;
		}
		if ((fp = fopen(portfile, "r")) == NULL)
			continue;
		if (fscanf(fp, "%d", &port) != 1)
			port = 0;
		fclose(fp);
		if (port > 0)
			break;
	}
	if (port <= 0)
		return -1;
	snprintf(server, sizeof server, "127.0.0.1:%d", port);
	return 0;
}

static void
stop_responder(void)
{
	if (responder > 0) {
		kill(responder, SIGTERM);
		waitpid(responder, NULL, 0);
		responder = -1;
	}
}

static void
test_fixture(void)
{
	static const char *const ips[] = { "192.0.2.1", "192.0.2.2",
	    "192.0.2.3", "192.0.2.4", "192.0.2.99", "2001:db8::1", "nonsense" };
	struct rdns_result out[7];
	struct rdns *r;
	char err[512], path[512];
	FILE *fp;
	int i;

	r = rdns_fixture_new(check_data("rdns/fixture"), err, sizeof err);
	CHECK(r != NULL);
	if (r == NULL)
		return;
	set_ips(out, ips, 7);
	CHECK_INT(rdns_resolve(r, out, 7, 1000), 0);
	CHECK_INT(out[0].status, RDNS_OK);
	CHECK_STR(out[0].name, "mail.example.com");
	CHECK_INT(out[0].confirmed, 1);
	CHECK_INT(out[1].status, RDNS_OK);
	CHECK_STR(out[1].name, "relay.example.net");
	CHECK_INT(out[1].confirmed, 1);
	CHECK_INT(out[2].status, RDNS_OK);
	CHECK_STR(out[2].name, "liar.example.com");
	CHECK_INT(out[2].confirmed, 0);
	CHECK_INT(out[3].status, RDNS_NONAME);	/* "-" */
	CHECK_STR(out[3].name, "");
	CHECK_INT(out[4].status, RDNS_NONAME);	/* not listed */
	CHECK_INT(out[5].status, RDNS_OK);
	CHECK_STR(out[5].name, "host.example");
	CHECK_INT(out[6].status, RDNS_ERROR);	/* not an IP */
	CHECK_INT(rdns_resolve(r, out, 0, 1000), 0);
	rdns_free(r);

	/* bad files: NULL with FILE:LINE: reason */
	r = rdns_fixture_new(check_data("rdns/bad-ip"), err, sizeof err);
	CHECK(r == NULL);
	CHECK(strstr(err, "bad-ip:2: not an IP address") != NULL);
	r = rdns_fixture_new(check_data("rdns/bad-flag"), err, sizeof err);
	CHECK(r == NULL);
	CHECK(strstr(err, "bad-flag:3: ") != NULL);
	r = rdns_fixture_new(check_data("rdns/bad-noname"), err, sizeof err);
	CHECK(r == NULL);
	CHECK(strstr(err, "bad-noname:2: no name") != NULL);
	r = rdns_fixture_new(check_data("rdns/bad-dup"), err, sizeof err);
	CHECK(r == NULL);
	CHECK(strstr(err, "listed twice") != NULL);
	r = rdns_fixture_new(check_data("rdns/bad-name"), err, sizeof err);
	CHECK(r == NULL);
	CHECK(strstr(err, "bad-name:1: not a host name") != NULL);
	r = rdns_fixture_new(check_data("rdns/missing"), err, sizeof err);
	CHECK(r == NULL);
	CHECK(strstr(err, "missing: ") != NULL);

	/* a name longer than 255 characters is a bad line; 255 is fine */
	snprintf(path, sizeof path, "%s/long", tmpdir);
	if ((fp = fopen(path, "w")) != NULL) {
		fputs("192.0.2.1 ", fp);
		for (i = 0; i < 255; i++)
			fputc(i % 50 == 49 ? '.' : 'a', fp);
		fputs("\n", fp);
		fclose(fp);
	}
	r = rdns_fixture_new(path, err, sizeof err);
	CHECK(r != NULL);
	set_ips(out, ips, 1);
	CHECK_INT(rdns_resolve(r, out, 1, 1000), 0);
	CHECK_INT(strlen(out[0].name), 255);
	rdns_free(r);
	if ((fp = fopen(path, "w")) != NULL) {
		fputs("192.0.2.1 ", fp);
		for (i = 0; i < 256; i++)
			fputc(i % 50 == 49 ? '.' : 'a', fp);
		fputs("\n", fp);
		fclose(fp);
	}
	r = rdns_fixture_new(path, err, sizeof err);
	CHECK(r == NULL);
	CHECK(strstr(err, "long:1: not a host name") != NULL);
	unlink(path);
}

/* The quick cases in one call: confirmed, normalized, unconfirmed,
 * NXDOMAIN, NODATA, SERVFAIL, a bad name, IPv6 confirmed and not. */
static void
test_answers(void)
{
	static const char *const ips[] = { "192.0.2.1", "192.0.2.2",
	    "192.0.2.3", "192.0.2.4", "192.0.2.6", "192.0.2.7", "192.0.2.9",
	    "192.0.2.10", "192.0.2.11", "2001:db8::1", "2001:db8::2",
	    "not-an-ip" };
	enum { N = sizeof ips / sizeof ips[0] };
	struct rdns_result out[N];
	struct rdns *r;
	char err[512];
	int64_t t0;

	r = rdns_cares_new(server, 1000, err, sizeof err);
	CHECK(r != NULL);
	if (r == NULL) {
		fprintf(stderr, "rdns_cares_new: %s\n", err);
		return;
	}
	set_ips(out, ips, N);
	t0 = now_ms();
	CHECK_INT(rdns_resolve(r, out, N, 5000), 0);
	CHECK(now_ms() - t0 < 1000);

	CHECK_INT(out[0].status, RDNS_OK);
	CHECK_STR(out[0].name, "mail.example.com");
	CHECK_INT(out[0].confirmed, 1);
	CHECK_INT(out[1].status, RDNS_OK);	/* MX2.Example.COM. */
	CHECK_STR(out[1].name, "mx2.example.com");
	CHECK_INT(out[1].confirmed, 1);
	CHECK_INT(out[2].status, RDNS_OK);
	CHECK_STR(out[2].name, "liar.example.com");
	CHECK_INT(out[2].confirmed, 0);
	CHECK_INT(out[3].status, RDNS_NONAME);
	CHECK_STR(out[3].name, "");
	CHECK_INT(out[4].status, RDNS_OK);	/* the name has no A */
	CHECK_STR(out[4].name, "noaddr.example.com");
	CHECK_INT(out[4].confirmed, 0);
	CHECK_INT(out[5].status, RDNS_ERROR);	/* SERVFAIL */
	CHECK_INT(out[6].status, RDNS_OK);	/* one A of three */
	CHECK_STR(out[6].name, "multi.example.com");
	CHECK_INT(out[6].confirmed, 1);
	CHECK_INT(out[7].status, RDNS_ERROR);	/* bad!name */
	CHECK_STR(out[7].name, "");
	CHECK_INT(out[8].status, RDNS_NONAME);	/* NODATA */
	CHECK_INT(out[9].status, RDNS_OK);
	CHECK_STR(out[9].name, "host.example");
	CHECK_INT(out[9].confirmed, 1);
	CHECK_INT(out[10].status, RDNS_OK);
	CHECK_STR(out[10].name, "other.example");
	CHECK_INT(out[10].confirmed, 0);
	CHECK_INT(out[11].status, RDNS_ERROR);
	/* SERVFAIL is a reply: the server lives */
	CHECK_INT(rdns_silent(r), 0);

	/* the resolver can be used again */
	set_ips(out, ips, 1);
	CHECK_INT(rdns_resolve(r, out, 1, 5000), 0);
	CHECK_INT(out[0].status, RDNS_OK);
	CHECK_INT(out[0].confirmed, 1);
	rdns_free(r);
}

/* A PTR answer, then a forward answer, past the per-lookup timeout. */
static void
test_timeout(void)
{
	static const char *const ips[] = { "192.0.2.5", "192.0.2.8",
	    "192.0.2.1" };
	struct rdns_result out[3];
	struct rdns *r;
	char err[512];
	int64_t t0, took;

	r = rdns_cares_new(server, 300, err, sizeof err);
	CHECK(r != NULL);
	if (r == NULL)
		return;
	set_ips(out, ips, 3);
	t0 = now_ms();
	CHECK_INT(rdns_resolve(r, out, 3, 10000), 0);
	took = now_ms() - t0;
	CHECK(took >= 250);
	CHECK(took < 300 + 300 + SLACK_MS);	/* PTR, then forward */
	CHECK_INT(out[0].status, RDNS_TIMEOUT);
	CHECK_STR(out[0].name, "");
	/* the name is kept, confirmation unknown */
	CHECK_INT(out[1].status, RDNS_TIMEOUT);
	CHECK_STR(out[1].name, "slowfwd.example.com");
	CHECK_INT(out[1].confirmed, 0);
	CHECK_INT(out[2].status, RDNS_OK);
	CHECK_INT(out[2].confirmed, 1);
	/* one timeout among answers: the server lives */
	CHECK_INT(rdns_silent(r), 0);

	/* the PTR alone: within the timeout and the slack */
	set_ips(out, ips, 1);
	t0 = now_ms();
	CHECK_INT(rdns_resolve(r, out, 1, 10000), 0);
	took = now_ms() - t0;
	CHECK(took < 300 + SLACK_MS);
	CHECK_INT(out[0].status, RDNS_TIMEOUT);
	/* a whole first wave (of one) without a reply: taken for dead, and
	 * later calls look nothing up, even for a name it would answer */
	CHECK_INT(rdns_silent(r), 1);
	set_ips(out, ips + 2, 1);
	CHECK_INT(rdns_resolve(r, out, 1, 10000), 0);
	CHECK_INT(out[0].status, RDNS_TIMEOUT);
	CHECK_STR(out[0].name, "");
	rdns_free(r);
	CHECK_INT(rdns_silent(NULL), 0);
}

/* Many slow names with a long per-lookup timeout: the budget stops them. */
static void
test_budget(void)
{
	struct rdns_result out[40];
	struct rdns *r;
	char err[512];
	int64_t t0, took;
	size_t i;

	r = rdns_cares_new(server, 4000, err, sizeof err);
	CHECK(r != NULL);
	if (r == NULL)
		return;
	memset(out, 0, sizeof out);
	for (i = 0; i < 20; i++)
		snprintf(out[i].ip, sizeof out[i].ip, "192.0.2.%zu", 100 + i);
	t0 = now_ms();
	CHECK_INT(rdns_resolve(r, out, 20, 500), 0);
	took = now_ms() - t0;
	CHECK(took >= 450);
	CHECK(took < 500 + SLACK_MS);
	for (i = 0; i < 20; i++)
		CHECK_INT(out[i].status, RDNS_TIMEOUT);

	/* past the window: what never started is RDNS_TIMEOUT too */
	memset(out, 0, sizeof out);
	for (i = 0; i < 40; i++)
		snprintf(out[i].ip, sizeof out[i].ip, "192.0.2.%zu",
		    100 + i % 20);
	t0 = now_ms();
	CHECK_INT(rdns_resolve(r, out, 40, 200), 0);
	CHECK(now_ms() - t0 < 200 + SLACK_MS);
	for (i = 0; i < 40; i++)
		CHECK_INT(out[i].status, RDNS_TIMEOUT);

	/* a budget of 0 queries nothing */
	snprintf(out[0].ip, sizeof out[0].ip, "192.0.2.1");
	t0 = now_ms();
	CHECK_INT(rdns_resolve(r, out, 1, 0), 0);
	CHECK(now_ms() - t0 < 100);
	CHECK_INT(out[0].status, RDNS_TIMEOUT);

	/* and a quick answer after a cancelled call is still right */
	CHECK_INT(rdns_resolve(r, out, 1, 5000), 0);
	CHECK_INT(out[0].status, RDNS_OK);
	CHECK_STR(out[0].name, "mail.example.com");
	rdns_free(r);
}

/* 100 IPs, each PTR answered after 100 ms: in parallel, well under the
 * 10 s they would take one by one. */
static void
test_parallel(void)
{
	struct rdns_result out[100];
	struct rdns *r;
	char err[512], want[64];
	int64_t t0, took;
	size_t i;
	int ok = 1;

	r = rdns_cares_new(server, 2000, err, sizeof err);
	CHECK(r != NULL);
	if (r == NULL)
		return;
	memset(out, 0, sizeof out);
	for (i = 0; i < 100; i++)
		snprintf(out[i].ip, sizeof out[i].ip, "198.51.100.%zu", i + 1);
	t0 = now_ms();
	CHECK_INT(rdns_resolve(r, out, 100, 10000), 0);
	took = now_ms() - t0;
	CHECK(took < 1500);
	for (i = 0; i < 100; i++) {
		snprintf(want, sizeof want, "bulk%zu.example.net", i + 1);
		if (out[i].status != RDNS_OK || !out[i].confirmed ||
		    strcmp(out[i].name, want) != 0) {
			fprintf(stderr, "%s: status %d name %s confirmed %d\n",
			    out[i].ip, out[i].status, out[i].name,
			    out[i].confirmed);
			ok = 0;
		}
	}
	CHECK(ok);
	fprintf(stderr, "100 IPs in %lld ms\n", (long long)took);
	rdns_free(r);
}

static void
test_bad_server(void)
{
	struct rdns *r;
	char err[512] = "";

	r = rdns_cares_new("not a server", 1000, err, sizeof err);
	CHECK(r == NULL);
	CHECK(strstr(err, "not a server") != NULL);
	/* two resolvers at once, freed in either order */
	{
		struct rdns *a = rdns_cares_new(server, 1000, err, sizeof err);
		struct rdns *b = rdns_cares_new(NULL, 1000, err, sizeof err);

		CHECK(a != NULL);
		CHECK(b != NULL);
		rdns_free(a);
		rdns_free(b);
	}
	rdns_free(NULL);
	CHECK_INT(rdns_resolve(NULL, NULL, 0, 0), -1);
}

int
main(void)
{
	char path[256];

	signal(SIGPIPE, SIG_IGN);
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	test_fixture();
	if (start_responder() == -1) {
		fprintf(stderr, "dns-responder did not start\n");
		CHECK(0);
	} else {
		test_answers();
		test_timeout();
		test_budget();
		test_parallel();
		test_bad_server();
	}
	stop_responder();
	snprintf(path, sizeof path, "%s/port", tmpdir);
	unlink(path);
	rmdir(tmpdir);
	CHECK_DONE();
}
