using EdgeRtmp.Protocol.Messages.Commands;

namespace EdgeRtmp.Media.Aac;

/// <summary>
/// Turns AAC access units into the frames a player needs, in order: <c>onMetaData</c> describing the audio and the AAC
/// sequence header (the AudioSpecificConfig) before the first access unit and again when the config changes, then each
/// raw access unit as an FLV audio tag body. Stamps never go backwards (a late one takes its predecessor's).
/// Allocation-free once the pool is warm.
/// </summary>
/// <remarks>
/// Audio tag body (FLV spec E.4.2.1): <c>SoundFormat(4) | SoundRate(2) | SoundSize(1) | SoundType(1)</c>, for AAC
/// always <c>0xAF</c> (format 10; the rate and type bits are fixed, the decoder reads the AudioSpecificConfig), then
/// <c>AACPacketType</c> (0 sequence header, 1 raw), then the data.
/// </remarks>
public sealed class AacFramePackager
{
    public const int TagHeaderLength = 2;
    private const byte AacSoundByte = 0xAF;
    private const byte AacSequenceHeader = 0;
    private const byte AacRaw = 1;
    private const double AacCodecId = 10;

    private readonly MediaBatch _batch = new(4);
    private readonly System.Buffers.ArrayBufferWriter<byte> _scratch = new(256);
    private readonly MediaFramePool _pool;
    private AudioSpecificConfig _config;
    private bool _headerSent;
    private bool _hasTimestamp;
    private uint _lastTimestamp;

    /// <param name="bitrateKbps">For <c>onMetaData</c>'s audiodatarate; 0 leaves it out.</param>
    /// <param name="pool">Where frames are rented; <see cref="MediaFramePool.Shared"/> by default.</param>
    public AacFramePackager(int bitrateKbps = 0, MediaFramePool? pool = null)
    {
        BitrateKbps = bitrateKbps;
        _pool = pool ?? MediaFramePool.Shared;
    }

    public int BitrateKbps { get; }

    /// <summary>Access units packaged so far.</summary>
    public long Frames { get; private set; }

    /// <summary>A new run of the source (a restarted device or command): send the header again before its first frame.</summary>
    public void Restart() => _headerSent = false;

    /// <summary>
    /// Packages one access unit, passed as a tag body whose first <see cref="TagHeaderLength"/> bytes are free for the
    /// tag header (so an encoder can write its output in place): <paramref name="tagBody"/>[2..] is the access unit.
    /// </summary>
    public void Write(AudioSpecificConfig config, Span<byte> tagBody, uint timestamp, IMediaSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        if (tagBody.Length <= TagHeaderLength)
        {
            throw new ArgumentException("an access unit follows the two header bytes", nameof(tagBody));
        }

        if (_hasTimestamp && unchecked((int)(timestamp - _lastTimestamp)) < 0)
        {
            timestamp = _lastTimestamp;
        }

        _lastTimestamp = timestamp;
        _hasTimestamp = true;
        try
        {
            if (!_headerSent || config != _config)
            {
                _config = config;
                _headerSent = true;
                EmitMetadata(timestamp);
                EmitSequenceHeader(timestamp);
            }

            tagBody[0] = AacSoundByte;
            tagBody[1] = AacRaw;
            _batch.Add(_pool.Rent(MediaKind.Audio, timestamp, MediaFrameFlags.None, tagBody));
            Frames++;
            _batch.WriteTo(sink);
        }
        finally
        {
            _batch.Clear();
        }
    }

    private void EmitMetadata(uint timestamp)
    {
        var metadata = new StreamMetadata
        {
            AudioCodecId = AacCodecId,
            AudioSampleRate = _config.SampleRate,
            AudioSampleSize = 16,
            Stereo = _config.ChannelConfiguration == 2,
            AudioDataRate = BitrateKbps > 0 ? BitrateKbps : null,
            Encoder = "EdgeRtmp",
        };
        _scratch.ResetWrittenCount();
        metadata.Write(_scratch, withSetDataFrame: false);
        _batch.Add(_pool.Rent(MediaKind.Data, timestamp, MediaFrameFlags.Metadata, _scratch.WrittenSpan));
    }

    private void EmitSequenceHeader(uint timestamp)
    {
        _scratch.ResetWrittenCount();
        Span<byte> header = _scratch.GetSpan(TagHeaderLength + 5);
        header[0] = AacSoundByte;
        header[1] = AacSequenceHeader;
        int length = _config.Write(header[TagHeaderLength..]);
        _scratch.Advance(TagHeaderLength + length);
        _batch.Add(_pool.Rent(MediaKind.Audio, timestamp, MediaFrameFlags.SequenceHeader, _scratch.WrittenSpan));
    }
}

/// <summary>
/// PCM frames in, FLV AAC frames out: our encoder plus <see cref="AacFramePackager"/>. Each frame of
/// <see cref="AacEncoder.FrameSamples"/> comes with its presentation time on the pipeline clock; since the decoded
/// stream lags the input by <see cref="AacEncoder.EncoderDelaySamples"/>, access unit k is stamped with the time of
/// input frame k − 2 (the samples it decodes to), so a player hears each sample when the clock said it was captured.
/// </summary>
public sealed class AacPcmPackager
{
    private readonly AacEncoderOptions _options;
    private readonly AacFramePackager _packager;
    private readonly TimeSpan[] _presentations;
    private readonly byte[] _tagBody;
    private AacEncoder _encoder;
    private AudioSpecificConfig _config;
    private long _frames;

    /// <param name="pool">Where frames are rented; <see cref="MediaFramePool.Shared"/> by default.</param>
    public AacPcmPackager(AacEncoderOptions options, MediaFramePool? pool = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _encoder = new AacEncoder(options);
        _config = AudioSpecificConfig.Read(_encoder.AudioSpecificConfig);
        _packager = new AacFramePackager(options.BitrateKbps, pool);
        _presentations = new TimeSpan[(_encoder.EncoderDelaySamples / AacEncoder.FrameSamples) + 1];
        _tagBody = new byte[AacFramePackager.TagHeaderLength + _encoder.MaxAccessUnitBytes];
    }

    public AacEncoderOptions Options => _options;

    /// <summary>Access units packaged so far.</summary>
    public long Frames => _packager.Frames;

    /// <summary>A new run: a fresh encoder (no tail of the previous run's signal) and the header again.</summary>
    public void Restart()
    {
        _encoder = new AacEncoder(_options);
        _frames = 0;
        _packager.Restart();
    }

    /// <summary>Encodes one frame (<see cref="AacEncoder.FrameSamples"/> × channels interleaved samples) presented at <paramref name="presentation"/>.</summary>
    public void Write(ReadOnlySpan<short> frame, TimeSpan presentation, IMediaSink sink)
    {
        int delayFrames = _presentations.Length - 1;
        _presentations[_frames % _presentations.Length] = presentation;
        TimeSpan frameDuration = TimeSpan.FromTicks(AacEncoder.FrameSamples * TimeSpan.TicksPerSecond / _options.SampleRate);
        TimeSpan stamp = _frames >= delayFrames
            ? _presentations[(_frames - delayFrames) % _presentations.Length]
            : presentation - (frameDuration * delayFrames);
        _frames++;
        int length = _encoder.Encode(frame, _tagBody.AsSpan(AacFramePackager.TagHeaderLength));
        if (stamp < TimeSpan.Zero)
        {
            // The encoder's priming of a source that started within two frames of the clock's origin would present
            // before the stream begins: stamped 0, two access units shared one timestamp. It decodes to the silence
            // before the first sample, so it is left out; the encoder keeps its state.
            return;
        }

        uint timestamp = unchecked((uint)(stamp.Ticks / TimeSpan.TicksPerMillisecond));
        _packager.Write(_config, _tagBody.AsSpan(0, AacFramePackager.TagHeaderLength + length), timestamp, sink);
    }
}
