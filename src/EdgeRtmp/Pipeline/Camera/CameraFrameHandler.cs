using System.Buffers;
using System.Diagnostics;
using EdgeRtmp.Devices.V4l2;
using EdgeRtmp.Media;
using EdgeRtmp.Media.H264;
using EdgeRtmp.Media.H264.Encoding;

namespace EdgeRtmp.Pipeline.Camera;

/// <summary>
/// Runs on the camera's device thread: stamps each H.264 access unit (from the camera, the M2M encoder, or our
/// software encoder fed with the camera's raw pictures) with its capture time on the <see cref="PipelineClock"/> and
/// packages it for the stream. Software encoding happens right here: while it runs the camera's buffers stay queued
/// with the driver, so a picture that comes faster than we encode is dropped by the driver, never queued up. One
/// access unit per V4L2 buffer (what UVC, v4l2loopback writers and M2M encoders deliver). A camera that sends its
/// SPS/PPS once: they are kept here and inserted before an IDR that lacks them whenever the packager has not seen them
/// (each run starts a fresh packager, which sends onMetaData and the sequence header again). Allocation-free per frame.
/// </summary>
internal sealed class CameraFrameHandler : IV4l2FrameHandler
{
    /// <summary>A frame older than this on arrival has a timestamp we do not trust (another clock, a driver bug): use arrival time.</summary>
    private const long MaxAgeMicroseconds = 2_000_000;

    private readonly PipelineClock _clock;
    private readonly MediaFramePool? _pool;
    private H264FramePackager _packager;
    private readonly ArrayBufferWriter<byte> _encoded = new(256 * 1024);
    private readonly ArrayBufferWriter<byte> _withParameterSets = new(256 * 1024);
    private byte[] _sps = [];
    private byte[] _pps = [];
    private bool _packagerHasParameterSets;
    private IMediaSink? _sink;
    private double _framesPerSecond;
    private H264Encoder? _encoder;
    private V4l2CaptureFormat? _encoderInput;
    private byte[] _i420 = [];
    private bool _stamped;
    private double _lastStampMs;

    /// <param name="pool">Where frames are rented; <see cref="MediaFramePool.Shared"/> by default.</param>
    public CameraFrameHandler(PipelineClock clock, double framesPerSecond, MediaFramePool? pool = null)
    {
        _clock = clock;
        _pool = pool;
        _framesPerSecond = framesPerSecond;
        _packager = new H264FramePackager(framesPerSecond > 0 ? framesPerSecond : null, pool);
    }

    /// <summary>Access units dropped while waiting for parameter sets or a keyframe.</summary>
    public long DroppedPictures => _packager.DroppedPictures;

    /// <summary>Starts streaming (a run, or the same run after a replug): metadata and sequence header first, then pictures from a keyframe.</summary>
    public void Begin(IMediaSink sink, double framesPerSecond)
    {
        _sink = sink;
        _framesPerSecond = framesPerSecond;
        _packager = new H264FramePackager(framesPerSecond > 0 ? framesPerSecond : null, _pool);
        _packagerHasParameterSets = false;
        _stamped = false;
    }

    /// <summary>Raw pictures of <paramref name="format"/> will be encoded by our software encoder (made once per size and kept across runs).</summary>
    public void UseSoftwareEncoder(V4l2CaptureFormat format, int bitrateKbps, int keyframeInterval)
    {
        ArgumentNullException.ThrowIfNull(format);
        if (format.PixelFormat is not (V4l2PixelFormat.Yuyv or V4l2PixelFormat.Nv12 or V4l2PixelFormat.Yuv420))
        {
            throw new ArgumentException($"the software encoder takes YUYV, NV12 or I420, not {format}", nameof(format));
        }

        if (_encoder is null || _encoderInput is null || _encoderInput.Width != format.Width || _encoderInput.Height != format.Height
            || Math.Abs(_encoderInput.FramesPerSecond - format.FramesPerSecond) > 0.01)
        {
            int fps = Math.Max(1, (int)Math.Round(format.FramesPerSecond > 0 ? format.FramesPerSecond : _framesPerSecond));
            _encoder = new H264Encoder(new H264EncoderOptions(format.Width, format.Height, fps, bitrateKbps, keyframeInterval));
            _i420 = new byte[YuvPlanes.I420Size(format.Width, format.Height)];
        }

        _encoderInput = format;
        _encoder.RequestKeyframe();
    }

    public void OnFrame(ReadOnlySpan<byte> payload, in V4l2Frame frame)
    {
        if (_sink is null)
        {
            return;
        }

        TimeSpan captured = frame.IsMonotonic
            ? CaptureTime(_clock.Elapsed, MonotonicMicroseconds(), frame.TimestampMicroseconds)
            : _clock.Elapsed;
        uint timestamp = Stamp(captured.TotalMilliseconds);
        if (frame.PixelFormat == V4l2PixelFormat.H264)
        {
            _packager.Write(WithParameterSets(payload), timestamp, _sink);
        }
        else if (_encoder is not null && _encoderInput is { } input && frame.PixelFormat == input.PixelFormat)
        {
            _encoded.ResetWrittenCount();
            _encoder.Encode(ToI420(payload, input), _encoded);
            _packager.Write(_encoded.WrittenSpan, timestamp, _sink);
        }
    }

    /// <summary>
    /// Notes the SPS and PPS the access unit carries; an IDR without them, while the packager has not had them, gets
    /// the last ones seen put in front (into a reused buffer).
    /// </summary>
    private ReadOnlySpan<byte> WithParameterSets(ReadOnlySpan<byte> accessUnit)
    {
        bool hasSps = false, hasPps = false, idr = false;
        ReadOnlySpan<byte> rest = accessUnit;
        while (AnnexB.TryReadNalUnit(ref rest, out ReadOnlySpan<byte> nal))
        {
            switch (NalUnit.GetType(nal))
            {
                case NalUnitType.SequenceParameterSet:
                    hasSps = true;
                    Remember(ref _sps, nal);
                    break;
                case NalUnitType.PictureParameterSet:
                    hasPps = true;
                    Remember(ref _pps, nal);
                    break;
                case NalUnitType.IdrSlice:
                    idr = true;
                    break;
            }
        }

        if (hasSps && hasPps)
        {
            _packagerHasParameterSets = true;
        }

        if (!idr || _packagerHasParameterSets || hasSps || hasPps || _sps.Length == 0 || _pps.Length == 0)
        {
            return accessUnit;
        }

        _withParameterSets.ResetWrittenCount();
        _withParameterSets.Write(AnnexB.FourByteStartCode);
        _withParameterSets.Write(_sps);
        _withParameterSets.Write(AnnexB.FourByteStartCode);
        _withParameterSets.Write(_pps);
        _withParameterSets.Write(accessUnit);
        _packagerHasParameterSets = true;
        return _withParameterSets.WrittenSpan;
    }

    private static void Remember(ref byte[] kept, ReadOnlySpan<byte> nal)
    {
        if (!nal.SequenceEqual(kept))
        {
            kept = nal.ToArray(); // only when the camera changes them
        }
    }

    /// <summary>The picture as the encoder's I420 planes: converted from YUYV or NV12, or I420 read in place at the camera's stride.</summary>
    private YuvPlanes ToI420(ReadOnlySpan<byte> payload, V4l2CaptureFormat input)
    {
        int width = input.Width;
        int height = input.Height;
        switch (input.PixelFormat)
        {
            case V4l2PixelFormat.Yuyv:
                YuvConversion.YuyvToI420(payload, width, height, input.BytesPerLine > 0 ? input.BytesPerLine : 2 * width, _i420);
                return YuvPlanes.FromI420(_i420, width, height);
            case V4l2PixelFormat.Nv12:
                YuvConversion.Nv12ToI420(payload, width, height, input.BytesPerLine > 0 ? input.BytesPerLine : width, _i420);
                return YuvPlanes.FromI420(_i420, width, height);
            default:
                int stride = input.BytesPerLine > 0 ? input.BytesPerLine : width;
                int chromaStride = stride / 2;
                int lumaSize = stride * height;
                int chromaSize = chromaStride * (height / 2);
                return new YuvPlanes(
                    payload[..lumaSize], stride, payload.Slice(lumaSize, chromaSize), chromaStride, payload.Slice(lumaSize + chromaSize, chromaSize), chromaStride);
        }
    }

    /// <summary>
    /// Keeps the frame cadence: a frame within a period of where the rate puts it is stamped there (drifting toward
    /// its capture time by at most 2 % of a period per frame), so stamps stay a period apart however unevenly a late
    /// driver hands frames over; after a gap (dropped frames, a stall) the stamp is the capture time again. Capture
    /// times jitter when a driver is late or the clock mapping falls back to arrival time. A player that rounds
    /// millisecond stamps onto a 1/fps grid from its own start can still put two frames in one slot now and then
    /// (ffmpeg's null muxer: "non monotonically increasing dts"): that is the FLV time base, which no cadence avoids.
    /// </summary>
    private uint Stamp(double capturedMs)
    {
        double period = _framesPerSecond > 0 ? 1000 / _framesPerSecond : 0;
        if (_stamped && period > 0)
        {
            double predicted = _lastStampMs + period;
            double error = capturedMs - predicted;
            _lastStampMs = error > period ? capturedMs : predicted + Math.Clamp(error / 16, -0.02 * period, 0.02 * period);
        }
        else
        {
            _lastStampMs = capturedMs;
            _stamped = true;
        }

        return PipelineClock.ToTimestamp(TimeSpan.FromMilliseconds(_lastStampMs));
    }

    /// <summary>
    /// When, on the pipeline clock, a frame captured at <paramref name="captureMicroseconds"/> (CLOCK_MONOTONIC) was
    /// taken: now on the pipeline clock minus the frame's age. Both clocks are monotonic, so only the age matters.
    /// </summary>
    internal static TimeSpan CaptureTime(TimeSpan pipelineNow, long monotonicNowMicroseconds, long captureMicroseconds)
    {
        long age = monotonicNowMicroseconds - captureMicroseconds;
        if (age is < 0 or > MaxAgeMicroseconds)
        {
            age = 0;
        }

        TimeSpan at = pipelineNow - TimeSpan.FromMicroseconds(age);
        return at < TimeSpan.Zero ? TimeSpan.Zero : at;
    }

    /// <summary>CLOCK_MONOTONIC now, in microseconds: Stopwatch reads that clock on Linux.</summary>
    private static long MonotonicMicroseconds() =>
        Stopwatch.Frequency == 1_000_000_000 ? Stopwatch.GetTimestamp() / 1000 : (long)(Stopwatch.GetTimestamp() * (1e6 / Stopwatch.Frequency));
}
