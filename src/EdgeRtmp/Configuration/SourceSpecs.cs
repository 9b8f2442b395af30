namespace EdgeRtmp.Configuration;

public enum VideoSourceKind
{
    Auto,
    TestCard,
    V4l2,
    Exec,
    File,
    None,
}

/// <summary>A parsed video source: <c>auto | testcard | v4l2:/dev/videoN | exec:"COMMAND" | file:PATH.flv | none</c>.</summary>
public sealed record VideoSourceSpec(VideoSourceKind Kind, string? Argument = null)
{
    public const string Syntax = "auto, testcard, v4l2:/dev/videoN, exec:\"COMMAND\", file:PATH.flv or none";

    public static VideoSourceSpec Auto { get; } = new(VideoSourceKind.Auto);
    public static VideoSourceSpec None { get; } = new(VideoSourceKind.None);

    /// <summary>Parses a source value; on failure <paramref name="error"/> says why (without the key).</summary>
    public static bool TryParse(string? text, out VideoSourceSpec spec, out string error)
    {
        spec = None;
        error = "";
        var (scheme, argument) = SplitScheme(text);
        switch (scheme)
        {
            case "auto" when argument is null:
                spec = Auto;
                return true;
            case "testcard" when argument is null:
                spec = new(VideoSourceKind.TestCard);
                return true;
            case "none" when argument is null:
                spec = None;
                return true;
            case "v4l2":
                if (argument is null || !argument.StartsWith("/dev/", StringComparison.Ordinal) || argument.Length <= "/dev/".Length)
                {
                    error = "v4l2: needs a device path such as v4l2:/dev/video0";
                    return false;
                }

                spec = new(VideoSourceKind.V4l2, argument);
                return true;
            case "exec":
                var command = Unquote(argument ?? "");
                if (command.Length == 0)
                {
                    error = "exec: needs a command, such as exec:\"rpicam-vid --codec h264 --inline -t 0 -o -\"";
                    return false;
                }

                spec = new(VideoSourceKind.Exec, command);
                return true;
            case "file":
                var path = Unquote(argument ?? "");
                if (path.Length == 0 || !path.EndsWith(".flv", StringComparison.OrdinalIgnoreCase))
                {
                    error = "file: needs an FLV file path, such as file:/var/lib/edgertmp/loop.flv";
                    return false;
                }

                spec = new(VideoSourceKind.File, path);
                return true;
            default:
                error = "unknown video source; expected " + Syntax;
                return false;
        }
    }

    public override string ToString() => Kind switch
    {
        VideoSourceKind.Auto => "auto",
        VideoSourceKind.TestCard => "testcard",
        VideoSourceKind.V4l2 => "v4l2:" + Argument,
        VideoSourceKind.Exec => "exec:\"" + Argument + "\"",
        VideoSourceKind.File => "file:" + Argument,
        _ => "none",
    };

    /// <summary><c>scheme:argument</c> → (lower-case scheme, trimmed argument or null when there is no colon).</summary>
    internal static (string Scheme, string? Argument) SplitScheme(string? text)
    {
        var value = text?.Trim() ?? "";
        var colon = value.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? (value.ToLowerInvariant(), null) : (value[..colon].ToLowerInvariant(), value[(colon + 1)..].Trim());
    }

    internal static string Unquote(string value) =>
        value.Length >= 2 && value[0] == '"' && value[^1] == '"' ? value[1..^1].Trim() : value;
}

public enum AudioSourceKind
{
    Auto,
    Tone,
    Alsa,
    None,
    File,
    Exec,
}

/// <summary>A parsed audio source: <c>auto | tone | alsa:DEVICE | file:PATH.wav | exec:"COMMAND" | none</c>.</summary>
/// <param name="Device">The ALSA device, the WAV file's path or the command, by <paramref name="Kind"/>.</param>
public sealed record AudioSourceSpec(AudioSourceKind Kind, string? Device = null)
{
    public const string Syntax = "auto, tone, alsa:DEVICE, file:PATH.wav, exec:\"COMMAND\" (ADTS on stdout) or none";

    public static AudioSourceSpec Auto { get; } = new(AudioSourceKind.Auto);
    public static AudioSourceSpec None { get; } = new(AudioSourceKind.None);

    public static bool TryParse(string? text, out AudioSourceSpec spec, out string error)
    {
        spec = None;
        error = "";
        var (scheme, argument) = VideoSourceSpec.SplitScheme(text);
        switch (scheme)
        {
            case "auto" when argument is null:
                spec = Auto;
                return true;
            case "tone" when argument is null:
                spec = new(AudioSourceKind.Tone);
                return true;
            case "none" when argument is null:
                spec = None;
                return true;
            case "alsa":
                var device = VideoSourceSpec.Unquote(argument ?? "");
                if (device.Length == 0 || device.Any(char.IsWhiteSpace))
                {
                    error = "alsa: needs an ALSA device name, such as alsa:default or alsa:hw:1,0";
                    return false;
                }

                spec = new(AudioSourceKind.Alsa, device);
                return true;
            case "file":
                var path = VideoSourceSpec.Unquote(argument ?? "");
                if (path.Length == 0 || !path.EndsWith(".wav", StringComparison.OrdinalIgnoreCase))
                {
                    error = "file: needs a WAV file path, such as file:/var/lib/edgertmp/loop.wav";
                    return false;
                }

                spec = new(AudioSourceKind.File, path);
                return true;
            case "exec":
                var command = VideoSourceSpec.Unquote(argument ?? "");
                if (command.Length == 0)
                {
                    error = "exec: needs a command that writes ADTS AAC to stdout, such as exec:\"ffmpeg -f alsa -i hw:1 -c:a aac -f adts -\"";
                    return false;
                }

                spec = new(AudioSourceKind.Exec, command);
                return true;
            default:
                error = "unknown audio source; expected " + Syntax;
                return false;
        }
    }

    public override string ToString() => Kind switch
    {
        AudioSourceKind.Auto => "auto",
        AudioSourceKind.Tone => "tone",
        AudioSourceKind.Alsa => "alsa:" + Device,
        AudioSourceKind.File => "file:" + Device,
        AudioSourceKind.Exec => "exec:\"" + Device + "\"",
        _ => "none",
    };
}
