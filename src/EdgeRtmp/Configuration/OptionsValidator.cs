using System.Globalization;
using System.Net;

namespace EdgeRtmp.Configuration;

/// <summary>
/// Checks bound options and parses their strings. The first bad value throws one
/// <see cref="ConfigurationException"/> naming the key, the value and the rule it breaks.
/// </summary>
public static class OptionsValidator
{
    private static readonly int[] s_sampleRates = [8000, 11025, 16000, 22050, 24000, 32000, 44100, 48000];

    public static AppSettings Validate(EdgeRtmpOptions options, string? configFile = null, IReadOnlyList<string>? warnings = null)
    {
        ArgumentNullException.ThrowIfNull(options);

        var server = options.Server;
        if (!ListenAddress.TryParse(server.Listen, out var listen))
        {
            throw ConfigurationException.ForValue("Server:Listen", server.Listen, ListenAddress.Expected);
        }

        CheckName("Server:App", server.App);
        CheckName("Server:Stream", server.Stream);
        CheckRange("Server:ChunkSize", server.ChunkSize, 128, 65536);
        server.PublishKey = CheckKey("Server:PublishKey", server.PublishKey);
        server.PlayKey = CheckKey("Server:PlayKey", server.PlayKey);
        var allowPlay = new List<IPNetwork>(server.AllowPlay.Count);
        for (var i = 0; i < server.AllowPlay.Count; i++)
        {
            allowPlay.Add(ParseNetwork($"Server:AllowPlay[{i}]", server.AllowPlay[i]));
        }

        CheckRange("Server:MaxConnections", server.MaxConnections, 1, 10000);
        CheckRange("Server:HandshakeTimeout", server.HandshakeTimeout, 1, 300, " seconds");
        CheckRange("Server:IdleTimeout", server.IdleTimeout, 5, 3600, " seconds");

        var video = options.Video;
        if (!VideoSourceSpec.TryParse(video.Source, out var videoSource, out var videoError))
        {
            throw ConfigurationException.ForValue("Video:Source", video.Source, videoError);
        }

        if (videoSource.Kind == VideoSourceKind.File && !File.Exists(videoSource.Argument))
        {
            throw ConfigurationException.ForValue("Video:Source", video.Source, "no such file (the FLV file must exist and be readable)");
        }

        CheckEven("Video:Width", video.Width, 16, 4096);
        CheckEven("Video:Height", video.Height, 16, 4096);
        CheckRange("Video:Fps", video.Fps, 1, 120);
        CheckRange("Video:BitrateKbps", video.BitrateKbps, 25, 25000);
        CheckRange("Video:KeyframeInterval", video.KeyframeInterval, 1, 1200, " frames");
        CheckDevice("Video:Device", video.Device, "auto", "/dev/video0");
        CheckDevice("Video:Encoder", video.Encoder, "auto", "/dev/video11", allowNone: true);
        if (string.IsNullOrWhiteSpace(video.Command))
        {
            throw ConfigurationException.ForValue("Video:Command", video.Command, "must not be empty");
        }

        var audio = options.Audio;
        if (!AudioSourceSpec.TryParse(audio.Source, out var audioSource, out var audioError))
        {
            throw ConfigurationException.ForValue("Audio:Source", audio.Source, audioError);
        }

        if (audioSource.Kind == AudioSourceKind.File && !File.Exists(audioSource.Device))
        {
            throw ConfigurationException.ForValue("Audio:Source", audio.Source, "no such file (the WAV file must exist and be readable)");
        }

        if (string.IsNullOrWhiteSpace(audio.Device) || audio.Device.Any(char.IsWhiteSpace))
        {
            throw ConfigurationException.ForValue("Audio:Device", audio.Device, "must be an ALSA device name such as default or hw:1,0");
        }

        if (!s_sampleRates.Contains(audio.SampleRate))
        {
            throw ConfigurationException.ForValue(
                "Audio:SampleRate", Number(audio.SampleRate), "must be one of " + string.Join(", ", s_sampleRates), quote: false);
        }

        CheckRange("Audio:Channels", audio.Channels, 1, 2);
        CheckRange("Audio:BitrateKbps", audio.BitrateKbps, EdgeRtmp.Media.Aac.AacEncoderOptions.MinBitrateKbps, EdgeRtmp.Media.Aac.AacEncoderOptions.MaxBitrateKbps);
        try
        {
            new EdgeRtmp.Media.Aac.AacEncoderOptions(audio.SampleRate, audio.Channels, audio.BitrateKbps).Validate();
        }
        catch (ArgumentException exception)
        {
            // The encoder's limits that depend on the rate and channels together (bits per frame).
            throw ConfigurationException.ForValue("Audio:BitrateKbps", Number(audio.BitrateKbps), exception.Message, quote: false);
        }

        for (var i = 0; i < options.Push.Count; i++)
        {
            CheckPushUrl($"Push[{i}]:Url", options.Push[i].Url);
        }

        CheckGpio(options.Gpio);

        var record = options.Record;
        if (record.Directory.Length > 0 && !Path.IsPathRooted(record.Directory))
        {
            throw ConfigurationException.ForValue("Record:Directory", record.Directory, "must be empty (recording off) or an absolute path");
        }

        CheckRange("Record:SegmentSeconds", record.SegmentSeconds, 10, 86400, " seconds");
        if (record.MaxBytes != 0 && record.MaxBytes < 1024 * 1024)
        {
            throw ConfigurationException.ForValue("Record:MaxBytes", Number(record.MaxBytes), "must be 0 (no limit) or at least 1048576", quote: false);
        }

        if (record.MinFreeBytes < 0)
        {
            throw ConfigurationException.ForValue("Record:MinFreeBytes", Number(record.MinFreeBytes), "must be 0 or more", quote: false);
        }

        if (options.Gpio.RecordButton.Length > 0 && record.Directory.Length == 0)
        {
            throw ConfigurationException.ForValue("Gpio:RecordButton", options.Gpio.RecordButton, "needs Record:Directory (where recordings go)");
        }

        return new AppSettings(options, listen, allowPlay, videoSource, audioSource, configFile, warnings ?? []);
    }

    private static void CheckRange(string key, int value, int min, int max, string unit = "")
    {
        if (value < min || value > max)
        {
            throw ConfigurationException.ForValue(key, Number(value), $"must be {Number(min)} to {Number(max)}{unit}", quote: false);
        }
    }

    private static void CheckEven(string key, int value, int min, int max)
    {
        if (value < min || value > max || value % 2 != 0)
        {
            throw ConfigurationException.ForValue(key, Number(value), $"must be an even number from {Number(min)} to {Number(max)}", quote: false);
        }
    }

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    // App and stream names end up in URLs and file names.
    private static void CheckName(string key, string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Length > 64 || !value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            throw ConfigurationException.ForValue(key, value, "must be 1 to 64 letters, digits, '-', '_' or '.'");
        }
    }

    // Keys are secrets: the message says what is wrong without echoing them into the journal.
    private static string? CheckKey(string key, string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        if (value.Length > 256 || !value.All(c => c is > ' ' and < '\x7F' and not ('&' or '?' or '/' or '#')))
        {
            throw new ConfigurationException($"{key} = (hidden): must be up to 256 printable ASCII characters without spaces, '&', '?', '/' or '#'");
        }

        return value;
    }

    private static IPNetwork ParseNetwork(string key, string? value)
    {
        var text = value?.Trim() ?? "";
        if (IPNetwork.TryParse(text, out var network))
        {
            // IPNetwork masks host bits away; "10.0.0.1/8" is more likely a typo than a way to write 10.0.0.0/8.
            var slash = text.IndexOf('/', StringComparison.Ordinal);
            if (IPAddress.TryParse(text[..slash], out var written) && !written.Equals(network.BaseAddress))
            {
                throw ConfigurationException.ForValue(key, value, $"not a CIDR network: bits are set after the prefix (did you mean {network}?)");
            }

            return network;
        }

        // A single address is its own network (/32 or /128).
        if (!text.Contains('/', StringComparison.Ordinal) && IPAddress.TryParse(text, out var address) && text.Contains(address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? '.' : ':'))
        {
            return new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128);
        }

        throw ConfigurationException.ForValue(key, value, "not a CIDR network (such as 192.168.1.0/24, with no bits set after the prefix)");
    }

    private static void CheckDevice(string key, string? value, string automatic, string example, bool allowNone = false)
    {
        if (string.Equals(value, automatic, StringComparison.OrdinalIgnoreCase) ||
            (allowNone && string.Equals(value, "none", StringComparison.OrdinalIgnoreCase)) ||
            (value is not null && value.StartsWith("/dev/", StringComparison.Ordinal) && value.Length > 5))
        {
            return;
        }

        var choices = allowNone ? $"{automatic}, none or a device path such as {example}" : $"{automatic} or a device path such as {example}";
        throw ConfigurationException.ForValue(key, value, "must be " + choices);
    }

    private static void CheckPushUrl(string key, string? value)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != "rtmp" && uri.Scheme != "rtmps"))
        {
            throw ConfigurationException.ForValue(key, value, "must be rtmp:// or rtmps://");
        }

        if (uri.Host.Length == 0 || uri.AbsolutePath.Trim('/').Length == 0)
        {
            throw ConfigurationException.ForValue(key, value, "needs a host and an application path, such as rtmp://host/app/streamkey");
        }
    }

    private static void CheckGpio(GpioOptions gpio)
    {
        if (string.IsNullOrWhiteSpace(gpio.Chip) || gpio.Chip.Length > 64 || gpio.Chip.Any(char.IsWhiteSpace))
        {
            throw ConfigurationException.ForValue("Gpio:Chip", gpio.Chip, "must be auto, a chip label such as pinctrl-rp1, or a path such as /dev/gpiochip0");
        }

        var used = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, line) in (ReadOnlySpan<(string, string)>)[
                     ("Gpio:StatusLed", gpio.StatusLed), ("Gpio:ErrorLed", gpio.ErrorLed),
                     ("Gpio:ViewerLed", gpio.ViewerLed), ("Gpio:LiveButton", gpio.LiveButton), ("Gpio:RecordButton", gpio.RecordButton)])
        {
            if (string.IsNullOrEmpty(line))
            {
                continue;
            }

            // The kernel's line names and consumer labels are at most 31 characters.
            if (line.Length > 31 || !line.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            {
                throw ConfigurationException.ForValue(key, line, "must be empty (unused) or a line name such as GPIO17");
            }

            if (!used.TryAdd(line, key))
            {
                throw ConfigurationException.ForValue(key, line, "already used by " + used[line]);
            }
        }

        CheckRange("Gpio:LongPressMs", gpio.LongPressMs, 500, 30000, " ms");
        if (gpio.Driver is not ("cdev" or "libgpiod"))
        {
            throw ConfigurationException.ForValue("Gpio:Driver", gpio.Driver, "must be cdev (the kernel's GPIO character device, default) or libgpiod");
        }
    }
}
