using EdgeRtmp.Media.Flv;

namespace EdgeRtmp.Media.Tests.Flv;

public class FlvPayloadTests
{
    // Columns: tag body (hex), frame type, codec, packet type, composition time, header length, keyframe?, sequence header?
    [Theory]
    // Legacy AVC (E.4.3.1): FrameType | CodecID 7, AVCPacketType, SI24 composition time.
    [InlineData("17 00 000000 01640015", FlvVideoFrameType.Key, FlvVideoCodec.Avc, FlvVideoPacketType.SequenceStart, 0, 5, false, true)]
    [InlineData("17 01 000050 00000002", FlvVideoFrameType.Key, FlvVideoCodec.Avc, FlvVideoPacketType.CodedFrames, 80, 5, true, false)]
    [InlineData("27 01 0000A0 00000002", FlvVideoFrameType.Inter, FlvVideoCodec.Avc, FlvVideoPacketType.CodedFrames, 160, 5, false, false)]
    [InlineData("27 01 FFFFD8 00000002", FlvVideoFrameType.Inter, FlvVideoCodec.Avc, FlvVideoPacketType.CodedFrames, -40, 5, false, false)]
    [InlineData("37 01 000000 00", FlvVideoFrameType.DisposableInter, FlvVideoCodec.Avc, FlvVideoPacketType.CodedFrames, 0, 5, false, false)]
    [InlineData("17 02 000000", FlvVideoFrameType.Key, FlvVideoCodec.Avc, FlvVideoPacketType.SequenceEnd, 0, 5, false, false)]
    [InlineData("57 01", FlvVideoFrameType.Command, FlvVideoCodec.Avc, FlvVideoPacketType.CodedFrames, 0, 1, false, false)]
    // Legacy HEVC with CodecID 12 (the widespread non-standard extension, laid out like AVC).
    [InlineData("1C 00 000000 01", FlvVideoFrameType.Key, FlvVideoCodec.Hevc, FlvVideoPacketType.SequenceStart, 0, 5, false, true)]
    [InlineData("1C 01 000028 00", FlvVideoFrameType.Key, FlvVideoCodec.Hevc, FlvVideoPacketType.CodedFrames, 40, 5, true, false)]
    // Legacy codecs without a packet type.
    [InlineData("12 0000", FlvVideoFrameType.Key, FlvVideoCodec.SorensonH263, FlvVideoPacketType.CodedFrames, 0, 1, true, false)]
    [InlineData("24 00", FlvVideoFrameType.Inter, FlvVideoCodec.Vp6, FlvVideoPacketType.CodedFrames, 0, 1, false, false)]
    [InlineData("1F 00", FlvVideoFrameType.Key, FlvVideoCodec.Unknown, FlvVideoPacketType.CodedFrames, 0, 1, true, false)]
    // Enhanced RTMP: 0x80 | FrameType << 4 | VideoPacketType, FourCC.
    [InlineData("90 68766331 01", FlvVideoFrameType.Key, FlvVideoCodec.Hevc, FlvVideoPacketType.SequenceStart, 0, 5, false, true)]
    [InlineData("91 68766331 000028 00", FlvVideoFrameType.Key, FlvVideoCodec.Hevc, FlvVideoPacketType.CodedFrames, 40, 8, true, false)]
    [InlineData("A1 61766331 FFFFFF 00", FlvVideoFrameType.Inter, FlvVideoCodec.Avc, FlvVideoPacketType.CodedFrames, -1, 8, false, false)]
    [InlineData("93 68766331 00", FlvVideoFrameType.Key, FlvVideoCodec.Hevc, FlvVideoPacketType.CodedFramesX, 0, 5, true, false)]
    [InlineData("A3 61763031 00", FlvVideoFrameType.Inter, FlvVideoCodec.Av1, FlvVideoPacketType.CodedFramesX, 0, 5, false, false)]
    [InlineData("91 61763031 0A0B", FlvVideoFrameType.Key, FlvVideoCodec.Av1, FlvVideoPacketType.CodedFrames, 0, 5, true, false)]
    [InlineData("90 61763031 81", FlvVideoFrameType.Key, FlvVideoCodec.Av1, FlvVideoPacketType.SequenceStart, 0, 5, false, true)]
    [InlineData("95 61763031 00", FlvVideoFrameType.Key, FlvVideoCodec.Av1, FlvVideoPacketType.Mpeg2TsSequenceStart, 0, 5, false, true)]
    [InlineData("92 76703039", FlvVideoFrameType.Key, FlvVideoCodec.Vp9, FlvVideoPacketType.SequenceEnd, 0, 5, false, false)]
    [InlineData("94 61763031 02", FlvVideoFrameType.Key, FlvVideoCodec.Av1, FlvVideoPacketType.Metadata, 0, 5, false, false)]
    [InlineData("D4 76703038 02", FlvVideoFrameType.Command, FlvVideoCodec.Vp8, FlvVideoPacketType.Metadata, 0, 5, false, false)]
    [InlineData("D1 00", FlvVideoFrameType.Command, FlvVideoCodec.Unknown, FlvVideoPacketType.CodedFrames, 0, 1, false, false)]
    [InlineData("91 31323334 00", FlvVideoFrameType.Key, FlvVideoCodec.Unknown, FlvVideoPacketType.CodedFrames, 0, 5, true, false)]
    // v2 ModEx: size-1 = 0 (one byte of data 0x55), then ModExType | real packet type 1 (CodedFrames).
    [InlineData("97 00 55 01 68766331 000014 00", FlvVideoFrameType.Key, FlvVideoCodec.Hevc, FlvVideoPacketType.CodedFrames, 20, 11, true, false)]
    // v2 Multitrack, OneTrack (0) of CodedFrames: shared FourCC, track id, no track size.
    [InlineData("96 01 61766331 00 00000A 00", FlvVideoFrameType.Key, FlvVideoCodec.Avc, FlvVideoPacketType.CodedFrames, 10, 10, true, false)]
    // v2 Multitrack, ManyTracksManyCodecs (2) of SequenceStart: per-track FourCC, track id, UI24 size.
    [InlineData("96 20 68766331 01 000005", FlvVideoFrameType.Key, FlvVideoCodec.Hevc, FlvVideoPacketType.SequenceStart, 0, 10, false, true)]
    public void Video_headers_classify(string hex, FlvVideoFrameType frameType, FlvVideoCodec codec, FlvVideoPacketType packetType,
        int compositionTime, int headerLength, bool keyframe, bool sequenceHeader)
    {
        byte[] payload = Hex(hex);
        Assert.True(FlvPayload.TryReadVideoHeader(payload, out FlvVideoHeader header));
        Assert.Equal(frameType, header.FrameType);
        Assert.Equal(codec, header.Codec);
        Assert.Equal(packetType, header.PacketType);
        Assert.Equal(compositionTime, header.CompositionTime);
        Assert.Equal(headerLength, header.HeaderLength);
        Assert.Equal((payload[0] & 0x80) != 0, header.IsExHeader);
        Assert.Equal(keyframe, FlvPayload.IsVideoKeyframe(payload));
        Assert.Equal(sequenceHeader, FlvPayload.IsVideoSequenceHeader(payload));
        Assert.Equal(codec, FlvPayload.GetVideoCodec(payload));
        Assert.Equal(compositionTime, FlvPayload.GetCompositionTime(payload));
    }

    [Theory]
    [InlineData("")]
    [InlineData("17")]              // AVC without AVCPacketType
    [InlineData("17 01 0000")]      // composition time cut short
    [InlineData("17 03 000000")]    // AVCPacketType 3 is undefined
    [InlineData("91 6876")]         // FourCC cut short
    [InlineData("91 68766331 00")]  // hvc1 CodedFrames without its composition time
    [InlineData("98 68766331")]     // VideoPacketType 8 is undefined
    [InlineData("97 05 00")]        // ModEx data runs past the end
    [InlineData("96 30 68766331 00")] // AvMultitrackType 3 is undefined
    public void Malformed_video_headers_are_not_classified(string hex)
    {
        byte[] payload = Hex(hex);
        Assert.False(FlvPayload.TryReadVideoHeader(payload, out _));
        Assert.False(FlvPayload.IsVideoKeyframe(payload));
        Assert.False(FlvPayload.IsVideoSequenceHeader(payload));
        Assert.Equal(FlvVideoCodec.Unknown, FlvPayload.GetVideoCodec(payload));
    }

    // Columns: tag body (hex), codec, packet type, header length, sequence header?
    [Theory]
    [InlineData("AF 00 1210", FlvAudioCodec.Aac, FlvAudioPacketType.SequenceStart, 2, true)]
    [InlineData("AF 01 2100", FlvAudioCodec.Aac, FlvAudioPacketType.CodedFrames, 2, false)]
    [InlineData("AE 01 2100", FlvAudioCodec.Aac, FlvAudioPacketType.CodedFrames, 2, false)]
    [InlineData("2F FFFB", FlvAudioCodec.Mp3, FlvAudioPacketType.CodedFrames, 1, false)]
    [InlineData("E2 FFFB", FlvAudioCodec.Mp3At8k, FlvAudioPacketType.CodedFrames, 1, false)]
    [InlineData("72 D5", FlvAudioCodec.G711ALaw, FlvAudioPacketType.CodedFrames, 1, false)]
    [InlineData("82 D5", FlvAudioCodec.G711MuLaw, FlvAudioPacketType.CodedFrames, 1, false)]
    [InlineData("B6 00", FlvAudioCodec.Speex, FlvAudioPacketType.CodedFrames, 1, false)]
    [InlineData("3E 0000", FlvAudioCodec.LinearPcmLittleEndian, FlvAudioPacketType.CodedFrames, 1, false)]
    [InlineData("C0 00", FlvAudioCodec.Unknown, FlvAudioPacketType.CodedFrames, 1, false)]
    // Enhanced audio (v2): SoundFormat 9 | AudioPacketType, FourCC.
    [InlineData("90 4F707573 4F707573", FlvAudioCodec.Opus, FlvAudioPacketType.SequenceStart, 5, true)]
    [InlineData("91 4F707573 FC", FlvAudioCodec.Opus, FlvAudioPacketType.CodedFrames, 5, false)]
    [InlineData("90 6D703461 1210", FlvAudioCodec.Aac, FlvAudioPacketType.SequenceStart, 5, true)]
    [InlineData("91 664C6143 00", FlvAudioCodec.Flac, FlvAudioPacketType.CodedFrames, 5, false)]
    [InlineData("91 61632D33 00", FlvAudioCodec.Ac3, FlvAudioPacketType.CodedFrames, 5, false)]
    [InlineData("91 65632D33 00", FlvAudioCodec.Eac3, FlvAudioPacketType.CodedFrames, 5, false)]
    [InlineData("91 2E6D7033 FFFB", FlvAudioCodec.Mp3, FlvAudioPacketType.CodedFrames, 5, false)]
    [InlineData("92 6D703461", FlvAudioCodec.Aac, FlvAudioPacketType.SequenceEnd, 5, false)]
    [InlineData("94 4F707573 00", FlvAudioCodec.Opus, FlvAudioPacketType.MultichannelConfig, 5, false)]
    [InlineData("97 00 AA 00 6D703461 1210", FlvAudioCodec.Aac, FlvAudioPacketType.SequenceStart, 8, true)]
    [InlineData("95 01 4F707573 00 FC", FlvAudioCodec.Opus, FlvAudioPacketType.CodedFrames, 7, false)]
    public void Audio_headers_classify(string hex, FlvAudioCodec codec, FlvAudioPacketType packetType, int headerLength, bool sequenceHeader)
    {
        byte[] payload = Hex(hex);
        Assert.True(FlvPayload.TryReadAudioHeader(payload, out FlvAudioHeader header));
        Assert.Equal(codec, header.Codec);
        Assert.Equal(packetType, header.PacketType);
        Assert.Equal(headerLength, header.HeaderLength);
        Assert.Equal(sequenceHeader, FlvPayload.IsAudioSequenceHeader(payload));
        Assert.Equal(codec, FlvPayload.GetAudioCodec(payload));
    }

    [Theory]
    [InlineData("")]
    [InlineData("AF")]           // AAC without AACPacketType
    [InlineData("AF 02")]        // AACPacketType 2 is undefined
    [InlineData("90 4F70")]      // FourCC cut short
    [InlineData("93 4F707573")]  // AudioPacketType 3 is reserved
    public void Malformed_audio_headers_are_not_classified(string hex)
    {
        byte[] payload = Hex(hex);
        Assert.False(FlvPayload.TryReadAudioHeader(payload, out _));
        Assert.False(FlvPayload.IsAudioSequenceHeader(payload));
        Assert.Equal(FlvAudioCodec.Unknown, FlvPayload.GetAudioCodec(payload));
    }

    private static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal));
}
