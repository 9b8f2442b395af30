using System.Runtime.InteropServices;

namespace EdgeRtmp.Devices.Native;

/// <summary>Linux errno values we branch on (asm-generic/errno-base.h; the same on x86_64 and arm64).</summary>
internal static class Errno
{
    public const int EPERM = 1;
    public const int ENOENT = 2;
    public const int EINTR = 4;
    public const int EIO = 5;
    public const int ENXIO = 6;
    public const int EBADF = 9;
    public const int EAGAIN = 11;
    public const int ENOMEM = 12;
    public const int EACCES = 13;
    public const int EBUSY = 16;
    public const int ENODEV = 19;
    public const int EINVAL = 22;
    public const int ENOTTY = 25;
    public const int EPIPE = 32;
    public const int ENOSPC = 28;
    public const int ERANGE = 34;
    public const int ESTRPIPE = 86;

    /// <summary>The errno of the last P/Invoke declared with SetLastError = true.</summary>
    public static int Last => Marshal.GetLastPInvokeError();

    /// <summary>"EBUSY (Device or resource busy)": the symbol for logs people search, the text for people who read.</summary>
    public static string Describe(int errno)
    {
        string name = errno switch
        {
            EPERM => "EPERM",
            ENOENT => "ENOENT",
            EINTR => "EINTR",
            EIO => "EIO",
            ENXIO => "ENXIO",
            EBADF => "EBADF",
            EAGAIN => "EAGAIN",
            ENOMEM => "ENOMEM",
            EACCES => "EACCES",
            EBUSY => "EBUSY",
            ENODEV => "ENODEV",
            EINVAL => "EINVAL",
            ENOTTY => "ENOTTY",
            EPIPE => "EPIPE",
            ENOSPC => "ENOSPC",
            ERANGE => "ERANGE",
            ESTRPIPE => "ESTRPIPE",
            _ => "errno " + errno,
        };
        return $"{name} ({Marshal.GetPInvokeErrorMessage(errno)})";
    }
}
