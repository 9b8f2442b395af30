using EdgeRtmp.Devices.Native;

namespace EdgeRtmp.Devices.Tests.Native;

public sealed unsafe class LibcTests
{
    [Fact]
    public void PollfdMatchesTheKernelLayout()
    {
        IReadOnlyDictionary<string, ulong> c = KernelLayoutProbe.Run("pollfd", """
            #include <poll.h>
            #include <stddef.h>
            #include <stdio.h>
            int main(void) {
              printf("size %zu\n", sizeof(struct pollfd));
              printf("events %zu\n", offsetof(struct pollfd, events));
              printf("revents %zu\n", offsetof(struct pollfd, revents));
              printf("POLLIN %d\nPOLLPRI %d\nPOLLERR %d\nPOLLHUP %d\n", POLLIN, POLLPRI, POLLERR, POLLHUP);
              return 0;
            }
            """);
        Assert.Equal(c["size"], (ulong)sizeof(Libc.pollfd));
        Assert.Equal(c["events"], (ulong)System.Runtime.InteropServices.Marshal.OffsetOf<Libc.pollfd>(nameof(Libc.pollfd.events)));
        Assert.Equal(c["revents"], (ulong)System.Runtime.InteropServices.Marshal.OffsetOf<Libc.pollfd>(nameof(Libc.pollfd.revents)));
        Assert.Equal((ulong)Libc.POLLIN, c["POLLIN"]);
        Assert.Equal((ulong)Libc.POLLPRI, c["POLLPRI"]);
        Assert.Equal((ulong)Libc.POLLERR, c["POLLERR"]);
        Assert.Equal((ulong)Libc.POLLHUP, c["POLLHUP"]);
    }

    [Fact]
    public void OpenOfAMissingNodeGivesENOENTAndEventfdWakesPoll()
    {
        Assert.Equal(-Errno.ENOENT, Libc.Open("/dev/edgertmp-no-such-device", Libc.O_RDWR));

        using var wake = new FileDescriptorHandle(Libc.eventfd(0, Libc.EFD_CLOEXEC | Libc.EFD_NONBLOCK));
        Assert.False(wake.IsInvalid);
        Libc.pollfd fd = new() { fd = wake.Fd, events = Libc.POLLIN };
        Assert.Equal(0, Libc.Poll(&fd, 1, 0));

        ulong one = 1;
        Assert.Equal(8, (long)Libc.write(wake.Fd, &one, 8));
        Assert.Equal(1, Libc.Poll(&fd, 1, -1));
        Assert.Equal(Libc.POLLIN, fd.revents & Libc.POLLIN);
    }

    [Fact]
    public void DeviceExceptionNamesTheErrno()
    {
        var error = new DeviceException("/dev/video0: open failed: " + Errno.Describe(Errno.EBUSY), Errno.EBUSY);
        Assert.Contains("EBUSY", error.Message);
        Assert.False(error.IsDeviceGone);
        Assert.True(new DeviceException("gone", Errno.ENODEV).IsDeviceGone);
    }
}
