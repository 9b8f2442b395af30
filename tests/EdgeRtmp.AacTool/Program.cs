using System.Buffers.Binary;
using System.Diagnostics;
using EdgeRtmp.Media.Aac;

// EdgeRtmp.AacTool IN.wav OUT.aac [--bitrate KBPS]
//   Encodes a 16-bit PCM WAV with our AAC-LC encoder into an ADTS file. Prints the encoder's speed (the encode
//   loop only, the WAV already in memory) as a multiple of real time, and the encoder delay in samples.
// EdgeRtmp.AacTool music OUT.wav SECONDS RATE [DRUMS]
//   Writes the music-like test signal (see MusicLike).
// EdgeRtmp.AacTool snr REFERENCE.raw DECODED.raw CHANNELS RATE DELAY
//   SNR and segmental SNR of a decoded s16le stream against its source (see AudioQuality).
if (args.Length >= 4 && args[0] == "music")
{
    MusicLike.Write(args[1], double.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture),
        int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture),
        args.Length > 4 ? double.Parse(args[4], System.Globalization.CultureInfo.InvariantCulture) : 1);
    return 0;
}
if (args.Length >= 6 && args[0] == "snr")
{
    Console.WriteLine(AudioQuality.Measure(args[1], args[2], int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture),
        int.Parse(args[4], System.Globalization.CultureInfo.InvariantCulture), int.Parse(args[5], System.Globalization.CultureInfo.InvariantCulture)));
    return 0;
}
if (args.Length < 2)
{
    Console.Error.WriteLine("usage: EdgeRtmp.AacTool IN.wav OUT.aac [--bitrate KBPS] | snr REF.raw DEC.raw CHANNELS RATE DELAY");
    return 2;
}
int bitrate = 128;
for (int i = 2; i + 1 < args.Length; i++)
    if (args[i] == "--bitrate")
        bitrate = int.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture);

bool trace = args.Contains("--trace");
byte[] wav = File.ReadAllBytes(args[0]);
(int sampleRate, int channels, short[] samples) = ReadWav(wav);
var encoder = new AacEncoder(new AacEncoderOptions(sampleRate, channels, bitrate));
int frameLength = AacEncoder.FrameSamples * channels;
int frames = (samples.Length + frameLength - 1) / frameLength + 2;  // two more frames flush the encoder's delay
var padded = new short[frames * frameLength];
samples.CopyTo(padded, 0);
var output = new MemoryStream(frames * (encoder.MaxAccessUnitBytes / 4));
var accessUnit = new byte[encoder.MaxAccessUnitBytes + AdtsHeader.Length];
var config = AudioSpecificConfig.Read(encoder.AudioSpecificConfig);
// Warm up on a throw-away encoder first: the service encodes for days, so the JIT's tiering is not the encoder's speed.
var warmUp = new AacEncoder(encoder.Options);
for (int f = 0; f < Math.Min(frames, 400); f++)
    warmUp.Encode(padded.AsSpan(f * frameLength, frameLength), accessUnit);
TimeSpan cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
var stopwatch = Stopwatch.StartNew();
long payloadBytes = 0;
for (int f = 0; f < frames; f++)
{
    int length = encoder.Encode(padded.AsSpan(f * frameLength, frameLength), accessUnit.AsSpan(AdtsHeader.Length));
    if (trace)
        Console.WriteLine(FormattableString.Invariant($"frame {f} t={(f - 2) * 1024.0 / sampleRate:F3} {encoder.LastWindowSequence} bytes={length}"));
    AdtsHeader.Write(accessUnit, config, length);
    output.Write(accessUnit, 0, length + AdtsHeader.Length);
    payloadBytes += length;
}
stopwatch.Stop();
TimeSpan cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
File.WriteAllBytes(args[1], output.ToArray());
double seconds = (double)samples.Length / channels / sampleRate;
Console.WriteLine($"frames={frames} seconds={seconds:F2} encode_ms={stopwatch.Elapsed.TotalMilliseconds:F1} realtime={seconds / stopwatch.Elapsed.TotalSeconds:F1} "
    + $"cpu_ms={cpu.TotalMilliseconds:F1} realtime_cpu={seconds / cpu.TotalSeconds:F1} "
    + $"kbps={payloadBytes * 8 / ((double)frames * AacEncoder.FrameSamples / sampleRate) / 1000:F1} delay={encoder.EncoderDelaySamples}");
return 0;

static (int SampleRate, int Channels, short[] Samples) ReadWav(byte[] wav)
{
    if (wav.Length < 12 || BinaryPrimitives.ReadUInt32BigEndian(wav) != 0x52494646 || BinaryPrimitives.ReadUInt32BigEndian(wav.AsSpan(8)) != 0x57415645)
        throw new InvalidDataException("Not a RIFF WAVE file.");
    int position = 12, sampleRate = 0, channels = 0, bits = 0;
    while (position + 8 <= wav.Length)
    {
        uint id = BinaryPrimitives.ReadUInt32BigEndian(wav.AsSpan(position));
        int size = BinaryPrimitives.ReadInt32LittleEndian(wav.AsSpan(position + 4));
        int body = position + 8;
        if (id == 0x666D7420) // "fmt "
        {
            channels = BinaryPrimitives.ReadUInt16LittleEndian(wav.AsSpan(body + 2));
            sampleRate = BinaryPrimitives.ReadInt32LittleEndian(wav.AsSpan(body + 4));
            bits = BinaryPrimitives.ReadUInt16LittleEndian(wav.AsSpan(body + 14));
        }
        else if (id == 0x64617461) // "data"
        {
            if (bits != 16)
                throw new InvalidDataException($"Only 16-bit PCM WAV is supported, not {bits}-bit.");
            int length = Math.Min(size, wav.Length - body) / 2;
            var samples = new short[length];
            for (int i = 0; i < length; i++)
                samples[i] = BinaryPrimitives.ReadInt16LittleEndian(wav.AsSpan(body + 2 * i));
            return (sampleRate, channels, samples);
        }
        position = body + size + (size & 1);
    }
    throw new InvalidDataException("The WAV file has no data chunk.");
}
