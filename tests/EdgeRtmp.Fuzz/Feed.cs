using System.Buffers;
using EdgeRtmp.TestSupport;

namespace EdgeRtmp.Fuzz;

/// <summary>
/// How a harness hands its input to a streaming parser. The first input byte picks the fragmentation, so the fuzzer
/// explores split points as well as content: 0 = everything at once in one segment, otherwise the bytes arrive in
/// steps of that many bytes (1..255), each step a new segment, the way a socket delivers them.
/// </summary>
internal readonly ref struct Feed
{
    private Feed(int step, ReadOnlySpan<byte> body)
    {
        Step = step;
        Body = body;
    }

    /// <summary>Bytes per arrival; the whole body when the selector byte was 0.</summary>
    public int Step { get; }

    public ReadOnlySpan<byte> Body { get; }

    public static Feed Of(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return new Feed(1, default);
        }

        int step = data[0] == 0 ? Math.Max(1, data.Length - 1) : data[0];
        return new Feed(step, data[1..]);
    }

    /// <summary>The body as a sequence with a segment boundary every <see cref="Step"/> bytes.</summary>
    public ReadOnlySequence<byte> ToSequence()
    {
        byte[] copy = Body.ToArray();
        if (copy.Length <= Step)
        {
            return new ReadOnlySequence<byte>(copy);
        }

        var pieces = new List<ReadOnlyMemory<byte>>(copy.Length / Step + 1);
        for (int start = 0; start < copy.Length; start += Step)
        {
            pieces.Add(copy.AsMemory(start, Math.Min(Step, copy.Length - start)));
        }

        return Sequences.Join(pieces);
    }
}
