using System.Buffers;

namespace EdgeRtmp.TestSupport;

/// <summary>Builds multi-segment sequences so parsers meet data split wherever the network splits it.</summary>
public static class Sequences
{
    public static ReadOnlySequence<byte> Split(ReadOnlyMemory<byte> data, params int[] cuts)
    {
        var pieces = new List<ReadOnlyMemory<byte>>();
        int start = 0;
        foreach (int cut in cuts.Order())
        {
            pieces.Add(data[start..cut]);
            start = cut;
        }

        pieces.Add(data[start..]);
        return Join(pieces);
    }

    public static ReadOnlySequence<byte> Join(IReadOnlyList<ReadOnlyMemory<byte>> pieces)
    {
        if (pieces.Count == 1)
        {
            return new ReadOnlySequence<byte>(pieces[0]);
        }

        var first = new Segment(pieces[0], 0);
        Segment last = first;
        for (int i = 1; i < pieces.Count; i++)
        {
            last = last.Append(pieces[i]);
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
