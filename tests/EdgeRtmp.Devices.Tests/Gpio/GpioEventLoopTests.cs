using System.Device.Gpio;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using EdgeRtmp.Devices.Gpio;
using EdgeRtmp.Devices.Gpio.Native;
using EdgeRtmp.Devices.Native;

namespace EdgeRtmp.Devices.Tests.Gpio;

/// <summary>
/// The event thread over pipes that carry gpio_v2_line_event records, as a line request's descriptor does (the host
/// has no GPIO chip; the emulated box's gpio-sim is the real-kernel proof).
/// </summary>
public sealed unsafe partial class GpioEventLoopTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public void Events_written_to_a_watched_descriptor_reach_the_sink_with_their_pin()
    {
        var sink = new RecordingSink(expected: 3);
        using var loop = new GpioEventLoop(sink, "test-gpio-events");
        (FileDescriptorHandle readEnd, FileDescriptorHandle writeEnd) = Pipe();
        using (writeEnd)
        {
            loop.Watch(readEnd, pin: 17);
            WriteEvent(writeEnd, GpioUapi.GPIO_V2_LINE_EVENT_RISING_EDGE, seqno: 1);
            WriteEvent(writeEnd, GpioUapi.GPIO_V2_LINE_EVENT_FALLING_EDGE, seqno: 2);
            WriteEvent(writeEnd, GpioUapi.GPIO_V2_LINE_EVENT_RISING_EDGE, seqno: 3);
            Assert.True(sink.Done.Wait(Patience), "the event thread did not deliver three events");
            Assert.Equal([(17, 1u, 1u), (17, 2u, 2u), (17, 1u, 3u)], sink.Events);
            loop.Unwatch(readEnd);
            readEnd.Dispose();
        }
    }

    [Fact]
    public void A_descriptor_closed_while_watched_is_closed_by_the_loop_once_it_lets_go()
    {
        var sink = new RecordingSink(expected: 1);
        using var loop = new GpioEventLoop(sink, "test-gpio-events");
        (FileDescriptorHandle readEnd, FileDescriptorHandle writeEnd) = Pipe();
        using (writeEnd)
        {
            loop.Watch(readEnd, pin: 3);
            WriteEvent(writeEnd, GpioUapi.GPIO_V2_LINE_EVENT_RISING_EDGE, seqno: 1);
            Assert.True(sink.Done.Wait(Patience));
            loop.Unwatch(readEnd);
            readEnd.Dispose();
            // Once the loop has released its reference the read end is closed: writing then fails with EPIPE.
            var closed = new ManualResetEventSlim();
            for (int attempt = 0; attempt < 1000 && !closed.IsSet; attempt++)
            {
                gpio_v2_line_event e = default;
                if (Libc.write(writeEnd.Fd, &e, (nuint)sizeof(gpio_v2_line_event)) < 0 && Errno.Last == Errno.EPIPE)
                {
                    closed.Set();
                }
                else
                {
                    // Waits for the loop's wake-up to be handled, not for time: the loop answers every wake.
                    loop.Watch(writeEnd, pin: 99);
                    loop.Unwatch(writeEnd);
                    Thread.Yield();
                }
            }

            Assert.True(closed.IsSet, "the loop never released the unwatched descriptor");
        }
    }

    [Fact]
    public void Delivering_an_edge_to_a_GpioController_callback_allocates_nothing()
    {
        using var descriptor = new FileDescriptorHandle(Libc.eventfd(0, Libc.EFD_CLOEXEC));
        using var chip = new GpioChip(descriptor, "/dev/null", "gpiochip9", "test", 8);
        using var driver = new GpioChipDriver(chip);
        IGpioEventSink sink = driver;
        int calls = 0;
        PinEventTypes last = PinEventTypes.None;
        PinChangeEventHandler handler = (_, e) =>
        {
            calls++;
            last = e.ChangeType;
        };
        AddCallback(driver, 5, handler);
        var rising = new gpio_v2_line_event { id = GpioUapi.GPIO_V2_LINE_EVENT_RISING_EDGE, offset = 5 };
        var falling = new gpio_v2_line_event { id = GpioUapi.GPIO_V2_LINE_EVENT_FALLING_EDGE, offset = 5 };
        sink.OnLineEvent(5, rising);
        sink.OnLineEvent(5, falling);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10_000; i++)
        {
            sink.OnLineEvent(5, rising);
            sink.OnLineEvent(5, falling);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(20_002, calls);
        Assert.Equal(PinEventTypes.Falling, last);
        Assert.Equal(0, allocated);
    }

    [UnsafeAccessor(UnsafeAccessorKind.Method, Name = "AddCallbackForPinValueChangedEvent")]
    private static extern void AddCallback(GpioDriver driver, int pinNumber, PinEventTypes eventTypes, PinChangeEventHandler callback);

    private static void AddCallback(GpioChipDriver driver, int pin, PinChangeEventHandler handler) =>
        AddCallback((GpioDriver)driver, pin, PinEventTypes.Rising | PinEventTypes.Falling, handler);

    private static void WriteEvent(FileDescriptorHandle writeEnd, uint id, uint seqno)
    {
        var e = new gpio_v2_line_event { id = id, seqno = seqno, timestamp_ns = seqno * 1000UL };
        Assert.Equal(sizeof(gpio_v2_line_event), (int)Libc.write(writeEnd.Fd, &e, (nuint)sizeof(gpio_v2_line_event)));
    }

    private static (FileDescriptorHandle ReadEnd, FileDescriptorHandle WriteEnd) Pipe()
    {
        int* fds = stackalloc int[2];
        Assert.Equal(0, pipe2(fds, Libc.O_CLOEXEC));
        return (new FileDescriptorHandle(fds[0]), new FileDescriptorHandle(fds[1]));
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int pipe2(int* fds, int flags);

    private sealed class RecordingSink(int expected) : IGpioEventSink
    {
        public List<(int Pin, uint Id, uint Seqno)> Events { get; } = [];

        public ManualResetEventSlim Done { get; } = new();

        public void OnLineEvent(int pin, in gpio_v2_line_event lineEvent)
        {
            lock (Events)
            {
                Events.Add((pin, lineEvent.id, lineEvent.seqno));
                if (Events.Count == expected)
                {
                    Done.Set();
                }
            }
        }
    }
}
