using System.Device.Gpio;
using EdgeRtmp.Configuration;
using EdgeRtmp.Panel;
using Microsoft.Extensions.Time.Testing;

namespace EdgeRtmp.Tests.Panel;

public sealed class GpioPanelTests
{
    private const int Status = 0, Error = 1, Viewer = 2, Live = 3, Record = 4;
    private static readonly GpioPanelLines Lines = new(Status, Error, Viewer, Live, Record);
    private static readonly PanelOptions Options = new(UpstreamCount: 1, UpstreamWanted: false, TimeSpan.FromSeconds(3), TimeSpan.FromMilliseconds(GpioPanel.DebounceMs));

    [Fact]
    public void Leds_are_outputs_and_buttons_inputs_with_the_pull_their_wiring_needs()
    {
        var driver = new FakeGpioDriver(8);
        using var panel = new GpioPanel(driver, Lines, buttonsActiveLow: true, Options, new FakeTimeProvider());
        Assert.Equal(PinMode.Output, driver.Mode(Status));
        Assert.Equal(PinMode.Output, driver.Mode(Error));
        Assert.Equal(PinMode.Output, driver.Mode(Viewer));
        Assert.Equal(PinMode.InputPullUp, driver.Mode(Live));
        Assert.Equal(PinMode.InputPullUp, driver.Mode(Record));
    }

    [Fact]
    public void An_active_low_button_pressed_and_released_toggles_going_live_and_the_status_led_blinks_on_its_line()
    {
        var time = new FakeTimeProvider();
        var driver = new FakeGpioDriver(8);
        driver.Drive(Live, high: true);
        using var panel = new GpioPanel(driver, Lines, buttonsActiveLow: true, Options, time);
        var wanted = new List<bool>();
        panel.Panel.UpstreamWantedChanged += wanted.Add;
        Assert.Equal(PinValue.High, driver.Value(Status));
        time.Advance(TimeSpan.FromMilliseconds(500));
        Assert.Equal(PinValue.Low, driver.Value(Status));

        driver.Drive(Live, high: false);
        time.Advance(TimeSpan.FromMilliseconds(100));
        driver.Drive(Live, high: true);
        Assert.Equal([true], wanted);
        Assert.Equal(LedPattern.FastBlink, panel.Panel.Leds.Status);
    }

    /// <summary>FakeTimeProvider.Advance allocates on its own (40 bytes per call here): measured with a no-op timer and subtracted.</summary>
    [Fact]
    public void Blinking_through_GpioController_allocates_nothing()
    {
        long clockOnly = AdvanceAllocations(new FakeTimeProvider(), out _);
        var time = new FakeTimeProvider();
        var driver = new FakeGpioDriver(8);
        using var panel = new GpioPanel(driver, Lines, buttonsActiveLow: false, Options, time);
        panel.Panel.SetUpstream(0, Net.Client.PublisherStateKind.Connecting);
        time.Advance(TimeSpan.FromSeconds(1));
        int writesBefore = driver.Writes;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(500));
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(1000, driver.Writes - writesBefore);
        Assert.Equal(clockOnly, allocated);
    }

    private static long AdvanceAllocations(FakeTimeProvider time, out int ticks)
    {
        int count = 0;
        using ITimer timer = time.CreateTimer(_ => count++, null, TimeSpan.FromMilliseconds(500), TimeSpan.FromMilliseconds(500));
        time.Advance(TimeSpan.FromSeconds(1));
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(500));
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        ticks = count;
        return allocated;
    }

    [Fact]
    public void No_line_configured_means_no_panel_and_no_chip_opened()
    {
        Assert.Null(GpioPanel.Open(new GpioOptions { Chip = "/nonexistent/gpiochip0" }, Options, TimeProvider.System));
    }

    [Fact]
    public void A_missing_chip_is_a_device_error_naming_it()
    {
        var error = Assert.Throws<Devices.DeviceException>(() =>
            GpioPanel.Open(new GpioOptions { Chip = "/nonexistent/gpiochip7", StatusLed = "GPIO17" }, Options, TimeProvider.System));
        Assert.Contains("/nonexistent/gpiochip7", error.Message, StringComparison.Ordinal);
    }
}
