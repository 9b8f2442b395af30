using EdgeRtmp.Devices.Gpio.Native;

namespace EdgeRtmp.Devices.Gpio;

public enum GpioBias
{
    /// <summary>Leave the bias as the board configured it (device tree, firmware).</summary>
    AsIs,
    Disabled,
    PullUp,
    PullDown,
}

public enum GpioDrive
{
    PushPull,
    OpenDrain,
    OpenSource,
}

/// <summary>
/// What GpioController's PinMode cannot say about a line: active-low, drive, kernel debounce. Set per line on
/// <see cref="GpioChipDriver.ConfigureLine"/> before the pin is opened; PinMode then adds direction and bias.
/// </summary>
public readonly record struct GpioLineOptions(bool ActiveLow = false, GpioDrive Drive = GpioDrive.PushPull, uint DebounceMicroseconds = 0);

/// <summary>Everything one line request asks of the kernel.</summary>
internal readonly record struct GpioLineSettings(
    bool Output,
    GpioBias Bias,
    GpioLineOptions Options,
    bool InitialValue)
{
    /// <summary>
    /// The uAPI v2 line configuration for these settings. Inputs always ask for both edges: the event thread reads them
    /// whether or not someone listens, so the kernel's event buffer never overflows and a callback added later sees
    /// every edge from then on.
    /// </summary>
    public gpio_v2_line_config ToConfig()
    {
        var config = default(gpio_v2_line_config);
        ulong flags = Output ? GpioUapi.GPIO_V2_LINE_FLAG_OUTPUT : GpioUapi.GPIO_V2_LINE_FLAG_INPUT;
        if (Options.ActiveLow)
        {
            flags |= GpioUapi.GPIO_V2_LINE_FLAG_ACTIVE_LOW;
        }

        flags |= Bias switch
        {
            GpioBias.Disabled => GpioUapi.GPIO_V2_LINE_FLAG_BIAS_DISABLED,
            GpioBias.PullUp => GpioUapi.GPIO_V2_LINE_FLAG_BIAS_PULL_UP,
            GpioBias.PullDown => GpioUapi.GPIO_V2_LINE_FLAG_BIAS_PULL_DOWN,
            _ => 0,
        };

        if (Output)
        {
            // The kernel refuses drive flags on inputs (EINVAL), and edge flags on outputs.
            flags |= Options.Drive switch
            {
                GpioDrive.OpenDrain => GpioUapi.GPIO_V2_LINE_FLAG_OPEN_DRAIN,
                GpioDrive.OpenSource => GpioUapi.GPIO_V2_LINE_FLAG_OPEN_SOURCE,
                _ => 0,
            };
            // OUTPUT_VALUES sets the level at request time, so the line never glitches through the other value.
            config.attrs[0] = new gpio_v2_line_config_attribute
            {
                attr = new gpio_v2_line_attribute { id = GpioUapi.GPIO_V2_LINE_ATTR_ID_OUTPUT_VALUES, value = InitialValue ? 1UL : 0UL },
                mask = 1,
            };
            config.num_attrs = 1;
        }
        else
        {
            flags |= GpioUapi.GPIO_V2_LINE_FLAG_EDGE_RISING | GpioUapi.GPIO_V2_LINE_FLAG_EDGE_FALLING;
            if (Options.DebounceMicroseconds != 0)
            {
                config.attrs[0] = new gpio_v2_line_config_attribute
                {
                    attr = new gpio_v2_line_attribute { id = GpioUapi.GPIO_V2_LINE_ATTR_ID_DEBOUNCE, value = Options.DebounceMicroseconds },
                    mask = 1,
                };
                config.num_attrs = 1;
            }
        }

        config.flags = flags;
        return config;
    }
}
