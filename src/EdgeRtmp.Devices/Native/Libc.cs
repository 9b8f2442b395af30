using System.Runtime.InteropServices;

namespace EdgeRtmp.Devices.Native;

/// <summary>
/// The libc calls every device subsystem shares: file descriptors, ioctl, poll, mmap, eventfd. One native call per
/// method, blittable arguments, errno kept (SetLastError). <see cref="Ioctl"/>, <see cref="Poll"/> and <see cref="Open"/> are where EINTR is retried.
/// </summary>
internal static unsafe partial class Libc
{
    private const string Library = "libc";

    public const int O_RDONLY = 0;
    public const int O_WRONLY = 1;
    public const int O_RDWR = 2;
    public const int O_NONBLOCK = 0x800;
    public const int O_CLOEXEC = 0x80000;

    public const short POLLIN = 0x001;
    public const short POLLPRI = 0x002;
    public const short POLLOUT = 0x004;
    public const short POLLERR = 0x008;
    public const short POLLHUP = 0x010;
    public const short POLLNVAL = 0x020;

    public const int PROT_READ = 0x1;
    public const int PROT_WRITE = 0x2;
    public const int MAP_SHARED = 0x01;
    public static readonly nint MAP_FAILED = -1;

    public const int EFD_CLOEXEC = 0x80000;
    public const int EFD_NONBLOCK = 0x800;

    /// <summary>struct pollfd (poll.h): 8 bytes on every Linux ABI.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct pollfd
    {
        public int fd;
        public short events;
        public short revents;
    }

    [LibraryImport(Library, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int open(string path, int flags);

    [LibraryImport(Library, EntryPoint = "close", SetLastError = true)]
    public static partial int close(int fd);

    [LibraryImport(Library, EntryPoint = "read", SetLastError = true)]
    public static partial nint read(int fd, void* buffer, nuint count);

    [LibraryImport(Library, EntryPoint = "write", SetLastError = true)]
    public static partial nint write(int fd, void* buffer, nuint count);

    /// <summary>ioctl with a pointer argument (every request we make passes a struct or an int by address).</summary>
    [LibraryImport(Library, EntryPoint = "ioctl", SetLastError = true)]
    public static partial int ioctl(int fd, nuint request, void* argument);

    [LibraryImport(Library, EntryPoint = "poll", SetLastError = true)]
    public static partial int poll(pollfd* fds, nuint count, int timeoutMs);

    [LibraryImport(Library, EntryPoint = "mmap", SetLastError = true)]
    public static partial nint mmap(nint address, nuint length, int protection, int flags, int fd, long offset);

    [LibraryImport(Library, EntryPoint = "munmap", SetLastError = true)]
    public static partial int munmap(nint address, nuint length);

    [LibraryImport(Library, EntryPoint = "eventfd", SetLastError = true)]
    public static partial int eventfd(uint initialValue, int flags);

    public const int CLOCK_MONOTONIC = 1;
    public const int CLOCK_THREAD_CPUTIME_ID = 3;

    /// <summary>struct timespec, 16 bytes on 64-bit Linux.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct timespec
    {
        public long tv_sec;
        public long tv_nsec;
    }

    [LibraryImport(Library, EntryPoint = "clock_gettime", SetLastError = true)]
    public static partial int clock_gettime(int clockId, timespec* time);

    /// <summary>A clock in nanoseconds (CLOCK_THREAD_CPUTIME_ID: the calling thread's CPU time), or -1 when it cannot be read.</summary>
    public static long ClockNanoseconds(int clockId)
    {
        timespec time;
        return clock_gettime(clockId, &time) == 0 ? (time.tv_sec * 1_000_000_000) + time.tv_nsec : -1;
    }

    /// <summary>ioctl retried on EINTR; returns 0 or the errno (EAGAIN means "not ready", not a failure).</summary>
    public static int Ioctl(int fd, nuint request, void* argument)
    {
        while (true)
        {
            if (ioctl(fd, request, argument) != -1)
            {
                return 0;
            }

            int errno = Marshal.GetLastPInvokeError();
            if (errno != Errno.EINTR)
            {
                return errno;
            }
        }
    }

    /// <summary>poll retried on EINTR (with the full timeout again: callers wait for events, not for time); returns the ready count or -errno.</summary>
    public static int Poll(pollfd* fds, int count, int timeoutMs)
    {
        while (true)
        {
            int ready = poll(fds, (nuint)count, timeoutMs);
            if (ready != -1)
            {
                return ready;
            }

            int errno = Marshal.GetLastPInvokeError();
            if (errno != Errno.EINTR)
            {
                return -errno;
            }
        }
    }

    /// <summary>open retried on EINTR, close-on-exec always; returns the descriptor or -errno.</summary>
    public static int Open(string path, int flags)
    {
        while (true)
        {
            int fd = open(path, flags | O_CLOEXEC);
            if (fd != -1)
            {
                return fd;
            }

            int errno = Marshal.GetLastPInvokeError();
            if (errno != Errno.EINTR)
            {
                return -errno;
            }
        }
    }
}
