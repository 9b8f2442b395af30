using System.Globalization;
using EdgeRtmp.Devices.V4l2;
using EdgeRtmp.Pipeline.Camera;

namespace EdgeRtmp.Cli;

/// <summary>An audio capture device: the ALSA name to open and a description for people.</summary>
public sealed record AudioCaptureEntry(string Name, string Description);

/// <summary>A GPIO line in use, and by whom (the consumer label of the program holding it).</summary>
public sealed record GpioLineEntry(int Offset, string Name, string Consumer);

/// <summary>A GPIO chip: node, kernel name, label, line count, lines in use (null: not known to this inventory).</summary>
public sealed record GpioChipEntry(string Path, string Name, string Label, int Lines, IReadOnlyList<GpioLineEntry>? LinesInUse);

/// <summary>A section's entries and, when the inventory behind it is a minimal one, what it cannot tell.</summary>
public sealed record DeviceSection<T>(IReadOnlyList<T> Entries, string? Limitation = null);

/// <summary>
/// Where <c>edgertmp devices</c> gets each section. Each section is a function so a subsystem's inventory plugs in
/// without touching the command: V4L2 (Devices/V4l2), ALSA (Devices/Alsa), GPIO (Devices/Gpio). The
/// <see cref="MinimalInventories"/> read the kernel's text lists instead, for tests and as a fallback.
/// </summary>
public sealed record DeviceReportSources
{
    public Func<CameraEnvironment> Video { get; init; } = () => CameraSources.Probe();

    public Func<DeviceSection<AudioCaptureEntry>> Audio { get; init; } = () => new(
        [.. Devices.Alsa.AlsaDevices.ListCapture().Select(device => new AudioCaptureEntry(device.Name, device.Description))]);

    public Func<DeviceSection<GpioChipEntry>> Gpio { get; init; } = () => new(
        [.. Devices.Gpio.GpioChips.List().Select(chip => new GpioChipEntry(
            chip.Path,
            chip.Name,
            chip.Label,
            chip.Lines.Count,
            [.. chip.Lines.Where(line => line.Used).Select(line => new GpioLineEntry(line.Offset, line.Name, line.Consumer))]))]);
}

/// <summary>Everything <c>edgertmp devices</c> reports, collected once.</summary>
public sealed record DeviceReport(
    CameraEnvironment Video,
    CameraDecision Auto,
    DeviceSection<AudioCaptureEntry> Audio,
    DeviceSection<GpioChipEntry> Gpio)
{
    public bool IsEmpty => Video.Inventory.Cameras.Count == 0 && Video.Inventory.Codecs.Count == 0 && Audio.Entries.Count == 0 && Gpio.Entries.Count == 0;

    public static DeviceReport Collect(DeviceReportSources sources, Configuration.VideoOptions video)
    {
        ArgumentNullException.ThrowIfNull(sources);
        CameraEnvironment environment = sources.Video();
        return new DeviceReport(environment, CameraSelector.ChooseAuto(environment, video), sources.Audio(), sources.Gpio());
    }
}

/// <summary>Audio and GPIO lists read straight from the kernel's text interfaces, without opening devices.</summary>
public static class MinimalInventories
{
    /// <summary>Capture PCMs from /proc/asound/pcm (<c>00-01: Loopback PCM : Loopback PCM : playback 8 : capture 8</c>).</summary>
    public static DeviceSection<AudioCaptureEntry> AudioCapture(string procAsound)
    {
        var entries = new List<AudioCaptureEntry>();
        string list = Path.Combine(procAsound, "pcm");
        string text = TryRead(list) ?? "";
        foreach (string line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string[] fields = line.Split(':', StringSplitOptions.TrimEntries);
            if (fields.Length < 3 || !fields.Skip(2).Any(f => f.StartsWith("capture ", StringComparison.Ordinal)))
            {
                continue;
            }

            string[] numbers = fields[0].Split('-');
            if (numbers.Length == 2
                && int.TryParse(numbers[0], NumberStyles.None, CultureInfo.InvariantCulture, out int card)
                && int.TryParse(numbers[1], NumberStyles.None, CultureInfo.InvariantCulture, out int device))
            {
                entries.Add(new AudioCaptureEntry(string.Create(CultureInfo.InvariantCulture, $"hw:{card},{device}"), fields[1]));
            }
        }

        return new DeviceSection<AudioCaptureEntry>(entries);
    }

    /// <summary>
    /// GPIO chips: the /dev/gpiochipN nodes, with label and line count from /sys/class/gpio when the kernel has the
    /// sysfs GPIO class. Which lines are in use needs the character device's line info, which this list does not read.
    /// </summary>
    public static DeviceSection<GpioChipEntry> GpioChips(string devDirectory, string sysClassGpio)
    {
        var labels = new Dictionary<string, (string Label, int Lines)>(StringComparer.Ordinal);
        if (Directory.Exists(sysClassGpio))
        {
            foreach (string chip in Directory.EnumerateDirectories(sysClassGpio, "gpiochip*"))
            {
                string? device = TryResolveName(Path.Combine(chip, "device"));
                string label = TryRead(Path.Combine(chip, "label"))?.Trim() ?? "";
                int.TryParse(TryRead(Path.Combine(chip, "ngpio"))?.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int lines);
                if (device is not null)
                {
                    labels[device] = (label, lines);
                }
            }
        }

        var entries = new List<GpioChipEntry>();
        if (Directory.Exists(devDirectory))
        {
            foreach (string path in Directory.EnumerateFileSystemEntries(devDirectory, "gpiochip*").Order(StringComparer.Ordinal))
            {
                string name = Path.GetFileName(path);
                (string label, int lines) = labels.GetValueOrDefault(name, ("", 0));
                entries.Add(new GpioChipEntry(path, name, label, lines, null));
            }
        }

        return new DeviceSection<GpioChipEntry>(entries, entries.Count == 0 ? null : "lines in use are not read by this build's minimal GPIO list");
    }

    private static string? TryRead(string path)
    {
        try
        {
            return File.Exists(path) ? File.ReadAllText(path) : null;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string? TryResolveName(string link)
    {
        try
        {
            FileSystemInfo? target = File.ResolveLinkTarget(link, returnFinalTarget: false);
            return target is null ? null : Path.GetFileName(target.FullName);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
