using System.Buffers.Binary;
using static EdgeRtmp.Protocol.BigEndian24;

namespace EdgeRtmp.Media.Flv;

/// <summary>
/// Classifies audio and video tag bodies (FLV annex E.4.2/E.4.3, and Enhanced RTMP v1/v2 by Veovera).
/// The whole product decides keyframes and sequence headers here. Never throws: a body too short or
/// with an undefined packet type reads as "not parsed" (<c>TryRead…</c> false), so the convenience
/// predicates answer false.
/// <code>
/// Legacy video:   FrameType(4) | CodecID(4) ; AVC/HEVC: AVCPacketType(8) CompositionTime(SI24)
/// Enhanced video: IsExHeader(1)=1 | FrameType(3) | VideoPacketType(4) ; [ModEx…] [Multitrack…] FourCC(32)
///                 CodedFrames of avc1/hvc1: CompositionTime(SI24)
/// Legacy audio:   SoundFormat(4) | SoundRate(2) | SoundSize(1) | SoundType(1) ; AAC: AACPacketType(8)
/// Enhanced audio: SoundFormat(4)=9 | AudioPacketType(4) ; [ModEx…] [Multitrack…] FourCC(32)
/// </code>
/// </summary>
public static class FlvPayload
{
    private const byte ExHeaderBit = 0x80;
    private const int LegacyCodecAvc = 7;
    private const int LegacyCodecHevc = 12;
    private const int SoundFormatAac = 10;
    private const int SoundFormatExHeader = 9;
    private const int MultitrackOneTrack = 0;
    private const int MultitrackManyTracksManyCodecs = 2;

    public const uint FourCCAvc = 0x61766331;   // 'avc1'
    public const uint FourCCHevc = 0x68766331;  // 'hvc1'
    public const uint FourCCAv1 = 0x61763031;   // 'av01'
    public const uint FourCCVp8 = 0x76703038;   // 'vp08'
    public const uint FourCCVp9 = 0x76703039;   // 'vp09'
    public const uint FourCCAac = 0x6D703461;   // 'mp4a'
    public const uint FourCCOpus = 0x4F707573;  // 'Opus'
    public const uint FourCCFlac = 0x664C6143;  // 'fLaC'
    public const uint FourCCAc3 = 0x61632D33;   // 'ac-3'
    public const uint FourCCEac3 = 0x65632D33;  // 'ec-3'
    public const uint FourCCMp3 = 0x2E6D7033;   // '.mp3'

    /// <summary>A coded picture that starts a GOP (frame type 1), not a sequence header or command.</summary>
    public static bool IsVideoKeyframe(ReadOnlySpan<byte> payload) =>
        TryReadVideoHeader(payload, out FlvVideoHeader header)
        && header.FrameType == FlvVideoFrameType.Key
        && header.PacketType is FlvVideoPacketType.CodedFrames or FlvVideoPacketType.CodedFramesX;

    /// <summary>AVC/HEVC decoder configuration (AVCPacketType 0) or Enhanced RTMP SequenceStart / MPEG2TSSequenceStart.</summary>
    public static bool IsVideoSequenceHeader(ReadOnlySpan<byte> payload) =>
        TryReadVideoHeader(payload, out FlvVideoHeader header)
        && header.FrameType != FlvVideoFrameType.Command
        && header.PacketType is FlvVideoPacketType.SequenceStart or FlvVideoPacketType.Mpeg2TsSequenceStart;

    /// <summary>AAC AudioSpecificConfig (AACPacketType 0) or Enhanced RTMP audio SequenceStart.</summary>
    public static bool IsAudioSequenceHeader(ReadOnlySpan<byte> payload) =>
        TryReadAudioHeader(payload, out FlvAudioHeader header) && header.PacketType == FlvAudioPacketType.SequenceStart;

    public static FlvVideoCodec GetVideoCodec(ReadOnlySpan<byte> payload) =>
        TryReadVideoHeader(payload, out FlvVideoHeader header) ? header.Codec : FlvVideoCodec.Unknown;

    public static FlvAudioCodec GetAudioCodec(ReadOnlySpan<byte> payload) =>
        TryReadAudioHeader(payload, out FlvAudioHeader header) ? header.Codec : FlvAudioCodec.Unknown;

    /// <summary>PTS - DTS in milliseconds for AVC/HEVC coded frames (signed 24 bits); 0 otherwise.</summary>
    public static int GetCompositionTime(ReadOnlySpan<byte> payload) =>
        TryReadVideoHeader(payload, out FlvVideoHeader header) ? header.CompositionTime : 0;

    public static bool TryReadVideoHeader(ReadOnlySpan<byte> payload, out FlvVideoHeader header)
    {
        header = default;
        if (payload.IsEmpty)
        {
            return false;
        }

        byte first = payload[0];
        return (first & ExHeaderBit) == 0
            ? TryReadLegacyVideoHeader(payload, first, out header)
            : TryReadExVideoHeader(payload, first, out header);
    }

    public static bool TryReadAudioHeader(ReadOnlySpan<byte> payload, out FlvAudioHeader header)
    {
        header = default;
        if (payload.IsEmpty)
        {
            return false;
        }

        int soundFormat = payload[0] >> 4;
        if (soundFormat == SoundFormatExHeader)
        {
            return TryReadExAudioHeader(payload, out header);
        }

        FlvAudioCodec codec = LegacyAudioCodec(soundFormat);
        if (soundFormat != SoundFormatAac)
        {
            header = new FlvAudioHeader(codec, FlvAudioPacketType.CodedFrames, false, 0, false, 1);
            return true;
        }

        if (payload.Length < 2 || payload[1] > 1)
        {
            return false;
        }

        header = new FlvAudioHeader(codec, payload[1] == 0 ? FlvAudioPacketType.SequenceStart : FlvAudioPacketType.CodedFrames, false, 0, false, 2);
        return true;
    }

    private static bool TryReadLegacyVideoHeader(ReadOnlySpan<byte> payload, byte first, out FlvVideoHeader header)
    {
        header = default;
        FlvVideoFrameType frameType = FrameType(first >> 4);
        int codecId = first & 0x0F;
        FlvVideoCodec codec = codecId switch
        {
            2 => FlvVideoCodec.SorensonH263,
            3 => FlvVideoCodec.ScreenVideo,
            4 => FlvVideoCodec.Vp6,
            5 => FlvVideoCodec.Vp6Alpha,
            6 => FlvVideoCodec.ScreenVideo2,
            LegacyCodecAvc => FlvVideoCodec.Avc,
            LegacyCodecHevc => FlvVideoCodec.Hevc,
            _ => FlvVideoCodec.Unknown,
        };

        // A command frame's body is one UI8 (seek start/end), never an AVCPacketType (E.4.3.1).
        if (codec is not (FlvVideoCodec.Avc or FlvVideoCodec.Hevc) || frameType == FlvVideoFrameType.Command)
        {
            header = new FlvVideoHeader(frameType, codec, FlvVideoPacketType.CodedFrames, 0, false, 0, false, 1);
            return true;
        }

        if (payload.Length < 5 || payload[1] > 2)
        {
            return false;
        }

        var packetType = (FlvVideoPacketType)payload[1]; // AVCPacketType 0/1/2 = SequenceStart/CodedFrames/SequenceEnd
        int compositionTime = packetType == FlvVideoPacketType.CodedFrames ? ReadInt24(payload[2..]) : 0;
        header = new FlvVideoHeader(frameType, codec, packetType, compositionTime, false, 0, false, 5);
        return true;
    }

    private static bool TryReadExVideoHeader(ReadOnlySpan<byte> payload, byte first, out FlvVideoHeader header)
    {
        header = default;
        FlvVideoFrameType frameType = FrameType((first >> 4) & 0x07);
        int packetType = first & 0x0F;
        int position = 1;
        if (!TrySkipModEx(payload, ref position, ref packetType))
        {
            return false;
        }

        // Enhanced RTMP v2: a command frame carries a UI8 command and no FourCC (unless it is Metadata).
        if (frameType == FlvVideoFrameType.Command && packetType != (int)FlvVideoPacketType.Metadata)
        {
            header = new FlvVideoHeader(frameType, FlvVideoCodec.Unknown, (FlvVideoPacketType)packetType, 0, true, 0, false, position);
            return packetType <= (int)FlvVideoPacketType.Mpeg2TsSequenceStart;
        }

        bool multitrack = packetType == (int)FlvVideoPacketType.Multitrack;
        if (!TryReadFourCC(payload, ref position, ref packetType, multitrack, out uint fourCC))
        {
            return false;
        }

        if (packetType > (int)FlvVideoPacketType.Mpeg2TsSequenceStart)
        {
            return false;
        }

        FlvVideoCodec codec = fourCC switch
        {
            FourCCAvc => FlvVideoCodec.Avc,
            FourCCHevc => FlvVideoCodec.Hevc,
            FourCCAv1 => FlvVideoCodec.Av1,
            FourCCVp8 => FlvVideoCodec.Vp8,
            FourCCVp9 => FlvVideoCodec.Vp9,
            _ => FlvVideoCodec.Unknown,
        };

        int compositionTime = 0;
        if (packetType == (int)FlvVideoPacketType.CodedFrames && codec is FlvVideoCodec.Avc or FlvVideoCodec.Hevc)
        {
            if (payload.Length < position + 3)
            {
                return false;
            }

            compositionTime = ReadInt24(payload[position..]);
            position += 3;
        }

        header = new FlvVideoHeader(frameType, codec, (FlvVideoPacketType)packetType, compositionTime, true, fourCC, multitrack, position);
        return true;
    }

    private static bool TryReadExAudioHeader(ReadOnlySpan<byte> payload, out FlvAudioHeader header)
    {
        header = default;
        int packetType = payload[0] & 0x0F;
        int position = 1;
        if (!TrySkipModEx(payload, ref position, ref packetType))
        {
            return false;
        }

        bool multitrack = packetType == (int)FlvAudioPacketType.Multitrack;
        if (!TryReadFourCC(payload, ref position, ref packetType, multitrack, out uint fourCC))
        {
            return false;
        }

        if (packetType is not (0 or 1 or 2 or 4))
        {
            return false;
        }

        FlvAudioCodec codec = fourCC switch
        {
            FourCCAac => FlvAudioCodec.Aac,
            FourCCOpus => FlvAudioCodec.Opus,
            FourCCFlac => FlvAudioCodec.Flac,
            FourCCAc3 => FlvAudioCodec.Ac3,
            FourCCEac3 => FlvAudioCodec.Eac3,
            FourCCMp3 => FlvAudioCodec.Mp3,
            _ => FlvAudioCodec.Unknown,
        };
        header = new FlvAudioHeader(codec, (FlvAudioPacketType)packetType, true, fourCC, multitrack, position);
        return true;
    }

    /// <summary>
    /// Enhanced RTMP v2 ModEx (packet type 7, the same value for audio and video): UI8 size - 1
    /// (255 means a UI16 size - 1 follows), the data, then ModExType(4) | the real packet type(4).
    /// </summary>
    private static bool TrySkipModEx(ReadOnlySpan<byte> payload, ref int position, ref int packetType)
    {
        const int ModEx = 7;
        while (packetType == ModEx)
        {
            if (payload.Length < position + 1)
            {
                return false;
            }

            int size = payload[position++] + 1;
            if (size == 256)
            {
                if (payload.Length < position + 2)
                {
                    return false;
                }

                size = BinaryPrimitives.ReadUInt16BigEndian(payload[position..]) + 1;
                position += 2;
            }

            position += size;
            if (payload.Length < position + 1)
            {
                return false;
            }

            packetType = payload[position++] & 0x0F;
        }

        return true;
    }

    /// <summary>
    /// The FourCC, or for a multitrack packet: AvMultitrackType(4) | packet type(4), the FourCC (shared, or the
    /// first track's for ManyTracksManyCodecs), the first track's id and, unless OneTrack, its UI24 size.
    /// </summary>
    private static bool TryReadFourCC(ReadOnlySpan<byte> payload, ref int position, ref int packetType, bool multitrack, out uint fourCC)
    {
        fourCC = 0;
        int multitrackType = MultitrackOneTrack;
        if (multitrack)
        {
            if (payload.Length < position + 1)
            {
                return false;
            }

            multitrackType = payload[position] >> 4;
            packetType = payload[position++] & 0x0F;
            if (multitrackType > MultitrackManyTracksManyCodecs)
            {
                return false;
            }
        }

        if (payload.Length < position + 4)
        {
            return false;
        }

        fourCC = BinaryPrimitives.ReadUInt32BigEndian(payload[position..]);
        position += 4;
        if (multitrack)
        {
            int trackHeader = 1 + (multitrackType == MultitrackOneTrack ? 0 : 3);
            if (payload.Length < position + trackHeader)
            {
                return false;
            }

            position += trackHeader;
        }

        return true;
    }

    private static FlvVideoFrameType FrameType(int value) =>
        value is >= 1 and <= 5 ? (FlvVideoFrameType)value : FlvVideoFrameType.Unknown;

    private static FlvAudioCodec LegacyAudioCodec(int soundFormat) => soundFormat switch
    {
        0 => FlvAudioCodec.LinearPcmPlatformEndian,
        1 => FlvAudioCodec.Adpcm,
        2 => FlvAudioCodec.Mp3,
        3 => FlvAudioCodec.LinearPcmLittleEndian,
        4 => FlvAudioCodec.Nellymoser16kMono,
        5 => FlvAudioCodec.Nellymoser8kMono,
        6 => FlvAudioCodec.Nellymoser,
        7 => FlvAudioCodec.G711ALaw,
        8 => FlvAudioCodec.G711MuLaw,
        10 => FlvAudioCodec.Aac,
        11 => FlvAudioCodec.Speex,
        14 => FlvAudioCodec.Mp3At8k,
        15 => FlvAudioCodec.DeviceSpecific,
        _ => FlvAudioCodec.Unknown,
    };
}
