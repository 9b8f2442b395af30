using System.Buffers;
using EdgeRtmp.Media.H264;
using EdgeRtmp.Protocol;

namespace EdgeRtmp.Media.Tests.H264;

public sealed class AnnexBReaderTests
{
    // Leading noise, a 4-byte start code, 3-byte start codes, trailing_zero_8bits, an empty NAL unit,
    // and a 0x000003 inside a NAL unit (not a start code).
    private static readonly byte[] Stream = Convert.FromHexString(
        "FFEE" + "00000001" + "6742C01E" + "000001" + "68CE3C80" + "0000" + "00000001" + "000001" +
        "65888400000301" + "000001" + "0605FF" + "00000001" + "4101");

    private static readonly string[] Expected = ["6742C01E", "68CE3C80", "65888400000301", "0605FF", "4101"];

    [Fact]
    public void Whole_buffer_reader_finds_every_nal_unit()
    {
        ReadOnlySpan<byte> buffer = Stream;
        var found = new List<string>();
        while (AnnexB.TryReadNalUnit(ref buffer, out ReadOnlySpan<byte> nalUnit))
            found.Add(Convert.ToHexString(nalUnit));
        Assert.Equal(Expected, found);
    }

    [Fact]
    public void Streaming_reader_gives_the_same_for_every_split_into_two_and_three_chunks()
    {
        for (int first = 0; first <= Stream.Length; first++)
        {
            for (int second = first; second <= Stream.Length; second++)
            {
                int[] cuts = [0, first, second, Stream.Length];
                var reader = new AnnexBReader();
                var found = new List<string>();
                for (int c = 0; c < 3; c++)
                {
                    ReadOnlySpan<byte> chunk = Stream.AsSpan(cuts[c], cuts[c + 1] - cuts[c]);
                    while (reader.TryRead(ref chunk, out ReadOnlySpan<byte> nalUnit))
                        found.Add(Convert.ToHexString(nalUnit));
                }
                if (reader.TryFlush(out ReadOnlySpan<byte> last))
                    found.Add(Convert.ToHexString(last));
                Assert.Equal(Expected, found);
            }
        }
    }

    [Fact]
    public void Sequence_of_one_byte_segments_gives_the_same()
    {
        ReadOnlySequence<byte> sequence = OneByteSegment.Build(Stream);
        var reader = new AnnexBReader();
        var found = new List<string>();
        while (reader.TryRead(ref sequence, out ReadOnlySpan<byte> nalUnit))
            found.Add(Convert.ToHexString(nalUnit));
        Assert.True(sequence.IsEmpty);
        if (reader.TryFlush(out ReadOnlySpan<byte> last))
            found.Add(Convert.ToHexString(last));
        Assert.Equal(Expected, found);
    }

    private sealed class OneByteSegment : ReadOnlySequenceSegment<byte>
    {
        private OneByteSegment(byte value, long runningIndex)
        {
            Memory = new[] { value };
            RunningIndex = runningIndex;
        }

        public static ReadOnlySequence<byte> Build(byte[] bytes)
        {
            var first = new OneByteSegment(bytes[0], 0);
            OneByteSegment last = first;
            for (int i = 1; i < bytes.Length; i++)
            {
                var next = new OneByteSegment(bytes[i], i);
                last.Next = next;
                last = next;
            }
            return new ReadOnlySequence<byte>(first, 0, last, 1);
        }
    }

    [Fact]
    public void A_nal_unit_larger_than_the_limit_is_refused()
    {
        var reader = new AnnexBReader(maxNalUnitSize: 64, initialCapacity: 16);
        byte[] big = new byte[200];
        big[2] = 1;
        big.AsSpan(3).Fill(0x55);
        Assert.Throws<MediaFormatException>(() =>
        {
            ReadOnlySpan<byte> chunk = big;
            while (reader.TryRead(ref chunk, out _)) { }
        });
    }

    [Fact]
    public void Access_units_split_at_first_mb_zero_and_parameter_sets()
    {
        // SPS PPS IDR(first_mb 0) IDR(first_mb 1) | P(first_mb 0) | AUD P
        string[] nalUnits = ["6742C01E", "68CE3C80", "6588", "6548", "4188", "0910", "4180"];
        var assembler = new AccessUnitAssembler();
        var units = new List<(int Count, bool Key, bool ParameterSets)>();
        foreach (string hex in nalUnits)
        {
            if (assembler.TryAdd(Convert.FromHexString(hex), out AccessUnit au))
                units.Add((au.NalUnitCount, au.IsKeyframe, au.HasParameterSets));
        }
        if (assembler.TryFlush(out AccessUnit lastUnit))
            units.Add((lastUnit.NalUnitCount, lastUnit.IsKeyframe, lastUnit.HasParameterSets));
        Assert.Equal([(4, true, true), (1, false, false), (2, false, false)], units);
    }
}
