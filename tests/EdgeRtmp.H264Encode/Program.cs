using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using EdgeRtmp.Media.H264.Encoding;
using EdgeRtmp.Media.TestCard;

// Runs our H.264 encoder on raw I420 (yuv420p) frames: the benchmark script's and a developer's way to try it.
// edgertmp-h264-encode --width W --height H [--fps 30] [--bitrate KBPS] [--keyint N] [--qp QP] [--no-subpel]
//                      [--no-i4x4] [--slices N] [--frames N] [--recon FILE.yuv] INPUT.yuv|- OUTPUT.h264
// edgertmp-h264-encode --testcard --width W --height H [--fps 30] [--bitrate KBPS] [--frames N] OUTPUT.h264
//   encodes the built-in test card and prints its PSNR against the rendering as well.
var options = new Dictionary<string, string>(StringComparer.Ordinal);
var flags = new HashSet<string>(StringComparer.Ordinal);
var positional = new List<string>();
for (int i = 0; i < args.Length; i++)
{
    string argument = args[i];
    if (argument is "--no-subpel" or "--no-i4x4" or "--testcard")
        flags.Add(argument);
    else if (argument.StartsWith("--", StringComparison.Ordinal) && i + 1 < args.Length)
        options[argument] = args[++i];
    else
        positional.Add(argument);
}
if (flags.Contains("--testcard"))
    return EncodeTestCard();
if (positional.Count != 2 || !options.ContainsKey("--width") || !options.ContainsKey("--height"))
{
    Console.Error.WriteLine("usage: edgertmp-h264-encode --width W --height H [--fps 30] [--bitrate KBPS] [--keyint N] [--qp QP] [--no-subpel] [--no-i4x4] [--slices N] [--frames N] [--recon FILE.yuv] INPUT.yuv|- OUTPUT.h264");
    return 2;
}
int Get(string name, int fallback) => options.TryGetValue(name, out string? value) ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;

int width = Get("--width", 0), height = Get("--height", 0);
var encoderOptions = new H264EncoderOptions(width, height, Get("--fps", 30), Get("--bitrate", 1000), Get("--keyint", 0))
{
    ConstantQp = options.ContainsKey("--qp") ? Get("--qp", 26) : null,
    SubpixelMotion = !flags.Contains("--no-subpel"),
    Intra4x4 = !flags.Contains("--no-i4x4"),
    Slices = Get("--slices", 1),
};
var encoder = new H264Encoder(encoderOptions);
int maxFrames = Get("--frames", int.MaxValue);
int frameSize = YuvPlanes.I420Size(width, height);
byte[] frame = new byte[frameSize];
byte[] reconstruction = new byte[frameSize];
var output = new ArrayBufferWriter<byte>(encoder.MaxAccessUnitLength);

using Stream input = positional[0] == "-" ? Console.OpenStandardInput() : File.OpenRead(positional[0]);
using FileStream file = File.Create(positional[1]);
using FileStream? recon = options.TryGetValue("--recon", out string? reconPath) ? File.Create(reconPath) : null;

long totalBytes = 0;
int frames = 0;
var encodeTime = new Stopwatch();
using var process = Process.GetCurrentProcess();
TimeSpan cpuBefore = process.TotalProcessorTime;
while (frames < maxFrames)
{
    int read = 0;
    while (read < frameSize)
    {
        int n = input.Read(frame, read, frameSize - read);
        if (n == 0)
            break;
        read += n;
    }
    if (read < frameSize)
        break;
    output.ResetWrittenCount();
    encodeTime.Start();
    encoder.Encode(YuvPlanes.FromI420(frame, width, height), output);
    encodeTime.Stop();
    file.Write(output.WrittenSpan);
    totalBytes += output.WrittenCount;
    if (recon is not null)
    {
        encoder.CopyReconstruction(reconstruction);
        recon.Write(reconstruction);
    }
    frames++;
}
process.Refresh();
TimeSpan cpu = process.TotalProcessorTime - cpuBefore; // input reading included; the JIT's first minutes too
double seconds = frames / (double)encoderOptions.FramesPerSecond;
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"frames={frames} bytes={totalBytes} kbps={totalBytes * 8 / 1000.0 / Math.Max(seconds, 1e-9):F1} encode_fps={frames / Math.Max(encodeTime.Elapsed.TotalSeconds, 1e-9):F1} cpu_fps={frames / Math.Max(cpu.TotalSeconds, 1e-9):F1} last_qp={encoder.LastQp}"));
return 0;

int EncodeTestCard()
{
    int fps = Get("--fps", 30);
    var card = new TestCardEncoder(new TestCardOptions { Width = Get("--width", 1280), Height = Get("--height", 720), FramesPerSecond = fps, BitrateKbps = Get("--bitrate", 1500) });
    int count = Get("--frames", 300);
    var writer = new ArrayBufferWriter<byte>(1 << 20);
    byte[] decoded = new byte[card.FrameSize], rendered = new byte[card.FrameSize];
    using FileStream file = File.Create(positional[^1]);
    using var process = Process.GetCurrentProcess();
    TimeSpan cpuStart = process.TotalProcessorTime;
    TimeSpan encodeCpu = TimeSpan.Zero;
    double worst = double.MaxValue, sum = 0;
    long bytes = 0;
    for (int i = 0; i < count; i++)
    {
        writer.ResetWrittenCount();
        TimeSpan timestamp = TimeSpan.FromSeconds((double)i / fps);
        process.Refresh();
        TimeSpan before = process.TotalProcessorTime;
        card.EncodeFrame(i, timestamp, writer);
        process.Refresh();
        encodeCpu += process.TotalProcessorTime - before;
        file.Write(writer.WrittenSpan);
        bytes += writer.WrittenCount;
        card.CopyLastPicture(decoded);
        card.Renderer.Render(i, timestamp, rendered);
        double mse = 0;
        for (int k = 0; k < decoded.Length; k++)
            mse += (decoded[k] - rendered[k]) * (decoded[k] - rendered[k]);
        double psnr = mse == 0 ? 100 : 10 * Math.Log10(255.0 * 255.0 * decoded.Length / mse);
        worst = Math.Min(worst, psnr);
        sum += psnr;
    }
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"testcard frames={count} kbps={bytes * 8.0 / 1000 / (count / (double)fps):F1} psnr_mean={sum / count:F2} psnr_min={worst:F2} cpu_fps={count / Math.Max(encodeCpu.TotalSeconds, 1e-9):F1}"));
    return 0;
}
