namespace EdgeRtmp.Configuration;

// The configuration file's shape, bound by the configuration-binding source generator (AOT-safe).
// Property names are the configuration keys; defaults here are the built-in defaults and must match
// deploy/edgertmp.json. Values are checked by OptionsValidator, never trusted as bound.

/// <summary>The whole configuration: one property per top-level section.</summary>
public sealed class EdgeRtmpOptions
{
    public ServerOptions Server { get; set; } = new();
    public VideoOptions Video { get; set; } = new();
    public AudioOptions Audio { get; set; } = new();
    public List<PushTarget> Push { get; set; } = [];
    public GpioOptions Gpio { get; set; } = new();
    public RecordOptions Record { get; set; } = new();
}

public sealed class ServerOptions
{
    /// <summary>ADDR:PORT with an IP literal: <c>0.0.0.0:1935</c>, <c>127.0.0.1:1936</c>, <c>[::]:1935</c>.</summary>
    public string Listen { get; set; } = "0.0.0.0:1935";
    public string App { get; set; } = "live";
    public string Stream { get; set; } = "cam";
    public int ChunkSize { get; set; } = 4096;

    /// <summary>Empty or absent: external publishing is refused.</summary>
    public string? PublishKey { get; set; }

    /// <summary>Empty or absent: anyone allowed by <see cref="AllowPlay"/> may play.</summary>
    public string? PlayKey { get; set; }

    /// <summary>CIDR networks (or single addresses) players may connect from; empty allows all.</summary>
    public List<string> AllowPlay { get; set; } = [];
    public int MaxConnections { get; set; } = 200;

    /// <summary>Whole seconds.</summary>
    public int HandshakeTimeout { get; set; } = 10;

    /// <summary>Whole seconds.</summary>
    public int IdleTimeout { get; set; } = 60;
}

public sealed class VideoOptions
{
    /// <summary>auto | testcard | v4l2:/dev/videoN | exec:"COMMAND" | file:PATH.flv | none</summary>
    public string Source { get; set; } = "auto";
    public int Width { get; set; } = 640;
    public int Height { get; set; } = 360;
    public int Fps { get; set; } = 30;
    public int BitrateKbps { get; set; } = 2500;

    /// <summary>Frames between keyframes.</summary>
    public int KeyframeInterval { get; set; } = 60;

    /// <summary>Camera for <c>auto</c>: <c>auto</c> or a /dev path.</summary>
    public string Device { get; set; } = "auto";

    /// <summary>V4L2 M2M H.264 encoder: <c>auto</c>, <c>none</c> or a /dev path such as /dev/video11.</summary>
    public string Encoder { get; set; } = "auto";

    /// <summary>Command <c>auto</c> runs for a CSI camera; it must write H.264 Annex-B to stdout.</summary>
    public string Command { get; set; } = "rpicam-vid --codec h264 --inline -t 0 -o -";
}

public sealed class AudioOptions
{
    /// <summary>auto | tone | alsa:DEVICE | file:PATH.wav | exec:"COMMAND" | none</summary>
    public string Source { get; set; } = "auto";

    /// <summary>ALSA capture device <c>auto</c> uses.</summary>
    public string Device { get; set; } = "default";
    public int SampleRate { get; set; } = 48000;
    public int Channels { get; set; } = 1;
    public int BitrateKbps { get; set; } = 96;
}

public sealed class PushTarget
{
    public string Url { get; set; } = "";
    public bool Enabled { get; set; } = true;
}

public sealed class GpioOptions
{
    /// <summary><c>auto</c> (the SoC's pin controller found by label), a chip label, or a /dev/gpiochipN path.</summary>
    public string Chip { get; set; } = "auto";

    /// <summary><c>cdev</c>: ours, the kernel's GPIO character device; <c>libgpiod</c>: System.Device.Gpio's own driver.</summary>
    public string Driver { get; set; } = "cdev";

    /// <summary>Line names such as <c>GPIO17</c>; empty leaves the function unused.</summary>
    public string StatusLed { get; set; } = "";
    public string ErrorLed { get; set; } = "";
    public string ViewerLed { get; set; } = "";
    public string LiveButton { get; set; } = "";

    /// <summary>Toggles recording (needs <c>Record:Directory</c>).</summary>
    public string RecordButton { get; set; } = "";

    /// <summary>Buttons pull their line low when pressed (wired to ground; the line gets a pull-up). LEDs are always lit high.</summary>
    public bool ActiveLow { get; set; }
    public int LongPressMs { get; set; } = 3000;
}

public sealed class RecordOptions
{
    /// <summary>Whether recording runs from the start (with a record button, the button toggles it).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Empty: recording off. Otherwise an absolute directory for FLV segments.</summary>
    public string Directory { get; set; } = "";
    public int SegmentSeconds { get; set; } = 600;

    /// <summary>Total bytes kept before the oldest segments are deleted; 0: no limit.</summary>
    public long MaxBytes { get; set; }

    /// <summary>Free space the card keeps: below it recording stops (streaming goes on) and the error LED lights.</summary>
    public long MinFreeBytes { get; set; } = 256L * 1024 * 1024;
}
