using System.Buffers;
using EdgeRtmp.Protocol;
using EdgeRtmp.Protocol.Messages.Commands;

namespace EdgeRtmp.Media.H264;

/// <summary>
/// Turns Annex B access units into the frames a player needs, in order: <c>onMetaData</c> and the AVC sequence
/// header (AVCDecoderConfigurationRecord) before the first picture and again whenever the SPS or PPS change, then
/// each picture as an AVCC video tag body. What one access unit makes (metadata, sequence header, picture) is handed
/// to the sink as one batch, so it leaves in one write per player. Pictures before the first keyframe (or after <see cref="Restart"/>) are
/// dropped: a decoder cannot start from them. Nothing is allocated per picture once the buffers have grown.
/// </summary>
/// <remarks>
/// Video tag body (FLV spec E.4.3.1): <c>FrameType(4) | CodecID(4)</c>, <c>AVCPacketType</c> (0 sequence header,
/// 1 NAL units), <c>CompositionTime</c> (SI24), then the data. Pictures arrive in decode order; with B-frames the
/// composition time (how much later than decoded a picture is shown) comes from its picture order count
/// (<see cref="PictureOrder"/>) times the frame period, as FFmpeg's FLV muxer writes it. Without a known frame rate it
/// is 0.
/// </remarks>
public sealed class H264FramePackager
{
    private const int VideoTagHeaderLength = 5;
    private const byte KeyframeAvc = 0x17;
    private const byte InterFrameAvc = 0x27;
    private const byte AvcSequenceHeader = 0;
    private const byte AvcNalUnits = 1;
    private const double AvcCodecId = 7;

    private readonly H264ParameterSets _parameterSets = new();
    private readonly PictureOrder _pictureOrder = new();
    private readonly ArrayBufferWriter<byte> _avcc = new(64 * 1024);
    private readonly ArrayBufferWriter<byte> _scratch = new(512);
    private readonly MediaBatch _batch = new(4);
    private readonly double? _frameRate;
    private readonly MediaFramePool _pool;
    private bool _headerSent;
    private bool _waitingForKeyframe = true;
    private bool _hasTimestamp;
    private uint _lastTimestamp;
    private bool _fillKeyframe;
    private int _fillCompositionTime;

    /// <param name="frameRate">For <c>onMetaData</c>; null takes it from the SPS timing info, if any.</param>
    /// <param name="pool">Where frames are rented; <see cref="MediaFramePool.Shared"/> by default.</param>
    public H264FramePackager(double? frameRate = null, MediaFramePool? pool = null)
    {
        _frameRate = frameRate;
        _pool = pool ?? MediaFramePool.Shared;
    }

    /// <summary>The frame rate the SPS timing info declares; 0 when unknown or not seen yet.</summary>
    public double FramesPerSecond => _parameterSets.IsComplete ? _parameterSets.SequenceParameterSet.FramesPerSecond : 0;

    /// <summary>Whether pictures may be shown in another order than they are decoded (B-frames): composition times are not 0.</summary>
    public bool ReordersPictures => _parameterSets.IsComplete && PictureOrder.Reorders(_parameterSets.SequenceParameterSet);

    /// <summary>Pictures dropped while waiting for parameter sets or a keyframe.</summary>
    public long DroppedPictures { get; private set; }

    /// <summary>The stream starts over (a restarted encoder): wait for its next keyframe.</summary>
    public void Restart() => _waitingForKeyframe = true;

    /// <summary>Packages one access unit stamped <paramref name="timestamp"/> (forced strictly increasing) into <paramref name="sink"/>.</summary>
    public void Write(ReadOnlySpan<byte> annexBAccessUnit, uint timestamp, IMediaSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        try
        {
            Package(annexBAccessUnit, timestamp);
            _batch.WriteTo(sink);
        }
        finally
        {
            _batch.Clear();
        }
    }

    private void Package(ReadOnlySpan<byte> annexBAccessUnit, uint timestamp)
    {
        if (_hasTimestamp && unchecked((int)(timestamp - _lastTimestamp)) <= 0)
        {
            // Two access units completed by one read get one arrival time; decoders want increasing DTS.
            timestamp = unchecked(_lastTimestamp + 1);
        }

        _avcc.ResetWrittenCount();
        AvccFrameInfo info = AvccWriter.Write(annexBAccessUnit, _avcc, _parameterSets);
        if ((info.ParameterSetsChanged || !_headerSent) && _parameterSets.IsComplete)
        {
            EmitMetadata(timestamp);
            EmitSequenceHeader(timestamp);
            _headerSent = true;
            SetTimestamp(timestamp);
        }

        if (info.NalUnitCount == 0)
        {
            return;
        }

        if (!_headerSent || (_waitingForKeyframe && !info.IsKeyframe))
        {
            DroppedPictures++;
            return;
        }

        _waitingForKeyframe = false;
        _fillKeyframe = info.IsKeyframe;
        _fillCompositionTime = CompositionTime(info);
        MediaFrame frame = _pool.Rent(
            MediaKind.Video,
            timestamp,
            info.IsKeyframe ? MediaFrameFlags.Keyframe : MediaFrameFlags.None,
            VideoTagHeaderLength + info.BytesWritten,
            this,
            static (span, self) => self.FillPicture(span));
        SetTimestamp(timestamp);
        _batch.Add(frame);
    }

    private void SetTimestamp(uint timestamp)
    {
        _lastTimestamp = timestamp;
        _hasTimestamp = true;
    }

    /// <summary>Milliseconds between decoding and showing the picture: its reorder offset in frame periods.</summary>
    private int CompositionTime(in AvccFrameInfo info)
    {
        if (info.FirstSliceOffset < 0)
        {
            return 0;
        }

        ReadOnlySpan<byte> slice = _avcc.WrittenSpan.Slice(info.FirstSliceOffset, info.FirstSliceLength);
        int periods = _pictureOrder.Next(slice, _parameterSets.SequenceParameterSet);
        double frameRate = _frameRate ?? FramesPerSecond;
        return frameRate > 0 ? (int)Math.Round(periods * 1000 / frameRate) : 0;
    }

    private void FillPicture(Span<byte> destination)
    {
        destination[0] = _fillKeyframe ? KeyframeAvc : InterFrameAvc;
        destination[1] = AvcNalUnits;
        BigEndian24.WriteInt24(destination[2..], _fillCompositionTime);
        _avcc.WrittenSpan.CopyTo(destination[VideoTagHeaderLength..]);
    }

    private void EmitMetadata(uint timestamp)
    {
        SequenceParameterSet sps = _parameterSets.SequenceParameterSet;
        double frameRate = _frameRate ?? sps.FramesPerSecond;
        var metadata = new StreamMetadata
        {
            Width = sps.Width,
            Height = sps.Height,
            FrameRate = frameRate > 0 ? frameRate : null,
            VideoCodecId = AvcCodecId,
            Encoder = "EdgeRtmp",
        };
        _scratch.ResetWrittenCount();
        metadata.Write(_scratch, withSetDataFrame: false);
        _batch.Add(_pool.Rent(MediaKind.Data, timestamp, MediaFrameFlags.Metadata, _scratch.WrittenSpan));
    }

    private void EmitSequenceHeader(uint timestamp)
    {
        _scratch.ResetWrittenCount();
        Span<byte> header = _scratch.GetSpan(VideoTagHeaderLength);
        header[0] = KeyframeAvc;
        header[1] = AvcSequenceHeader;
        header[2] = header[3] = header[4] = 0;
        _scratch.Advance(VideoTagHeaderLength);
        _parameterSets.WriteDecoderConfigurationRecord(_scratch);
        _batch.Add(_pool.Rent(MediaKind.Video, timestamp, MediaFrameFlags.SequenceHeader | MediaFrameFlags.Keyframe, _scratch.WrittenSpan));
    }
}
