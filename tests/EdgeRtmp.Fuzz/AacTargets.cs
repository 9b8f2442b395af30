using System.Buffers;
using EdgeRtmp.Media.Aac;

namespace EdgeRtmp.Fuzz;

/// <summary>
/// AAC as it reaches us from outside: an ADTS byte stream (an <c>exec:</c> audio source's stdout) through
/// <see cref="AdtsReader"/> in the steps <see cref="Feed"/> picks, and the AudioSpecificConfig of a publisher's AAC
/// sequence header.
/// </summary>
internal static class AacTargets
{
    public static void Adts(ReadOnlySpan<byte> data)
    {
        Feed feed = Feed.Of(data);
        ReadOnlySequence<byte> all = feed.ToSequence();
        var reader = new AdtsReader();
        long consumed = 0;
        for (long arrived = Math.Min(feed.Step, all.Length); ; arrived = Math.Min(arrived + feed.Step, all.Length))
        {
            ReadOnlySequence<byte> input = all.Slice(consumed, arrived - consumed);
            // Each frame consumes its whole length (at least a header), so this ends with the input.
            while (reader.TryReadFrame(ref input, out AdtsHeader header, out ReadOnlySequence<byte> payload))
            {
                _ = header.SampleRate;
                _ = payload.Length;
                AudioSpecificConfig config = header.ToAudioSpecificConfig();
                _ = config.FrameLength;
            }

            consumed = all.GetOffset(input.Start);
            if (arrived == all.Length)
            {
                break;
            }
        }
    }

    public static void Config(ReadOnlySpan<byte> data)
    {
        AudioSpecificConfig config = AudioSpecificConfig.Read(data);
        _ = config.FrameLength;
    }
}
