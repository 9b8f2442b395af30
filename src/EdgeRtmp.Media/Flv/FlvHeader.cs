using System.Buffers.Binary;

namespace EdgeRtmp.Media.Flv;

/// <summary>
/// The FLV file header (Video File Format Specification v10.1, annex E.2).
/// <code>
///  0      1      2      3         4              5..8
/// +------+------+------+---------+--------------+-------------------+
/// | 'F'  | 'L'  | 'V'  | Version | TypeFlags    | DataOffset (UI32) |
/// +------+------+------+---------+--------------+-------------------+
/// TypeFlags: reserved(5) | audio 0x04 | reserved(1) | video 0x01
/// </code>
/// It is followed by PreviousTagSize0 (UI32, always 0) and then the tags.
/// </summary>
public readonly struct FlvHeader : IEquatable<FlvHeader>
{
    /// <summary>The header itself; version 1 files always say 9 in DataOffset.</summary>
    public const int Length = 9;

    /// <summary>Header plus PreviousTagSize0: where the first tag starts in a version-1 file.</summary>
    public const int LengthWithPreviousTagSize = Length + FlvTag.PreviousTagSizeLength;

    public const byte AudioFlag = 0x04;
    public const byte VideoFlag = 0x01;

    private const int VersionOffset = 3;
    private const int FlagsOffset = 4;
    private const int DataOffsetOffset = 5;

    public FlvHeader(bool hasAudio, bool hasVideo, byte version = 1, uint dataOffset = Length)
    {
        HasAudio = hasAudio;
        HasVideo = hasVideo;
        Version = version;
        DataOffset = dataOffset;
    }

    public byte Version { get; }

    public bool HasAudio { get; }

    public bool HasVideo { get; }

    /// <summary>Where the body starts, counted from the file start: 9 for every file written to v10.1.</summary>
    public uint DataOffset { get; }

    /// <summary>Writes the 9-byte header (not PreviousTagSize0).</summary>
    public void Write(Span<byte> destination)
    {
        destination[0] = (byte)'F';
        destination[1] = (byte)'L';
        destination[2] = (byte)'V';
        destination[VersionOffset] = Version;
        destination[FlagsOffset] = (byte)((HasAudio ? AudioFlag : 0) | (HasVideo ? VideoFlag : 0));
        BinaryPrimitives.WriteUInt32BigEndian(destination[DataOffsetOffset..], DataOffset);
    }

    /// <summary>Parses the 9 header bytes; throws <see cref="MediaFormatException"/> on a bad signature or version.</summary>
    public static FlvHeader Parse(ReadOnlySpan<byte> source)
    {
        if (source[0] != 'F' || source[1] != 'L' || source[2] != 'V')
        {
            MediaFormatException.Throw($"FLV header at offset 0: signature is 0x{source[0]:X2}{source[1]:X2}{source[2]:X2}, expected 'FLV' (0x464C56)");
        }

        if (source[VersionOffset] != 1)
        {
            MediaFormatException.Throw($"FLV header at offset {VersionOffset}: version is {source[VersionOffset]}, only version 1 exists");
        }

        uint dataOffset = BinaryPrimitives.ReadUInt32BigEndian(source[DataOffsetOffset..]);
        if (dataOffset < Length)
        {
            MediaFormatException.Throw($"FLV header at offset {DataOffsetOffset}: data offset is {dataOffset}, it must be at least {Length}");
        }

        // The reserved flag bits are ignored, as FFmpeg does: some muxers set them.
        byte flags = source[FlagsOffset];
        return new FlvHeader((flags & AudioFlag) != 0, (flags & VideoFlag) != 0, source[VersionOffset], dataOffset);
    }

    public bool Equals(FlvHeader other) =>
        Version == other.Version && HasAudio == other.HasAudio && HasVideo == other.HasVideo && DataOffset == other.DataOffset;

    public override bool Equals(object? obj) => obj is FlvHeader other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(Version, HasAudio, HasVideo, DataOffset);

    public static bool operator ==(FlvHeader left, FlvHeader right) => left.Equals(right);

    public static bool operator !=(FlvHeader left, FlvHeader right) => !left.Equals(right);

    public override string ToString() => $"FLV v{Version} audio={HasAudio} video={HasVideo} dataOffset={DataOffset}";
}
