/* SPDX-License-Identifier: MIT */
/*
 * walk.h: turns the command-line paths into the regular files to read.
 * Directories are walked recursively in name order; names starting with a
 * dot are skipped inside directories (a path given explicitly is always
 * read); symlinks are followed, and a directory already visited (same
 * device and inode) is not entered again, so loops end.  A Maildir (a
 * directory with cur/, new/ and tmp/) yields the files of cur/ and new/ and
 * of its Maildir++ folders (.Sub), never tmp/ or index files.  Owns nothing
 * beyond one walk.
 */
#ifndef DM_WALK_H
#define DM_WALK_H

struct walk_callbacks {
	void *ctx;
	/* A regular file to read; return 0 to go on, -1 to stop the walk. */
	int (*file)(void *ctx, const char *path);
	/* A path that cannot be read (missing, permission denied, not a
	 * regular file or directory): one line, no newline. */
	void (*error)(void *ctx, const char *path, const char *reason);
};

/* Walks one path.  Returns 0, or -1 when a callback stopped the walk. */
int walk_path(const char *path, const struct walk_callbacks *cb);

#endif
