/*
 * Opening files of an image directory (OCI layout, unpacked docker-archive)
 * without leaving it: a symbolic link anywhere in the path (index.json -> a host
 * file, blobs -> /) is refused, as is a path that resolves outside the directory.
 * openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS) where the kernel has it (5.6+),
 * else one openat(O_NOFOLLOW) per component.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/openat2.h>
#include "image/image_int.h"

#define OPEN_FLAGS (O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK) /* a FIFO must not block */

int atmo_image__open_beneath_walk(int dirfd, const char *name)
{
	char comp[4096];
	const char *p = name, *slash;
	int cur = dirfd, fd;

	for (;;) {
		size_t n;
		while (*p == '/')
			p++;
		slash = strchr(p, '/');
		n = slash ? (size_t)(slash - p) : strlen(p);
		if (n == 0 || n >= sizeof(comp) || (n == 2 && !memcmp(p, "..", 2))) {
			if (cur != dirfd)
				close(cur);
			errno = n == 0 ? ENOENT : EXDEV;
			return -1;
		}
		memcpy(comp, p, n);
		comp[n] = '\0';
		p += n;
		while (*p == '/')
			p++;
		if (*p) {
			fd = openat(cur, comp, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_DIRECTORY);
		} else {
			fd = openat(cur, comp, OPEN_FLAGS);
		}
		if (cur != dirfd) {
			int saved = errno;
			close(cur);
			errno = saved;
		}
		if (fd < 0)
			return -1;
		if (!*p)
			return fd;
		cur = fd;
	}
}

int atmo_image__open_beneath(int dirfd, const char *name)
{
#ifdef SYS_openat2
	struct open_how how;
	long fd;

	memset(&how, 0, sizeof(how));
	how.flags = OPEN_FLAGS;
	how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
	fd = syscall(SYS_openat2, dirfd, name, &how, sizeof(how));
	if (fd >= 0 || (errno != ENOSYS && errno != EPERM))
		return (int)fd;
		/* ENOSYS: an older kernel; EPERM: a seccomp filter that does not know it */
#endif
	return atmo_image__open_beneath_walk(dirfd, name);
}
