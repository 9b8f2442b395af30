using System.Buffers;
using System.Buffers.Binary;
using EdgeRtmp.Protocol;

namespace EdgeRtmp.Media.H264;

/// <summary>
/// AVCDecoderConfigurationRecord, ISO/IEC 14496-15 5.3.3.1: the body of an FLV/RTMP AVC sequence header
/// (AVCPacketType 0) and of an MP4 'avcC' box.
/// </summary>
/// <remarks>
/// <code>
///  0  configurationVersion = 1
///  1  AVCProfileIndication        (SPS byte 1: profile_idc)
///  2  profile_compatibility       (SPS byte 2: constraint flags)
///  3  AVCLevelIndication          (SPS byte 3: level_idc)
///  4  111111b | lengthSizeMinusOne (2 bits; we always use 4-byte lengths: 0xFF)
///  5  111b | numOfSequenceParameterSets (5 bits)
///     { u16 length, SPS NAL unit } × numOfSequenceParameterSets
///  .  numOfPictureParameterSets
///     { u16 length, PPS NAL unit } × numOfPictureParameterSets
///  -- only for profiles other than 66, 77, 88 (what FFmpeg's ff_isom_write_avcc does; the standard lists 100, 110, 122, 144):
///  .  111111b | chroma_format_idc
///  .  11111b | bit_depth_luma_minus8
///  .  11111b | bit_depth_chroma_minus8
///  .  numOfSequenceParameterSetExt (we write 0)
/// </code>
/// </remarks>
public sealed class AvcDecoderConfigurationRecord
{
    private const int HeaderLength = 6;

    public byte ConfigurationVersion { get; init; } = 1;
    public byte ProfileIndication { get; init; }
    public byte ProfileCompatibility { get; init; }
    public byte LevelIndication { get; init; }
    public int NalUnitLengthSize { get; init; } = 4;
    public IReadOnlyList<byte[]> SequenceParameterSets { get; init; } = [];
    public IReadOnlyList<byte[]> PictureParameterSets { get; init; } = [];

    /// <summary>Present only in the high-profile extension.</summary>
    public int? ChromaFormat { get; init; }
    public int? BitDepthLuma { get; init; }
    public int? BitDepthChroma { get; init; }
    public IReadOnlyList<byte[]> SequenceParameterSetExtensions { get; init; } = [];

    /// <summary>Whether the record carries the chroma/bit-depth extension for this profile_idc.</summary>
    public static bool HasHighProfileExtension(byte profileIdc) => profileIdc is not (66 or 77 or 88);

    /// <summary>Length of the record for one SPS and one PPS.</summary>
    public static int GetLength(ReadOnlySpan<byte> sequenceParameterSet, ReadOnlySpan<byte> pictureParameterSet)
    {
        ValidateParameterSets(sequenceParameterSet, pictureParameterSet);
        int length = HeaderLength + 2 + sequenceParameterSet.Length + 1 + 2 + pictureParameterSet.Length;
        return HasHighProfileExtension(sequenceParameterSet[1]) ? length + 4 : length;
    }

    /// <summary>Writes the record for one SPS and one PPS (NAL units with header, emulation prevention in).</summary>
    public static int Write(ReadOnlySpan<byte> sequenceParameterSet, ReadOnlySpan<byte> pictureParameterSet, IBufferWriter<byte> output)
    {
        int length = GetLength(sequenceParameterSet, pictureParameterSet);
        Span<byte> destination = output.GetSpan(length);
        int written = Write(sequenceParameterSet, pictureParameterSet, destination);
        output.Advance(written);
        return written;
    }

    /// <inheritdoc cref="Write(ReadOnlySpan{byte}, ReadOnlySpan{byte}, IBufferWriter{byte})"/>
    public static int Write(ReadOnlySpan<byte> sequenceParameterSet, ReadOnlySpan<byte> pictureParameterSet, Span<byte> destination)
    {
        int length = GetLength(sequenceParameterSet, pictureParameterSet);
        if (destination.Length < length)
            throw new ArgumentException($"Destination of {destination.Length} bytes is shorter than the record ({length}).", nameof(destination));
        destination[0] = 1;
        destination[1] = sequenceParameterSet[1];
        destination[2] = sequenceParameterSet[2];
        destination[3] = sequenceParameterSet[3];
        destination[4] = 0xFF;
        destination[5] = 0xE1;
        int offset = HeaderLength;
        BinaryPrimitives.WriteUInt16BigEndian(destination.Slice(offset), (ushort)sequenceParameterSet.Length);
        sequenceParameterSet.CopyTo(destination.Slice(offset + 2));
        offset += 2 + sequenceParameterSet.Length;
        destination[offset++] = 1;
        BinaryPrimitives.WriteUInt16BigEndian(destination.Slice(offset), (ushort)pictureParameterSet.Length);
        pictureParameterSet.CopyTo(destination.Slice(offset + 2));
        offset += 2 + pictureParameterSet.Length;
        if (HasHighProfileExtension(sequenceParameterSet[1]))
        {
            SequenceParameterSet sps = SequenceParameterSet.Parse(sequenceParameterSet);
            destination[offset++] = (byte)(0xFC | sps.ChromaFormatIdc);
            destination[offset++] = (byte)(0xF8 | (sps.BitDepthLuma - 8));
            destination[offset++] = (byte)(0xF8 | (sps.BitDepthChroma - 8));
            destination[offset++] = 0;
        }
        return offset;
    }

    /// <summary>Parses a record. Throws <see cref="MediaFormatException"/> when it is malformed.</summary>
    public static AvcDecoderConfigurationRecord Parse(ReadOnlySpan<byte> record)
    {
        if (record.Length < HeaderLength + 1)
            MediaFormatException.Throw($"AVC configuration record of {record.Length} bytes is shorter than 7.");
        if (record[0] != 1)
            MediaFormatException.Throw($"AVC configuration record: configurationVersion {record[0]} is not 1.");
        int offset = HeaderLength;
        byte[][] sps = ReadParameterSets(record, ref offset, record[5] & 0x1F, "SPS");
        if (offset >= record.Length)
            MediaFormatException.Throw("AVC configuration record ends before numOfPictureParameterSets.");
        int ppsCount = record[offset++];
        byte[][] pps = ReadParameterSets(record, ref offset, ppsCount, "PPS");

        int? chromaFormat = null, bitDepthLuma = null, bitDepthChroma = null;
        byte[][] spsExt = [];
        if (HasHighProfileExtension(record[1]) && record.Length - offset >= 4)
        {
            chromaFormat = record[offset] & 0x03;
            bitDepthLuma = (record[offset + 1] & 0x07) + 8;
            bitDepthChroma = (record[offset + 2] & 0x07) + 8;
            int extCount = record[offset + 3];
            offset += 4;
            spsExt = ReadParameterSets(record, ref offset, extCount, "SPS extension");
        }

        return new AvcDecoderConfigurationRecord
        {
            ConfigurationVersion = record[0],
            ProfileIndication = record[1],
            ProfileCompatibility = record[2],
            LevelIndication = record[3],
            NalUnitLengthSize = (record[4] & 0x03) + 1,
            SequenceParameterSets = sps,
            PictureParameterSets = pps,
            ChromaFormat = chromaFormat,
            BitDepthLuma = bitDepthLuma,
            BitDepthChroma = bitDepthChroma,
            SequenceParameterSetExtensions = spsExt,
        };
    }

    private static byte[][] ReadParameterSets(ReadOnlySpan<byte> record, ref int offset, int count, string what)
    {
        var sets = new byte[count][];
        for (int i = 0; i < count; i++)
        {
            if (record.Length - offset < 2)
                MediaFormatException.Throw($"AVC configuration record ends inside the length of {what} {i}.");
            int length = BinaryPrimitives.ReadUInt16BigEndian(record.Slice(offset));
            offset += 2;
            if (record.Length - offset < length)
                MediaFormatException.Throw($"AVC configuration record: {what} {i} of {length} bytes runs past the end.");
            sets[i] = record.Slice(offset, length).ToArray();
            offset += length;
        }
        return sets;
    }

    private static void ValidateParameterSets(ReadOnlySpan<byte> sps, ReadOnlySpan<byte> pps)
    {
        if (sps.Length < 4 || NalUnit.GetType(sps) != NalUnitType.SequenceParameterSet)
            throw new ArgumentException("Not an SPS NAL unit of at least 4 bytes.", nameof(sps));
        if (pps.Length < 1 || NalUnit.GetType(pps) != NalUnitType.PictureParameterSet)
            throw new ArgumentException("Not a PPS NAL unit.", nameof(pps));
        if (sps.Length > ushort.MaxValue || pps.Length > ushort.MaxValue)
            throw new ArgumentException("A parameter set is longer than 65535 bytes.");
    }
}
