using System.Runtime.InteropServices;
using EdgeRtmp.Devices.Gpio.Native;
using EdgeRtmp.Devices.Native;

namespace EdgeRtmp.Devices.Gpio;

/// <summary>Receives the edge events the loop reads, on the loop's thread.</summary>
internal interface IGpioEventSink
{
    void OnLineEvent(int pin, in gpio_v2_line_event lineEvent);
}

/// <summary>
/// One thread blocked in poll() over every watched line request and an eventfd. The eventfd wakes it when the set
/// of lines changes and for shutdown; nothing wakes it on a timer, so an idle panel costs no CPU. A watched
/// descriptor is kept alive (SafeHandle reference) until the loop has dropped it from its poll set, so closing a
/// line from another thread can never make the loop poll or read a recycled descriptor number.
/// </summary>
internal sealed unsafe class GpioEventLoop : IDisposable
{
    private const int EventsPerRead = 16;

    private readonly object _gate = new();
    private readonly IGpioEventSink _sink;
    private readonly FileDescriptorHandle _wake;
    private readonly Thread _thread;
    private (FileDescriptorHandle Handle, int Pin)[] _watched = [];
    private int _version;
    private bool _stopping;

    public GpioEventLoop(IGpioEventSink sink, string name)
    {
        _sink = sink;
        int fd = Libc.eventfd(0, Libc.EFD_CLOEXEC | Libc.EFD_NONBLOCK);
        if (fd < 0)
        {
            throw new DeviceException($"GPIO event thread: eventfd failed: {Errno.Describe(Errno.Last)}.", Errno.Last);
        }

        _wake = new FileDescriptorHandle(fd);
        _thread = new Thread(Run) { IsBackground = true, Name = name };
        _thread.Start();
    }

    /// <summary>An exception thrown by the sink: reported here and the loop goes on.</summary>
    public event Action<Exception>? SinkFailed;

    /// <summary>Set if the loop ended on an error of its own (poll failed): no more events will come.</summary>
    public DeviceException? Failure { get; private set; }

    public void Watch(FileDescriptorHandle handle, int pin)
    {
        lock (_gate)
        {
            _watched = [.. _watched, (handle, pin)];
            _version++;
        }

        Wake();
    }

    public void Unwatch(FileDescriptorHandle handle)
    {
        lock (_gate)
        {
            _watched = Array.FindAll(_watched, entry => entry.Handle != handle);
            _version++;
        }

        Wake();
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_stopping)
            {
                return;
            }

            _stopping = true;
        }

        Wake();
        if (Thread.CurrentThread != _thread)
        {
            _thread.Join();
        }

        _wake.Dispose();
    }

    private void Wake()
    {
        ulong one = 1;
        // An eventfd counter only overflows after 2^64-2 unread wakes; EAGAIN cannot happen in practice.
        Libc.write(_wake.Fd, &one, sizeof(ulong));
    }

    private void Run()
    {
        var events = stackalloc gpio_v2_line_event[EventsPerRead];
        (FileDescriptorHandle Handle, int Pin)[] current = [];
        var fds = new Libc.pollfd[1];
        int appliedVersion = -1;
        try
        {
            while (true)
            {
                (FileDescriptorHandle Handle, int Pin)[]? next = null;
                lock (_gate)
                {
                    if (_stopping)
                    {
                        return;
                    }

                    if (_version != appliedVersion)
                    {
                        next = _watched;
                        appliedVersion = _version;
                    }
                }

                if (next is not null)
                {
                    current = Swap(current, next);
                    fds = new Libc.pollfd[current.Length + 1];
                    fds[0] = new Libc.pollfd { fd = _wake.Fd, events = Libc.POLLIN };
                    for (int i = 0; i < current.Length; i++)
                    {
                        fds[i + 1] = new Libc.pollfd { fd = current[i].Handle.Fd, events = Libc.POLLIN };
                    }
                }

                int ready;
                fixed (Libc.pollfd* poll = fds)
                {
                    ready = Libc.Poll(poll, fds.Length, -1);
                }

                if (ready < 0)
                {
                    Failure = new DeviceException($"GPIO event thread: poll failed: {Errno.Describe(-ready)}.", -ready);
                    return;
                }

                if ((fds[0].revents & Libc.POLLIN) != 0)
                {
                    ulong count;
                    Libc.read(_wake.Fd, &count, sizeof(ulong));
                }

                for (int i = 1; i < fds.Length; i++)
                {
                    short revents = fds[i].revents;
                    if ((revents & Libc.POLLIN) != 0)
                    {
                        ReadEvents(fds[i].fd, current[i - 1].Pin, events);
                    }
                    else if ((revents & (Libc.POLLERR | Libc.POLLHUP | Libc.POLLNVAL)) != 0)
                    {
                        // The line is gone (chip removed): stop polling it rather than spin on its error.
                        fds[i].fd = -1;
                    }
                }
            }
        }
        finally
        {
            Swap(current, []);
        }
    }

    private void ReadEvents(int fd, int pin, gpio_v2_line_event* events)
    {
        nint bytes = Libc.read(fd, events, (nuint)(EventsPerRead * sizeof(gpio_v2_line_event)));
        if (bytes <= 0)
        {
            // EAGAIN (another reader raced us) or EINTR: poll again; a real error shows up as POLLERR next time.
            return;
        }

        int count = (int)bytes / sizeof(gpio_v2_line_event);
        for (int i = 0; i < count; i++)
        {
            try
            {
                _sink.OnLineEvent(pin, in events[i]);
            }
            catch (Exception e)
            {
                SinkFailed?.Invoke(e);
            }
        }
    }

    /// <summary>Takes a reference on every newly watched handle and releases the ones no longer watched.</summary>
    private static (FileDescriptorHandle Handle, int Pin)[] Swap((FileDescriptorHandle Handle, int Pin)[] current, (FileDescriptorHandle Handle, int Pin)[] next)
    {
        var kept = new List<(FileDescriptorHandle Handle, int Pin)>(next.Length);
        foreach (var entry in next)
        {
            if (Array.Exists(current, c => c.Handle == entry.Handle))
            {
                kept.Add(entry);
                continue;
            }

            bool added = false;
            try
            {
                entry.Handle.DangerousAddRef(ref added);
            }
            catch (ObjectDisposedException)
            {
                // Closed before the loop saw it: nothing to watch.
            }

            if (added)
            {
                kept.Add(entry);
            }
        }

        foreach (var entry in current)
        {
            if (!kept.Exists(k => k.Handle == entry.Handle))
            {
                entry.Handle.DangerousRelease();
            }
        }

        return kept.ToArray();
    }
}
