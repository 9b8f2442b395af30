using System.Diagnostics.CodeAnalysis;

namespace EdgeRtmp.Devices;

/// <summary>
/// The one exception the device layer throws: a device is missing, busy, gone, or refused a request. The message names
/// the device, the operation and the kernel's reason; <see cref="Errno"/> keeps the number for callers that branch on it
/// (ENODEV: unplugged, EBUSY: in use by another process).
/// </summary>
public sealed class DeviceException : Exception
{
    public DeviceException(string message, int errno = 0, Exception? innerException = null)
        : base(message, innerException)
    {
        Errno = errno;
    }

    /// <summary>The kernel's error number, or 0 when the failure did not come from a system call.</summary>
    public int Errno { get; }

    /// <summary>The device went away (unplugged, driver unloaded): a source should fail and be restarted later.</summary>
    public bool IsDeviceGone => Errno is Native.Errno.ENODEV or Native.Errno.ENXIO or Native.Errno.ENOENT;

    [DoesNotReturn]
    public static void Throw(string message, int errno = 0) => throw new DeviceException(message, errno);
}
