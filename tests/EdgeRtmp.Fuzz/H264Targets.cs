using EdgeRtmp.Media.H264;

namespace EdgeRtmp.Fuzz;

/// <summary>
/// H.264 as it reaches us from outside: an Annex-B byte stream (an <c>exec:</c> source's stdout) split into NAL units,
/// whose SPS, PPS and slices are parsed as the pipeline parses them; and the AVC decoder configuration record of a
/// publisher's sequence header.
/// </summary>
internal static class H264Targets
{
    private const int MaxNalUnitSize = 64 * 1024;

    public static void AnnexB(ReadOnlySpan<byte> data)
    {
        Feed feed = Feed.Of(data);
        var reader = new AnnexBReader(MaxNalUnitSize, initialCapacity: 1024);
        var assembler = new AccessUnitAssembler(maxAccessUnitSize: 4 * MaxNalUnitSize);
        var parameterSets = new H264ParameterSets();
        var order = new PictureOrder();
        ReadOnlySpan<byte> body = feed.Body;
        for (int start = 0; start < body.Length; start += feed.Step)
        {
            ReadOnlySpan<byte> input = body.Slice(start, Math.Min(feed.Step, body.Length - start));
            // Each NAL unit returned consumes at least its start code, so this ends with the input.
            while (reader.TryRead(ref input, out ReadOnlySpan<byte> nalUnit))
            {
                NalUnitIn(nalUnit, assembler, parameterSets, order);
            }
        }

        if (reader.TryFlush(out ReadOnlySpan<byte> last))
        {
            NalUnitIn(last, assembler, parameterSets, order);
        }

        assembler.TryFlush(out _);
    }

    public static void ConfigurationRecord(ReadOnlySpan<byte> record)
    {
        AvcDecoderConfigurationRecord parsed = AvcDecoderConfigurationRecord.Parse(record);
        var parameterSets = new H264ParameterSets();
        foreach (byte[] sps in parsed.SequenceParameterSets)
        {
            ParameterSet(sps, parameterSets);
        }

        foreach (byte[] pps in parsed.PictureParameterSets)
        {
            ParameterSet(pps, parameterSets);
        }
    }

    private static void NalUnitIn(ReadOnlySpan<byte> nalUnit, AccessUnitAssembler assembler, H264ParameterSets parameterSets, PictureOrder order)
    {
        if (nalUnit.IsEmpty)
        {
            return;
        }

        ParameterSet(nalUnit, parameterSets);
        NalUnitType type = NalUnit.GetType(nalUnit);
        if (NalUnit.IsVcl(type) && parameterSets.IsComplete && NalUnit.IsFirstSliceOfPicture(nalUnit))
        {
            SequenceParameterSet sps = parameterSets.SequenceParameterSet;
            order.Next(nalUnit, sps);
        }

        assembler.TryAdd(nalUnit, out _);
    }

    private static void ParameterSet(ReadOnlySpan<byte> nalUnit, H264ParameterSets parameterSets)
    {
        if (nalUnit.IsEmpty)
        {
            return;
        }

        switch (NalUnit.GetType(nalUnit))
        {
            case NalUnitType.SequenceParameterSet:
                SequenceParameterSet sps = SequenceParameterSet.Parse(nalUnit);
                _ = sps.FramesPerSecond;
                PictureOrder.Reorders(sps);
                break;
            case NalUnitType.PictureParameterSet:
                PictureParameterSet.Parse(nalUnit);
                break;
        }

        parameterSets.Update(nalUnit);
    }
}
