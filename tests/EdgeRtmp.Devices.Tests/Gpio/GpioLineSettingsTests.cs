using EdgeRtmp.Devices.Gpio;
using EdgeRtmp.Devices.Gpio.Native;

namespace EdgeRtmp.Devices.Tests.Gpio;

public sealed class GpioLineSettingsTests
{
    [Fact]
    public void An_input_asks_for_both_edges_bias_active_low_and_the_kernel_debounce_attribute()
    {
        var settings = new GpioLineSettings(Output: false, GpioBias.PullUp, new GpioLineOptions(ActiveLow: true, DebounceMicroseconds: 20_000), InitialValue: false);
        gpio_v2_line_config config = settings.ToConfig();
        Assert.Equal(
            GpioUapi.GPIO_V2_LINE_FLAG_INPUT | GpioUapi.GPIO_V2_LINE_FLAG_ACTIVE_LOW | GpioUapi.GPIO_V2_LINE_FLAG_BIAS_PULL_UP
                | GpioUapi.GPIO_V2_LINE_FLAG_EDGE_RISING | GpioUapi.GPIO_V2_LINE_FLAG_EDGE_FALLING,
            config.flags);
        Assert.Equal(1u, config.num_attrs);
        Assert.Equal(GpioUapi.GPIO_V2_LINE_ATTR_ID_DEBOUNCE, config.attrs[0].attr.id);
        Assert.Equal(20_000UL, config.attrs[0].attr.value);
        Assert.Equal(1UL, config.attrs[0].mask);
    }

    [Fact]
    public void An_output_sets_its_initial_value_at_request_time_and_its_drive()
    {
        var settings = new GpioLineSettings(Output: true, GpioBias.AsIs, new GpioLineOptions(Drive: GpioDrive.OpenDrain), InitialValue: true);
        gpio_v2_line_config config = settings.ToConfig();
        Assert.Equal(GpioUapi.GPIO_V2_LINE_FLAG_OUTPUT | GpioUapi.GPIO_V2_LINE_FLAG_OPEN_DRAIN, config.flags);
        Assert.Equal(1u, config.num_attrs);
        Assert.Equal(GpioUapi.GPIO_V2_LINE_ATTR_ID_OUTPUT_VALUES, config.attrs[0].attr.id);
        Assert.Equal(1UL, config.attrs[0].attr.value);
    }

    [Fact]
    public void An_input_without_debounce_has_no_attributes()
    {
        gpio_v2_line_config config = new GpioLineSettings(false, GpioBias.Disabled, default, false).ToConfig();
        Assert.Equal(0u, config.num_attrs);
        Assert.NotEqual(0UL, config.flags & GpioUapi.GPIO_V2_LINE_FLAG_BIAS_DISABLED);
    }
}
