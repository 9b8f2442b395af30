using System.Buffers;
using EdgeRtmp.Media.Flv;

namespace EdgeRtmp.Fuzz;

/// <summary>
/// An FLV file or stream (a <c>file:</c> source, what <c>edgertmp play</c> writes) through <see cref="FlvReader"/> in the
/// steps <see cref="Feed"/> picks, each tag's body classified and parsed as a published message would be.
/// </summary>
internal static class FlvTarget
{
    public static void Run(ReadOnlySpan<byte> data)
    {
        Feed feed = Feed.Of(data);
        ReadOnlySequence<byte> all = feed.ToSequence();
        // Lenient about PreviousTagSize, as a file source is: the strict mode only throws sooner.
        var reader = new FlvReader(maxTagDataSize: 64 * 1024, strictPreviousTagSize: (feed.Step & 1) == 0);
        bool headerRead = false;
        long consumed = 0;
        for (long arrived = Math.Min(feed.Step, all.Length); ; arrived = Math.Min(arrived + feed.Step, all.Length))
        {
            ReadOnlySequence<byte> input = all.Slice(consumed, arrived - consumed);
            if (!headerRead)
            {
                headerRead = reader.TryReadHeader(ref input, out _);
            }

            // Each tag consumes at least its 11 + 4 header bytes, so this ends with the input.
            while (headerRead && reader.TryReadTag(ref input, out FlvTag tag))
            {
                byte[] body = tag.Payload.ToArray();
                Messages.Media(tag.TagType, body);
            }

            consumed = all.GetOffset(input.Start);
            if (arrived == all.Length)
            {
                break;
            }
        }
    }
}
