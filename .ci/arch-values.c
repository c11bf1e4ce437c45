/*
 * Prints every value and struct layout aio-core passes to the kernel, as the C headers of the CPU
 * it is built for define them: the source of the tables in aio-core's Arch.java, and what to run
 * again before adding a CPU there. Compare the two outputs line by line:
 *
 *   gcc -o /tmp/values-x86_64 .ci/arch-values.c && /tmp/values-x86_64 > /tmp/x86_64.txt
 *   aarch64-linux-gnu-gcc -static -o /tmp/values-aarch64 .ci/arch-values.c      # gcc-aarch64-linux-gnu
 *   /var/cache/linux-aio-aarch64/qemu/usr/bin/qemu-aarch64 /tmp/values-aarch64 > /tmp/aarch64.txt
 *   diff /tmp/x86_64.txt /tmp/aarch64.txt
 *
 * (Debian 12: the host's libc6-dev and linux-libc-dev; libc6-dev-arm64-cross and
 * linux-libc-dev-arm64-cross come with gcc-aarch64-linux-gnu; qemu as .ci/aarch64-check.sh
 * unpacks it.) O_LARGEFILE is also printed as the kernel reports it, since glibc defines it as 0
 * on 64-bit CPUs.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#define VALUE(x) printf("%-28s 0%o %d\n", #x, (unsigned) (x), (int) (x))
#define SIZE(t) printf("%-28s sizeof %zu\n", #t, sizeof(t))
#define FIELD(t, f) printf("%-28s offset %zu size %zu\n", #t "." #f, offsetof(t, f), sizeof(((t *) 0)->f))

int main(void) {
    VALUE(O_RDONLY); VALUE(O_WRONLY); VALUE(O_RDWR); VALUE(O_ACCMODE); VALUE(O_CREAT); VALUE(O_EXCL);
    VALUE(O_NOCTTY); VALUE(O_TRUNC); VALUE(O_APPEND); VALUE(O_NONBLOCK); VALUE(O_DSYNC); VALUE(O_DIRECT);
    VALUE(O_LARGEFILE); VALUE(O_DIRECTORY); VALUE(O_NOFOLLOW); VALUE(O_NOATIME); VALUE(O_CLOEXEC);
    VALUE(O_SYNC); VALUE(O_PATH); VALUE(O_TMPFILE);
    int fd = open("/", O_RDONLY);
    printf("%-28s 0%o\n", "O_LARGEFILE (kernel)", (unsigned) (fcntl(fd, F_GETFL) & ~(O_ACCMODE | O_DIRECTORY)));
    VALUE(S_IRWXU); VALUE(S_IRWXG); VALUE(S_IRWXO);
    VALUE(AT_FDCWD); VALUE(AT_SYMLINK_NOFOLLOW); VALUE(AT_EMPTY_PATH); VALUE(STATX_BASIC_STATS);
    VALUE(EFD_CLOEXEC); VALUE(EFD_NONBLOCK); VALUE(POLLIN); VALUE(RWF_NOWAIT);
    VALUE(F_GETFD); VALUE(F_GETFL); VALUE(FD_CLOEXEC); VALUE(RLIMIT_NOFILE);
    VALUE(RESOLVE_NO_XDEV); VALUE(RESOLVE_NO_MAGICLINKS); VALUE(RESOLVE_NO_SYMLINKS);
    VALUE(RESOLVE_BENEATH); VALUE(RESOLVE_IN_ROOT); VALUE(RESOLVE_CACHED);
    VALUE(DT_FIFO); VALUE(DT_CHR); VALUE(DT_DIR); VALUE(DT_BLK); VALUE(DT_REG); VALUE(DT_LNK); VALUE(DT_SOCK);
    VALUE(SYS_openat2);
    VALUE(EPERM); VALUE(ENOENT); VALUE(EINTR); VALUE(EIO); VALUE(EBADF); VALUE(EAGAIN); VALUE(ENOMEM);
    VALUE(EACCES); VALUE(EEXIST); VALUE(EXDEV); VALUE(ENOTDIR); VALUE(EISDIR); VALUE(EINVAL); VALUE(ENFILE);
    VALUE(EMFILE); VALUE(ENOSPC); VALUE(EROFS); VALUE(EPIPE); VALUE(EDEADLK); VALUE(ENAMETOOLONG);
    VALUE(ENOLCK); VALUE(ENOSYS); VALUE(ENOTEMPTY); VALUE(ELOOP); VALUE(ENODATA); VALUE(EOVERFLOW);
    VALUE(EILSEQ); VALUE(EOPNOTSUPP); VALUE(ETIMEDOUT); VALUE(ESTALE); VALUE(EDQUOT); VALUE(ECANCELED);
    SIZE(struct statx);
    FIELD(struct statx, stx_mask); FIELD(struct statx, stx_blksize); FIELD(struct statx, stx_nlink);
    FIELD(struct statx, stx_uid); FIELD(struct statx, stx_gid); FIELD(struct statx, stx_mode);
    FIELD(struct statx, stx_ino); FIELD(struct statx, stx_size); FIELD(struct statx, stx_blocks);
    FIELD(struct statx, stx_atime); FIELD(struct statx, stx_btime); FIELD(struct statx, stx_ctime);
    FIELD(struct statx, stx_mtime); FIELD(struct statx, stx_rdev_major); FIELD(struct statx, stx_rdev_minor);
    FIELD(struct statx, stx_dev_major); FIELD(struct statx, stx_dev_minor);
    FIELD(struct statx_timestamp, tv_sec); FIELD(struct statx_timestamp, tv_nsec);
    SIZE(struct open_how); FIELD(struct open_how, flags); FIELD(struct open_how, mode); FIELD(struct open_how, resolve);
    FIELD(struct dirent64, d_ino); FIELD(struct dirent64, d_off); FIELD(struct dirent64, d_reclen);
    FIELD(struct dirent64, d_type); FIELD(struct dirent64, d_name);
    SIZE(struct pollfd); FIELD(struct pollfd, fd); FIELD(struct pollfd, events); FIELD(struct pollfd, revents);
    SIZE(struct iovec); FIELD(struct iovec, iov_base); FIELD(struct iovec, iov_len);
    SIZE(struct rlimit); SIZE(long); SIZE(void *); SIZE(size_t); SIZE(off_t);
    printf("%-28s %s\n", "byte order", __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? "little" : "big");
    return 0;
}
