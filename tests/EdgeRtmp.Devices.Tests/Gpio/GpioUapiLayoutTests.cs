using System.Diagnostics;
using System.Runtime.CompilerServices;
using EdgeRtmp.Devices.Gpio.Native;
using EdgeRtmp.Devices.Tests.Native;

namespace EdgeRtmp.Devices.Tests.Gpio;

/// <summary>
/// Our uAPI v2 structures and ioctl numbers against linux/gpio.h, compiled here (x86_64) and, with the arm64 cross
/// compiler and qemu-user, for aarch64: the box's architecture.
/// </summary>
public sealed unsafe class GpioUapiLayoutTests
{
    private const string Source = """
        #include <stdio.h>
        #include <stddef.h>
        #include <linux/gpio.h>
        #define S(t) printf(#t " %zu\n", sizeof(struct t));
        #define O(t, f) printf(#t "." #f " %zu\n", offsetof(struct t, f));
        #define N(n) printf(#n " 0x%lx\n", (unsigned long)(n));
        int main(void) {
          S(gpiochip_info) O(gpiochip_info, label) O(gpiochip_info, lines)
          S(gpio_v2_line_values) O(gpio_v2_line_values, mask)
          S(gpio_v2_line_attribute) O(gpio_v2_line_attribute, flags) O(gpio_v2_line_attribute, values) O(gpio_v2_line_attribute, debounce_period_us)
          S(gpio_v2_line_config_attribute) O(gpio_v2_line_config_attribute, mask)
          S(gpio_v2_line_config) O(gpio_v2_line_config, num_attrs) O(gpio_v2_line_config, attrs)
          S(gpio_v2_line_request) O(gpio_v2_line_request, consumer) O(gpio_v2_line_request, config) O(gpio_v2_line_request, num_lines)
          O(gpio_v2_line_request, event_buffer_size) O(gpio_v2_line_request, fd)
          S(gpio_v2_line_info) O(gpio_v2_line_info, consumer) O(gpio_v2_line_info, offset) O(gpio_v2_line_info, num_attrs)
          O(gpio_v2_line_info, flags) O(gpio_v2_line_info, attrs)
          S(gpio_v2_line_event) O(gpio_v2_line_event, id) O(gpio_v2_line_event, offset) O(gpio_v2_line_event, seqno) O(gpio_v2_line_event, line_seqno)
          N(GPIO_GET_CHIPINFO_IOCTL) N(GPIO_V2_GET_LINEINFO_IOCTL) N(GPIO_V2_GET_LINE_IOCTL) N(GPIO_V2_LINE_SET_CONFIG_IOCTL)
          N(GPIO_V2_LINE_GET_VALUES_IOCTL) N(GPIO_V2_LINE_SET_VALUES_IOCTL)
          N(GPIO_V2_LINE_FLAG_USED) N(GPIO_V2_LINE_FLAG_ACTIVE_LOW) N(GPIO_V2_LINE_FLAG_INPUT) N(GPIO_V2_LINE_FLAG_OUTPUT)
          N(GPIO_V2_LINE_FLAG_EDGE_RISING) N(GPIO_V2_LINE_FLAG_EDGE_FALLING) N(GPIO_V2_LINE_FLAG_OPEN_DRAIN) N(GPIO_V2_LINE_FLAG_OPEN_SOURCE)
          N(GPIO_V2_LINE_FLAG_BIAS_PULL_UP) N(GPIO_V2_LINE_FLAG_BIAS_PULL_DOWN) N(GPIO_V2_LINE_FLAG_BIAS_DISABLED) N(GPIO_V2_LINE_FLAG_EVENT_CLOCK_REALTIME)
          N(GPIO_V2_LINE_ATTR_ID_FLAGS) N(GPIO_V2_LINE_ATTR_ID_OUTPUT_VALUES) N(GPIO_V2_LINE_ATTR_ID_DEBOUNCE)
          N(GPIO_V2_LINE_EVENT_RISING_EDGE) N(GPIO_V2_LINE_EVENT_FALLING_EDGE)
          N(GPIO_MAX_NAME_SIZE) N(GPIO_V2_LINES_MAX) N(GPIO_V2_LINE_NUM_ATTRS_MAX)
          return 0;
        }
        """;

    private const string CrossCompiler = "aarch64-linux-gnu-gcc-12";
    private const string QemuUser = "qemu-aarch64-static";

    [Fact]
    public void Structures_and_numbers_match_the_kernel_header_on_this_machine() =>
        AssertMatches(KernelLayoutProbe.Run("gpio_layout", Source));

    /// <summary>
    /// The box is arm64: the same header compiled for aarch64 (the cross toolchain's linux/gpio.h) and run under
    /// qemu-user. scripts/test.sh installs gcc-12-aarch64-linux-gnu and qemu-user-static; a missing tool fails.
    /// </summary>
    [Fact]
    public void Structures_and_numbers_match_the_kernel_header_on_arm64()
    {
        string dir = Path.Combine(Path.GetTempPath(), "edgertmp-gpio-arm64-" + Environment.ProcessId);
        Directory.CreateDirectory(dir);
        string source = Path.Combine(dir, "gpio_layout.c");
        string binary = Path.Combine(dir, "gpio_layout");
        File.WriteAllText(source, Source);
        Run(CrossCompiler, "-static", "-O0", "-o", binary, source);
        string output = Run(QemuUser, binary);
        var values = new Dictionary<string, ulong>(StringComparer.Ordinal);
        foreach (string line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string[] parts = line.Split(' ', 2);
            values[parts[0]] = parts[1].StartsWith("0x", StringComparison.Ordinal) ? Convert.ToUInt64(parts[1][2..], 16) : ulong.Parse(parts[1]);
        }

        AssertMatches(values);
    }

    private static void AssertMatches(IReadOnlyDictionary<string, ulong> c)
    {
        Assert.Equal(c["gpiochip_info"], (ulong)sizeof(gpiochip_info));
        Assert.Equal(c["gpiochip_info.label"], Offset<gpiochip_info>(p => p->label));
        Assert.Equal(c["gpiochip_info.lines"], Offset<gpiochip_info>(p => &p->lines));

        Assert.Equal(c["gpio_v2_line_values"], (ulong)sizeof(gpio_v2_line_values));
        Assert.Equal(c["gpio_v2_line_values.mask"], Offset<gpio_v2_line_values>(p => &p->mask));

        Assert.Equal(c["gpio_v2_line_attribute"], (ulong)sizeof(gpio_v2_line_attribute));
        ulong value = Offset<gpio_v2_line_attribute>(p => &p->value);
        Assert.Equal(c["gpio_v2_line_attribute.flags"], value);
        Assert.Equal(c["gpio_v2_line_attribute.values"], value);
        Assert.Equal(c["gpio_v2_line_attribute.debounce_period_us"], value);

        Assert.Equal(c["gpio_v2_line_config_attribute"], (ulong)sizeof(gpio_v2_line_config_attribute));
        Assert.Equal(c["gpio_v2_line_config_attribute.mask"], Offset<gpio_v2_line_config_attribute>(p => &p->mask));

        Assert.Equal(c["gpio_v2_line_config"], (ulong)sizeof(gpio_v2_line_config));
        Assert.Equal(c["gpio_v2_line_config.num_attrs"], Offset<gpio_v2_line_config>(p => &p->num_attrs));
        Assert.Equal(c["gpio_v2_line_config.attrs"], Offset<gpio_v2_line_config>(p => &p->attrs));

        Assert.Equal(c["gpio_v2_line_request"], (ulong)sizeof(gpio_v2_line_request));
        Assert.Equal(c["gpio_v2_line_request.consumer"], Offset<gpio_v2_line_request>(p => p->consumer));
        Assert.Equal(c["gpio_v2_line_request.config"], Offset<gpio_v2_line_request>(p => &p->config));
        Assert.Equal(c["gpio_v2_line_request.num_lines"], Offset<gpio_v2_line_request>(p => &p->num_lines));
        Assert.Equal(c["gpio_v2_line_request.event_buffer_size"], Offset<gpio_v2_line_request>(p => &p->event_buffer_size));
        Assert.Equal(c["gpio_v2_line_request.fd"], Offset<gpio_v2_line_request>(p => &p->fd));

        Assert.Equal(c["gpio_v2_line_info"], (ulong)sizeof(gpio_v2_line_info));
        Assert.Equal(c["gpio_v2_line_info.consumer"], Offset<gpio_v2_line_info>(p => p->consumer));
        Assert.Equal(c["gpio_v2_line_info.offset"], Offset<gpio_v2_line_info>(p => &p->offset));
        Assert.Equal(c["gpio_v2_line_info.num_attrs"], Offset<gpio_v2_line_info>(p => &p->num_attrs));
        Assert.Equal(c["gpio_v2_line_info.flags"], Offset<gpio_v2_line_info>(p => &p->flags));
        Assert.Equal(c["gpio_v2_line_info.attrs"], Offset<gpio_v2_line_info>(p => &p->attrs));

        Assert.Equal(c["gpio_v2_line_event"], (ulong)sizeof(gpio_v2_line_event));
        Assert.Equal(c["gpio_v2_line_event.id"], Offset<gpio_v2_line_event>(p => &p->id));
        Assert.Equal(c["gpio_v2_line_event.offset"], Offset<gpio_v2_line_event>(p => &p->offset));
        Assert.Equal(c["gpio_v2_line_event.seqno"], Offset<gpio_v2_line_event>(p => &p->seqno));
        Assert.Equal(c["gpio_v2_line_event.line_seqno"], Offset<gpio_v2_line_event>(p => &p->line_seqno));

        Assert.Equal(GpioUapi.GPIO_GET_CHIPINFO_IOCTL, c["GPIO_GET_CHIPINFO_IOCTL"]);
        Assert.Equal(GpioUapi.GPIO_V2_GET_LINEINFO_IOCTL, c["GPIO_V2_GET_LINEINFO_IOCTL"]);
        Assert.Equal(GpioUapi.GPIO_V2_GET_LINE_IOCTL, c["GPIO_V2_GET_LINE_IOCTL"]);
        Assert.Equal(GpioUapi.GPIO_V2_LINE_SET_CONFIG_IOCTL, c["GPIO_V2_LINE_SET_CONFIG_IOCTL"]);
        Assert.Equal(GpioUapi.GPIO_V2_LINE_GET_VALUES_IOCTL, c["GPIO_V2_LINE_GET_VALUES_IOCTL"]);
        Assert.Equal(GpioUapi.GPIO_V2_LINE_SET_VALUES_IOCTL, c["GPIO_V2_LINE_SET_VALUES_IOCTL"]);

        Assert.Equal(GpioUapi.GPIO_V2_LINE_FLAG_USED, c["GPIO_V2_LINE_FLAG_USED"]);
        Assert.Equal(GpioUapi.GPIO_V2_LINE_FLAG_ACTIVE_LOW, c["GPIO_V2_LINE_FLAG_ACTIVE_LOW"]);
        Assert.Equal(GpioUapi.GPIO_V2_LINE_FLAG_INPUT, c["GPIO_V2_LINE_FLAG_INPUT"]);
        Assert.Equal(GpioUapi.GPIO_V2_LINE_FLAG_OUTPUT, c["GPIO_V2_LINE_FLAG_OUTPUT"]);
        Assert.Equal(GpioUapi.GPIO_V2_LINE_FLAG_EDGE_RISING, c["GPIO_V2_LINE_FLAG_EDGE_RISING"]);
        Assert.Equal(GpioUapi.GPIO_V2_LINE_FLAG_EDGE_FALLING, c["GPIO_V2_LINE_FLAG_EDGE_FALLING"]);
        Assert.Equal(GpioUapi.GPIO_V2_LINE_FLAG_OPEN_DRAIN, c["GPIO_V2_LINE_FLAG_OPEN_DRAIN"]);
        Assert.Equal(GpioUapi.GPIO_V2_LINE_FLAG_OPEN_SOURCE, c["GPIO_V2_LINE_FLAG_OPEN_SOURCE"]);
        Assert.Equal(GpioUapi.GPIO_V2_LINE_FLAG_BIAS_PULL_UP, c["GPIO_V2_LINE_FLAG_BIAS_PULL_UP"]);
        Assert.Equal(GpioUapi.GPIO_V2_LINE_FLAG_BIAS_PULL_DOWN, c["GPIO_V2_LINE_FLAG_BIAS_PULL_DOWN"]);
        Assert.Equal(GpioUapi.GPIO_V2_LINE_FLAG_BIAS_DISABLED, c["GPIO_V2_LINE_FLAG_BIAS_DISABLED"]);
        Assert.Equal(GpioUapi.GPIO_V2_LINE_FLAG_EVENT_CLOCK_REALTIME, c["GPIO_V2_LINE_FLAG_EVENT_CLOCK_REALTIME"]);
        Assert.Equal(GpioUapi.GPIO_V2_LINE_ATTR_ID_FLAGS, c["GPIO_V2_LINE_ATTR_ID_FLAGS"]);
        Assert.Equal(GpioUapi.GPIO_V2_LINE_ATTR_ID_OUTPUT_VALUES, c["GPIO_V2_LINE_ATTR_ID_OUTPUT_VALUES"]);
        Assert.Equal(GpioUapi.GPIO_V2_LINE_ATTR_ID_DEBOUNCE, c["GPIO_V2_LINE_ATTR_ID_DEBOUNCE"]);
        Assert.Equal(GpioUapi.GPIO_V2_LINE_EVENT_RISING_EDGE, c["GPIO_V2_LINE_EVENT_RISING_EDGE"]);
        Assert.Equal(GpioUapi.GPIO_V2_LINE_EVENT_FALLING_EDGE, c["GPIO_V2_LINE_EVENT_FALLING_EDGE"]);
        Assert.Equal((ulong)GpioUapi.GPIO_MAX_NAME_SIZE, c["GPIO_MAX_NAME_SIZE"]);
        Assert.Equal((ulong)GpioUapi.GPIO_V2_LINES_MAX, c["GPIO_V2_LINES_MAX"]);
        Assert.Equal((ulong)GpioUapi.GPIO_V2_LINE_NUM_ATTRS_MAX, c["GPIO_V2_LINE_NUM_ATTRS_MAX"]);
    }

    private static ulong Offset<T>(FieldAddress<T> field) where T : unmanaged
    {
        T value = default;
        T* start = &value;
        return (ulong)((byte*)field(start) - (byte*)start);
    }

    private delegate void* FieldAddress<T>(T* structure) where T : unmanaged;

    private static string Run(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"{file} is missing ({e.Message}): apt-get install gcc-12-aarch64-linux-gnu qemu-user-static (scripts/test.sh does).", e);
        }

        using (process)
        {
            Task<string> stdout = process.StandardOutput.ReadToEndAsync();
            string stderr = process.StandardError.ReadToEnd();
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, $"{file} exited with {process.ExitCode}: {stderr}");
            return stdout.Result;
        }
    }
}
