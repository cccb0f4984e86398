/* SPDX-License-Identifier: MIT */
/* test_walk.c: the walk over a tree with hidden names, loops, dangling links,
 * fifos and an unreadable directory, in a temporary directory. */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "walk.h"

static char root[] = "/tmp/test_walk.XXXXXX";

/* What the callbacks saw: "F path" and "E path: reason" lines, with the
 * temporary root replaced by "R". */
struct seen {
	char text[8192];
	int stop_after;		/* files before the callback says stop; 0 never */
	int files;
};

static void
add(struct seen *s, const char *kind, const char *path, const char *reason)
{
	size_t rl = strlen(root), len = strlen(s->text);

	if (strncmp(path, root, rl) == 0) {
		snprintf(s->text + len, sizeof s->text - len, "%s R%s%s%s\n",
		    kind, path + rl, reason ? ": " : "", reason ? reason : "");
	} else {
		snprintf(s->text + len, sizeof s->text - len, "%s %s%s%s\n",
		    kind, path, reason ? ": " : "", reason ? reason : "");
	}
}

static int
on_file(void *ctx, const char *path)
{
	struct seen *s = ctx;

	add(s, "F", path, NULL);
	s->files++;
	return s->stop_after && s->files >= s->stop_after ? -1 : 0;
}

static void
on_error(void *ctx, const char *path, const char *reason)
{
	add(ctx, "E", path, reason);
}

static void
mk(const char *rel, const char *kind, const char *target)
{
	char path[1024];
	int fd;

	snprintf(path, sizeof path, "%s/%s", root, rel);
	if (kind[0] == 'd')
		CHECK(mkdir(path, 0700) == 0);
	else if (kind[0] == 'l')
		CHECK(symlink(target, path) == 0);
	else if (kind[0] == 'p')
		CHECK(mkfifo(path, 0600) == 0);
	else {
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		CHECK(fd >= 0);
		CHECK(write(fd, "<x/>", 4) == 4);
		close(fd);
	}
}

static const char *
walk(const char *rel, int stop_after, int *ret)
{
	static struct seen s;
	struct walk_callbacks cb = { &s, on_file, on_error };
	char path[1024];

	memset(&s, 0, sizeof s);
	s.stop_after = stop_after;
	if (rel == NULL)
		snprintf(path, sizeof path, "%s", root);
	else
		snprintf(path, sizeof path, "%s%s", root, rel);
	*ret = walk_path(path, &cb);
	return s.text;
}

int
main(void)
{
	char cmd[600], path[1024];
	int ret, as_root = geteuid() == 0;

	if (mkdtemp(root) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	mk("b.xml", "f", NULL);
	mk("a", "d", NULL);
	mk("a/z.xml", "f", NULL);
	mk("a/B.xml", "f", NULL);
	mk("a/.hidden.xml", "f", NULL);
	mk("a/loop", "l", "..");
	mk("a/self", "l", ".");
	mk("a/deep", "d", NULL);
	mk("a/deep/c.xml.gz", "f", NULL);
	mk("a/deep/up", "l", "../..");
	mk(".git", "d", NULL);
	mk(".git/config", "f", NULL);
	mk("dangling", "l", "nowhere");
	mk("fifo", "p", NULL);
	mk("link.xml", "l", "b.xml");
	mk("locked", "d", NULL);
	mk("locked/secret.xml", "f", NULL);
	snprintf(path, sizeof path, "%s/locked", root);
	CHECK(chmod(path, 0) == 0);

	/* the whole tree, in strcmp order, each directory once */
	CHECK_STR(walk(NULL, 0, &ret), as_root ?
	    "F R/a/B.xml\n"
	    "F R/a/deep/c.xml.gz\n"
	    "F R/a/z.xml\n"
	    "F R/b.xml\n"
	    "E R/dangling: No such file or directory\n"
	    "E R/fifo: not a regular file\n"
	    "F R/link.xml\n"
	    "F R/locked/secret.xml\n" :
	    "F R/a/B.xml\n"
	    "F R/a/deep/c.xml.gz\n"
	    "F R/a/z.xml\n"
	    "F R/b.xml\n"
	    "E R/dangling: No such file or directory\n"
	    "E R/fifo: not a regular file\n"
	    "F R/link.xml\n"
	    "E R/locked: Permission denied\n");
	CHECK_INT(ret, 0);

	/* a trailing slash makes no double slash; the link up leads to the
	 * root, walked once, without entering the start again */
	CHECK_STR(walk("/a/deep/", 0, &ret), as_root ?
	    "F R/a/deep/c.xml.gz\n"
	    "F R/a/deep/up/a/B.xml\n"
	    "F R/a/deep/up/a/z.xml\n"
	    "F R/a/deep/up/b.xml\n"
	    "E R/a/deep/up/dangling: No such file or directory\n"
	    "E R/a/deep/up/fifo: not a regular file\n"
	    "F R/a/deep/up/link.xml\n"
	    "F R/a/deep/up/locked/secret.xml\n" :
	    "F R/a/deep/c.xml.gz\n"
	    "F R/a/deep/up/a/B.xml\n"
	    "F R/a/deep/up/a/z.xml\n"
	    "F R/a/deep/up/b.xml\n"
	    "E R/a/deep/up/dangling: No such file or directory\n"
	    "E R/a/deep/up/fifo: not a regular file\n"
	    "F R/a/deep/up/link.xml\n"
	    "E R/a/deep/up/locked: Permission denied\n");

	/* explicit paths: a hidden file is read, a hidden dir is walked */
	CHECK_STR(walk("/a/.hidden.xml", 0, &ret), "F R/a/.hidden.xml\n");
	CHECK_STR(walk("/.git", 0, &ret), "F R/.git/config\n");
	CHECK_STR(walk("/missing", 0, &ret),
	    "E R/missing: No such file or directory\n");
	CHECK_INT(ret, 0);
	CHECK_STR(walk("/fifo", 0, &ret), "E R/fifo: not a regular file\n");
	CHECK_STR(walk("/link.xml", 0, &ret), "F R/link.xml\n");

	/* the callback stops the walk */
	CHECK_STR(walk(NULL, 2, &ret), "F R/a/B.xml\nF R/a/deep/c.xml.gz\n");
	CHECK_INT(ret, -1);

	/* "/" gets no double slash either (only the first entries) */
	{
		struct seen s;
		struct walk_callbacks cb = { &s, on_file, on_error };

		memset(&s, 0, sizeof s);
		s.stop_after = 1;
		(void)walk_path("/etc/", &cb);
		CHECK(strstr(s.text, "//") == NULL);
		/* no error callback: errors are dropped */
		cb.error = NULL;
		snprintf(path, sizeof path, "%s/dangling", root);
		CHECK_INT(walk_path(path, &cb), 0);
	}

	/* a Maildir: cur/ and new/ and the Maildir++ folders, never tmp/ or
	 * the index files; a hidden folder that is no Maildir is skipped */
	mk("md", "d", NULL);
	mk("md/cur", "d", NULL);
	mk("md/new", "d", NULL);
	mk("md/tmp", "d", NULL);
	mk("md/cur/1700000000.M1P1.host:2,S", "f", NULL);
	mk("md/new/1700000001.M2P1.host", "f", NULL);
	mk("md/tmp/1700000002.M3P1.host", "f", NULL);
	mk("md/dovecot.index", "f", NULL);
	mk("md/dovecot-uidlist", "f", NULL);
	mk("md/other", "d", NULL);
	mk("md/other/x.xml", "f", NULL);
	mk("md/.Reports", "d", NULL);
	mk("md/.Reports/cur", "d", NULL);
	mk("md/.Reports/new", "d", NULL);
	mk("md/.Reports/tmp", "d", NULL);
	mk("md/.Reports/new/1700000003.M4P1.host", "f", NULL);
	mk("md/.Trash.NotMaildir", "d", NULL);
	mk("md/.Trash.NotMaildir/y.xml", "f", NULL);
	CHECK_STR(walk("/md", 0, &ret),
	    "F R/md/cur/1700000000.M1P1.host:2,S\n"
	    "F R/md/new/1700000001.M2P1.host\n"
	    "F R/md/.Reports/new/1700000003.M4P1.host\n");
	/* a Maildir inside an ordinary folder is found by the walk */
	CHECK(strstr(walk(NULL, 0, &ret), "F R/md/.Reports/new/1700000003.M4P1.host\n") != NULL);
	CHECK(strstr(walk(NULL, 0, &ret), "tmp/") == NULL);

	snprintf(cmd, sizeof cmd, "chmod -R u+rwx '%s'; rm -rf '%s'", root, root);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", root);
	CHECK_DONE();
}
