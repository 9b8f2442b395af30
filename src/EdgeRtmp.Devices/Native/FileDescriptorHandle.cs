using Microsoft.Win32.SafeHandles;

namespace EdgeRtmp.Devices.Native;

/// <summary>A kernel file descriptor (device node, line request, eventfd) closed exactly once.</summary>
internal sealed class FileDescriptorHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    public FileDescriptorHandle(int fd)
        : base(ownsHandle: true)
    {
        SetHandle(fd);
    }

    public int Fd => (int)handle;

    protected override bool ReleaseHandle() => Libc.close((int)handle) == 0;
}
