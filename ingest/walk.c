/* SPDX-License-Identifier: MIT */
/* walk.c: command-line paths to regular files, directories in name order. */
#include "dm_array.h"
#include "walk.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The directories entered so far (device and inode), an open-addressing
 * hash set, so that symlink loops and diamonds are walked once. */
struct walk_seen {
	struct walk_id {
		dev_t dev;
		ino_t ino;
		int used;
	} *slot;
	size_t size, count;
};

struct walk {
	const struct walk_callbacks *cb;
	struct walk_seen seen;
};

static size_t
seen_hash(dev_t dev, ino_t ino, size_t size)
{
	uint64_t h = (uint64_t)ino * 0x9e3779b97f4a7c15ULL ^ (uint64_t)dev;

	return (size_t)(h ^ (h >> 29)) & (size - 1);
}

/* Adds (dev, ino).  Returns 1 when added, 0 when already there, -1 when out
 * of memory. */
static int
seen_add(struct walk_seen *ws, dev_t dev, ino_t ino)
{
	struct walk_id *old;
	size_t i, j, oldsize;

	if (ws->count * 2 >= ws->size) {
		old = ws->slot;
		oldsize = ws->size;
		ws->size = oldsize ? oldsize * 2 : 64;
		if ((ws->slot = calloc(ws->size, sizeof *ws->slot)) == NULL) {
			ws->slot = old;
			ws->size = oldsize;
			return -1;
		}
		for (i = 0; i < oldsize; i++) {
			if (!old[i].used)
				continue;
			j = seen_hash(old[i].dev, old[i].ino, ws->size);
			while (ws->slot[j].used)
				j = (j + 1) & (ws->size - 1);
			ws->slot[j] = old[i];
		}
		free(old);
	}
	for (i = seen_hash(dev, ino, ws->size); ws->slot[i].used;
	    i = (i + 1) & (ws->size - 1))
		if (ws->slot[i].dev == dev && ws->slot[i].ino == ino)
			return 0;
	ws->slot[i].dev = dev;
	ws->slot[i].ino = ino;
	ws->slot[i].used = 1;
	ws->count++;
	return 1;
}

static void
report(struct walk *w, const char *path, const char *reason)
{
	if (w->cb->error != NULL)
		w->cb->error(w->cb->ctx, path, reason);
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
free_names(char **names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* The names in a directory, sorted; hidden ones left out, or only the
 * hidden ones (never "." and "..") when `hidden`.  Returns 0, or -1 after
 * reporting why the directory cannot be read. */
/* Names in one directory read at once: far beyond any Maildir. */
#define WALK_MAX_NAMES ((size_t)1 << 26)

static int
read_names(struct walk *w, const char *path, int hidden, char ***out,
    size_t *count)
{
	DIR *d;
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0;

	*out = NULL;
	*count = 0;
	if ((d = opendir(path)) == NULL) {
		report(w, path, strerror(errno));
		return -1;
	}
	for (;;) {
		errno = 0;
		if ((de = readdir(d)) == NULL) {
			if (errno != 0) {
				report(w, path, strerror(errno));
				goto fail;
			}
			break;
		}
		if ((de->d_name[0] == '.') != (hidden != 0) ||
		    strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (dm_array_reserve(&names, &cap, n + 1, sizeof *names,
		    WALK_MAX_NAMES) != 0)
			goto oom;
		if ((names[n] = strdup(de->d_name)) == NULL)
			goto oom;
		n++;
	}
	closedir(d);
	if (n > 1)
		qsort(names, n, sizeof *names, cmp_names);
	*out = names;
	*count = n;
	return 0;
oom:
	report(w, path, strerror(ENOMEM));
fail:
	closedir(d);
	free_names(names, n);
	return -1;
}

static int walk_one(struct walk *w, const char *path);

/* path + "/" + name, without a double slash; NULL when out of memory. */
static char *
join(const char *path, const char *name)
{
	size_t plen = strlen(path), nlen = strlen(name);
	int sep = plen == 0 || path[plen - 1] != '/';
	char *child = malloc(plen + nlen + 2);

	if (child == NULL)
		return NULL;
	memcpy(child, path, plen);
	if (sep)
		child[plen] = '/';
	memcpy(child + plen + sep, name, nlen + 1);
	return child;
}

static int
is_dir(const char *path, const char *name)
{
	struct stat sb;
	char *p = join(path, name);
	int r = p != NULL && stat(p, &sb) == 0 && S_ISDIR(sb.st_mode);

	free(p);
	return r;
}

/* A Maildir has cur/, new/ and tmp/. */
static int
is_maildir(const char *path)
{
	return is_dir(path, "cur") && is_dir(path, "new") && is_dir(path, "tmp");
}

/* Walks the given names of directory `path`; with `maildir_only`, only the
 * Maildir++ folders among them. */
static int
walk_names(struct walk *w, const char *path, char *const *names, size_t n,
    int maildir_only)
{
	char *child;
	size_t i;
	int ret = 0;

	for (i = 0; i < n && ret == 0; i++) {
		if ((child = join(path, names[i])) == NULL) {
			report(w, path, strerror(ENOMEM));
			return 0;
		}
		if (!maildir_only || is_maildir(child))
			ret = walk_one(w, child);
		free(child);
	}
	return ret;
}

/*
 * A Maildir: the messages of cur/ and new/, then its Maildir++ folders
 * (".Sub", ".Sub.Child": hidden names that are Maildirs themselves).  tmp/
 * (messages being delivered) and the index files beside (dovecot.index*,
 * dovecot-uidlist, subscriptions, ...) are left alone.
 */
static int
walk_maildir(struct walk *w, const char *path)
{
	static char cur[] = "cur", new[] = "new";
	static char *const subdirs[] = { cur, new };
	char **names;
	size_t n;
	int ret;

	if ((ret = walk_names(w, path, subdirs, 2, 0)) != 0)
		return ret;
	if (read_names(w, path, 1, &names, &n) < 0)
		return 0;
	ret = walk_names(w, path, names, n, 1);
	free_names(names, n);
	return ret;
}

static int
walk_dir(struct walk *w, const char *path, const struct stat *sb)
{
	char **names;
	size_t n;
	int added, ret;

	added = seen_add(&w->seen, sb->st_dev, sb->st_ino);
	if (added < 0) {
		report(w, path, strerror(ENOMEM));
		return 0;
	}
	if (added == 0)
		return 0;	/* entered already: a loop or a second link */
	if (is_maildir(path))
		return walk_maildir(w, path);
	if (read_names(w, path, 0, &names, &n) < 0)
		return 0;
	ret = walk_names(w, path, names, n, 0);
	free_names(names, n);
	return ret;
}

static int
walk_one(struct walk *w, const char *path)
{
	struct stat sb;

	if (stat(path, &sb) != 0) {
		report(w, path, strerror(errno));
		return 0;
	}
	if (S_ISDIR(sb.st_mode))
		return walk_dir(w, path, &sb);
	if (!S_ISREG(sb.st_mode)) {
		report(w, path, "not a regular file");
		return 0;
	}
	return w->cb->file(w->cb->ctx, path) < 0 ? -1 : 0;
}

int
walk_path(const char *path, const struct walk_callbacks *cb)
{
	struct walk w;
	int ret;

	memset(&w, 0, sizeof w);
	w.cb = cb;
	ret = walk_one(&w, path);
	free(w.seen.slot);
	return ret;
}
