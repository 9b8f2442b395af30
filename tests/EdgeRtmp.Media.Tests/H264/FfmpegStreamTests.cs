using System.Buffers;
using System.Buffers.Binary;
using EdgeRtmp.Media.H264;

namespace EdgeRtmp.Media.Tests.H264;

/// <summary>Our parsers against streams made by libx264 and what ffprobe and FFmpeg's FLV muxer say about them.</summary>
[Collection(FfmpegStreamsCollection.Name)]
public sealed class FfmpegStreamTests(FfmpegStreamsFixture fixture)
{
    public static TheoryData<string> StreamNames => new(FfmpegStreamsFixture.Definitions.Select(d => d.Name));

    private static List<byte[]> ReadWhole(byte[] annexB)
    {
        var nalUnits = new List<byte[]>();
        ReadOnlySpan<byte> buffer = annexB;
        while (AnnexB.TryReadNalUnit(ref buffer, out ReadOnlySpan<byte> nalUnit))
            nalUnits.Add(nalUnit.ToArray());
        return nalUnits;
    }

    internal static List<byte[]> ReadFragmented(byte[] annexB, Func<int> nextChunkSize)
    {
        var reader = new AnnexBReader();
        var nalUnits = new List<byte[]>();
        int offset = 0;
        while (offset < annexB.Length)
        {
            int size = Math.Min(nextChunkSize(), annexB.Length - offset);
            ReadOnlySpan<byte> chunk = annexB.AsSpan(offset, size);
            offset += size;
            while (reader.TryRead(ref chunk, out ReadOnlySpan<byte> nalUnit))
                nalUnits.Add(nalUnit.ToArray());
            Assert.True(chunk.IsEmpty);
        }
        if (reader.TryFlush(out ReadOnlySpan<byte> last))
            nalUnits.Add(last.ToArray());
        return nalUnits;
    }

    [Theory]
    [MemberData(nameof(StreamNames))]
    public void Fragmented_input_gives_the_same_nal_units_as_whole_input(string name)
    {
        byte[] annexB = fixture.Get(name).AnnexB;
        List<byte[]> whole = ReadWhole(annexB);
        Assert.True(whole.Count >= 20);

        var random = new Random(name.Length);
        foreach (int maxChunk in new[] { 3, 17, 1000, 65536 })
        {
            List<byte[]> fragmented = ReadFragmented(annexB, () => random.Next(1, maxChunk + 1));
            Assert.Equal(whole.Count, fragmented.Count);
            for (int i = 0; i < whole.Count; i++)
                Assert.True(whole[i].AsSpan().SequenceEqual(fragmented[i]), $"NAL unit {i} differs with chunks up to {maxChunk}");
        }
    }

    [Fact]
    public void Input_split_at_every_byte_gives_the_same_nal_units()
    {
        byte[] annexB = fixture.Get("176x144-high-cqm").AnnexB;
        List<byte[]> whole = ReadWhole(annexB);
        List<byte[]> single = ReadFragmented(annexB, () => 1);
        Assert.Equal(whole.Count, single.Count);
        for (int i = 0; i < whole.Count; i++)
            Assert.True(whole[i].AsSpan().SequenceEqual(single[i]));
    }

    [Theory]
    [MemberData(nameof(StreamNames))]
    public void Sps_matches_ffprobe(string name)
    {
        GeneratedStream stream = fixture.Get(name);
        byte[] spsNal = ReadWhole(stream.AnnexB).First(n => NalUnit.GetType(n) == NalUnitType.SequenceParameterSet);
        SequenceParameterSet sps = SequenceParameterSet.Parse(spsNal);

        Assert.Equal(int.Parse(stream.Probe["width"]), sps.Width);
        Assert.Equal(int.Parse(stream.Probe["height"]), sps.Height);
        Assert.Equal(stream.Width, sps.Width);
        Assert.Equal(stream.Height, sps.Height);
        Assert.Equal(int.Parse(stream.Probe["level"]), sps.LevelIdc);
        int expectedProfile = stream.Probe["profile"] switch
        {
            "Constrained Baseline" or "Baseline" => 66,
            "Main" => 77,
            "High" => 100,
            string other => throw new InvalidOperationException($"unexpected profile {other}"),
        };
        Assert.Equal(expectedProfile, sps.ProfileIdc);
        Assert.Equal(1u, sps.ChromaFormatIdc);
        Assert.Equal(8, sps.BitDepthLuma);
        Assert.False(sps.HasScalingMatrix); // x264 sends a custom matrix in the PPS; SequenceParameterSetTests cover SPS lists

        string[] rate = stream.Probe["r_frame_rate"].Split('/');
        double expectedFps = double.Parse(rate[0]) / double.Parse(rate[1]);
        Assert.True(sps.HasTimingInfo);
        Assert.Equal(expectedFps, sps.FramesPerSecond, 3);

        byte[] ppsNal = ReadWhole(stream.AnnexB).First(n => NalUnit.GetType(n) == NalUnitType.PictureParameterSet);
        PictureParameterSet pps = PictureParameterSet.Parse(ppsNal);
        Assert.Equal(sps.Id, pps.SequenceParameterSetId);
        Assert.Equal(stream.Profile != "baseline", pps.EntropyCodingModeCabac);
    }

    [Theory]
    [MemberData(nameof(StreamNames))]
    public void Configuration_record_equals_what_ffmpeg_flv_muxer_writes(string name)
    {
        GeneratedStream stream = fixture.Get(name);
        byte[] expected = FfmpegStreamsFixture.ReadFlvAvcSequenceHeader(stream.FlvPath);
        List<byte[]> nalUnits = ReadWhole(stream.AnnexB);
        byte[] sps = nalUnits.First(n => NalUnit.GetType(n) == NalUnitType.SequenceParameterSet);
        byte[] pps = nalUnits.First(n => NalUnit.GetType(n) == NalUnitType.PictureParameterSet);

        var output = new ArrayBufferWriter<byte>();
        AvcDecoderConfigurationRecord.Write(sps, pps, output);
        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(output.WrittenSpan));

        AvcDecoderConfigurationRecord parsed = AvcDecoderConfigurationRecord.Parse(expected);
        Assert.Equal(sps[1], parsed.ProfileIndication);
        Assert.Equal(sps[3], parsed.LevelIndication);
        Assert.Equal(4, parsed.NalUnitLengthSize);
        Assert.Equal(sps, Assert.Single(parsed.SequenceParameterSets));
        Assert.Equal(pps, Assert.Single(parsed.PictureParameterSets));
        Assert.Equal(sps[1] == 66 || sps[1] == 77 ? null : 1, parsed.ChromaFormat);
    }

    [Theory]
    [MemberData(nameof(StreamNames))]
    public void Access_units_become_avcc_frames(string name)
    {
        GeneratedStream stream = fixture.Get(name);
        var assembler = new AccessUnitAssembler();
        var parameterSets = new H264ParameterSets();
        var output = new ArrayBufferWriter<byte>();
        var frames = new List<(bool Keyframe, bool Changed, byte[] Avcc, byte[] AnnexB)>();

        void Convert(AccessUnit accessUnit)
        {
            output.ResetWrittenCount();
            AvccFrameInfo info = AvccWriter.Write(accessUnit.AnnexB, output, parameterSets);
            Assert.Equal(accessUnit.IsKeyframe, info.IsKeyframe);

            // The first slice, as reported: a slice NAL unit behind its own length prefix.
            ReadOnlySpan<byte> firstSlice = output.WrittenSpan.Slice(info.FirstSliceOffset, info.FirstSliceLength);
            Assert.True(NalUnit.GetType(firstSlice) is NalUnitType.IdrSlice or NalUnitType.NonIdrSlice);
            Assert.Equal(info.FirstSliceLength, BinaryPrimitives.ReadInt32BigEndian(output.WrittenSpan[(info.FirstSliceOffset - 4)..]));
            frames.Add((info.IsKeyframe, info.ParameterSetsChanged, output.WrittenSpan.ToArray(), accessUnit.AnnexB.ToArray()));
        }

        ReadOnlySpan<byte> buffer = stream.AnnexB;
        while (AnnexB.TryReadNalUnit(ref buffer, out ReadOnlySpan<byte> nalUnit))
        {
            if (assembler.TryAdd(nalUnit, out AccessUnit completed))
                Convert(completed);
        }
        if (assembler.TryFlush(out AccessUnit last))
            Convert(last);

        Assert.Equal(20, frames.Count);
        Assert.True(frames[0].Keyframe);
        Assert.True(frames[0].Changed);
        Assert.True(frames[10].Keyframe); // -g 10
        Assert.All(frames.Skip(1), f => Assert.False(f.Changed));
        Assert.True(parameterSets.IsComplete);
        Assert.Equal(stream.Width, parameterSets.SequenceParameterSet.Width);

        // Each AVCC frame is the access unit's NAL units minus SPS/PPS/AUD, each behind a 4-byte length.
        foreach (var frame in frames)
        {
            var expected = ReadWhole(frame.AnnexB)
                .Where(n => NalUnit.GetType(n) is not (NalUnitType.SequenceParameterSet or NalUnitType.PictureParameterSet or NalUnitType.AccessUnitDelimiter))
                .ToList();
            var actual = new List<byte[]>();
            for (int offset = 0; offset < frame.Avcc.Length;)
            {
                int length = BinaryPrimitives.ReadInt32BigEndian(frame.Avcc.AsSpan(offset));
                actual.Add(frame.Avcc.AsSpan(offset + 4, length).ToArray());
                offset += 4 + length;
            }
            Assert.Equal(expected.Count, actual.Count);
            for (int i = 0; i < expected.Count; i++)
                Assert.Equal(expected[i], actual[i]);
        }
    }

    [Fact]
    public void Parsing_and_avcc_conversion_allocate_nothing_after_warm_up()
    {
        byte[] annexB = fixture.Get("640x360-baseline").AnnexB;
        var reader = new AnnexBReader();
        var assembler = new AccessUnitAssembler();
        var parameterSets = new H264ParameterSets();
        var output = new ArrayBufferWriter<byte>(1 << 20);
        int frames = 0;

        void Pass()
        {
            reader.Reset();
            assembler.Reset();
            parameterSets.Clear();
            for (int offset = 0; offset < annexB.Length; offset += 1500)
            {
                ReadOnlySpan<byte> chunk = annexB.AsSpan(offset, Math.Min(1500, annexB.Length - offset));
                while (reader.TryRead(ref chunk, out ReadOnlySpan<byte> nalUnit))
                {
                    if (assembler.TryAdd(nalUnit, out AccessUnit accessUnit))
                    {
                        output.ResetWrittenCount();
                        AvccWriter.Write(accessUnit.AnnexB, output, parameterSets);
                        frames++;
                    }
                }
            }
            if (reader.TryFlush(out ReadOnlySpan<byte> last) && assembler.TryAdd(last, out _))
                frames++;
            if (assembler.TryFlush(out AccessUnit final))
            {
                output.ResetWrittenCount();
                AvccWriter.Write(final.AnnexB, output, parameterSets);
                frames++;
            }
        }

        Pass();
        Pass();
        frames = 0;
        long before = GC.GetAllocatedBytesForCurrentThread();
        Pass();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(20, frames);
        Assert.True(allocated == 0, $"allocated {allocated} bytes over {frames} frames");
    }
}
