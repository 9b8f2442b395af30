namespace EdgeRtmp.Media.Tests.H264;

/// <summary>One H.264 elementary stream made by libx264, with what ffprobe says about it.</summary>
public sealed record GeneratedStream(string Name, int Width, int Height, string Rate, string Profile, string ExtraParameters)
{
    public string AnnexBPath { get; set; } = "";
    public string FlvPath { get; set; } = "";
    public byte[] AnnexB { get; set; } = [];
    public Dictionary<string, string> Probe { get; set; } = [];

    public override string ToString() => Name;
}

/// <summary>
/// Makes the test streams once per test run with ffmpeg (libx264): several sizes (with and without cropping),
/// the three common profiles, a scaling matrix and a fractional frame rate; also muxes each into FLV so the
/// AVC sequence header FFmpeg writes can be compared with ours.
/// </summary>
public sealed class FfmpegStreamsFixture : IDisposable
{
    private readonly TempDirectory _directory = new();

    public static readonly GeneratedStream[] Definitions =
    [
        new("640x360-baseline", 640, 360, "30", "baseline", ""),
        new("1280x720-high", 1280, 720, "30", "high", ""),
        new("320x240-main", 320, 240, "25", "main", ""),
        new("176x144-high-cqm", 176, 144, "15", "high", "cqm=jvt"),
        new("352x288-main-ntsc", 352, 288, "30000/1001", "main", ""),
    ];

    public FfmpegStreamsFixture()
    {
        Ffmpeg.RequireInstalled();
        Streams = Definitions.Select(d => d with { }).ToArray();
        Parallel.ForEach(Streams, new ParallelOptions { MaxDegreeOfParallelism = 2 }, Generate);
    }

    public GeneratedStream[] Streams { get; }

    public GeneratedStream Get(string name) => Streams.Single(s => s.Name == name);

    private void Generate(GeneratedStream stream)
    {
        stream.AnnexBPath = _directory.File(stream.Name + ".h264");
        stream.FlvPath = _directory.File(stream.Name + ".flv");
        var arguments = new List<string>
        {
            "-v", "error", "-y", "-f", "lavfi", "-i", $"testsrc2=size={stream.Width}x{stream.Height}:rate={stream.Rate}",
            "-frames:v", "20", "-c:v", "libx264", "-profile:v", stream.Profile, "-pix_fmt", "yuv420p", "-g", "10",
        };
        if (stream.ExtraParameters.Length > 0)
            arguments.AddRange(["-x264-params", stream.ExtraParameters]);
        // Remuxing raw H.264 with B-frames to FLV fails (no timestamps), so the FLV comes from a second,
        // identical encode; x264 writes the same SPS/PPS for the same parameters, and the tests check that.
        Ffmpeg.RunOrFail("ffmpeg", [.. arguments, "-bsf:v", "h264_mp4toannexb", "-f", "h264", stream.AnnexBPath]);
        Ffmpeg.RunOrFail("ffmpeg", [.. arguments, "-f", "flv", stream.FlvPath]);
        stream.AnnexB = File.ReadAllBytes(stream.AnnexBPath);
        stream.Probe = Ffmpeg.ProbeVideoStream(stream.AnnexBPath);
    }

    /// <summary>
    /// The AVCDecoderConfigurationRecord in the first FLV video tag with AVCPacketType 0.
    /// FLV: 9-byte header, 4-byte PreviousTagSize0, then tags of an 11-byte header (type, 24-bit size,
    /// timestamp, stream id), the body and a 4-byte PreviousTagSize. A video body starts with
    /// frame type/codec id (1), AVCPacketType (1) and composition time (3).
    /// </summary>
    public static byte[] ReadFlvAvcSequenceHeader(string flvPath)
    {
        byte[] flv = File.ReadAllBytes(flvPath);
        int offset = 9 + 4;
        while (offset + 11 <= flv.Length)
        {
            int type = flv[offset];
            int size = (flv[offset + 1] << 16) | (flv[offset + 2] << 8) | flv[offset + 3];
            int body = offset + 11;
            if (type == 9 && (flv[body] & 0x0F) == 7 && flv[body + 1] == 0)
                return flv.AsSpan(body + 5, size - 5).ToArray();
            offset = body + size + 4;
        }
        throw new InvalidOperationException($"No AVC sequence header in {flvPath}.");
    }

    public void Dispose() => _directory.Dispose();
}

[CollectionDefinition(Name)]
public sealed class FfmpegStreamsCollection : ICollectionFixture<FfmpegStreamsFixture>
{
    public const string Name = "ffmpeg H.264 streams";
}
