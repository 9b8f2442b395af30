using System.Buffers;
using System.Diagnostics;
using EdgeRtmp.Devices.V4l2;
using EdgeRtmp.Media;
using EdgeRtmp.Media.H264;
using EdgeRtmp.Media.H264.Encoding;
using EdgeRtmp.Media.TestCard;
using EdgeRtmp.Pipeline;
using EdgeRtmp.Pipeline.Camera;
using EdgeRtmp.TestSupport;
using Microsoft.Extensions.Time.Testing;

namespace EdgeRtmp.Tests.Pipeline.Camera;

public sealed class CameraFrameHandlerTests
{
    [Theory]
    [InlineData(10_000, 5_000_000, 4_960_000, 9_960)] // captured 40 ms ago
    [InlineData(10_000, 5_000_000, 5_000_000, 10_000)]
    [InlineData(10_000, 5_000_000, 5_010_000, 10_000)] // from the future: not trusted, now
    [InlineData(10_000, 5_000_000, 1_000_000, 10_000)] // 4 s old: another clock, now
    [InlineData(20, 5_000_000, 4_900_000, 0)] // before the pipeline started: its start
    public void A_kernel_capture_time_maps_onto_the_pipeline_clock_by_its_age(long pipelineNowMs, long monotonicNowUs, long captureUs, long expectedMs)
    {
        TimeSpan at = CameraFrameHandler.CaptureTime(TimeSpan.FromMilliseconds(pipelineNowMs), monotonicNowUs, captureUs);

        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), at);
    }

    [Fact]
    public void H264_buffers_become_a_sequence_header_and_pictures_stamped_with_their_capture_time()
    {
        // The pipeline clock on a fake time 10 s in; the frames' ages come from the real monotonic clock, as the kernel's do.
        var time = new FakeTimeProvider();
        var clock = new PipelineClock(time);
        time.Advance(TimeSpan.FromSeconds(10));
        var sink = new CollectingSink();
        var handler = new CameraFrameHandler(clock, 30);
        handler.Begin(sink, 30);
        byte[][] units = Encode(3);

        for (int i = 0; i < units.Length; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(33));
            // Captured 100 ms before it is handed over, as a slow camera's frame might be.
            handler.OnFrame(units[i], new V4l2Frame(V4l2PixelFormat.H264, MonotonicMicroseconds() - 100_000, isMonotonic: true, (uint)i, isKeyframe: i == 0));
            long expected = 10_000 + (33 * (i + 1)) - 100;
            Assert.InRange(sink.Frames[^1].Timestamp, expected - 2, expected);
        }

        Assert.True(sink.Frames[0].IsMetadata);
        Assert.True(sink.Frames[1].IsSequenceHeader);
        Assert.Equal(0x17, sink.Frames[2].Payload[0]);
        Assert.Equal(0x27, sink.Frames[3].Payload[0]);
        Assert.Equal(5, sink.Frames.Count);
    }

    [Fact]
    public void Jittery_capture_times_are_stamped_on_the_frame_cadence_and_a_gap_resyncs()
    {
        var time = new FakeTimeProvider();
        var clock = new PipelineClock(time);
        time.Advance(TimeSpan.FromSeconds(10));
        var sink = new CollectingSink();
        var handler = new CameraFrameHandler(clock, 30);
        handler.Begin(sink, 30);
        byte[][] units = Encode(8);
        // Capture ages as a late driver delivers them: three at once, then a gap of five periods.
        long[] ageMs = [100, 90, 80, 70, 5, 0, 0, 0];
        long[] advanceMs = [0, 0, 0, 0, 200, 33, 33, 33];
        var stamps = new List<uint>();
        for (int i = 0; i < units.Length; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(advanceMs[i]));
            handler.OnFrame(units[i], new V4l2Frame(V4l2PixelFormat.H264, MonotonicMicroseconds() - (ageMs[i] * 1000), true, (uint)i, false));
            stamps.Add(sink.Frames[^1].Timestamp);
        }

        for (int i = 1; i < 4; i++)
        {
            Assert.InRange(stamps[i] - stamps[i - 1], 32u, 34u); // the burst keeps the cadence
        }

        Assert.InRange(stamps[4], 10_000u + 200 - 5 - 1, 10_000u + 200 - 5); // after the gap: its capture time
        for (int i = 5; i < 8; i++)
        {
            Assert.InRange(stamps[i] - stamps[i - 1], 32u, 34u);
        }
    }

    /// <summary>Keeps what it is handed, without the wall clock (the recording sinks of other tests stamp arrivals).</summary>
    private sealed class CollectingSink : IMediaSink
    {
        public List<(uint Timestamp, bool IsMetadata, bool IsSequenceHeader, byte[] Payload)> Frames { get; } = [];

        public void Write(ReadOnlySpan<MediaFrame> frames)
        {
            foreach (MediaFrame frame in frames)
            {
                Frames.Add((frame.Timestamp, frame.IsMetadata, frame.IsSequenceHeader, frame.Span.ToArray()));
            }
        }
    }

    [Fact]
    public void Parameter_sets_a_camera_sent_once_still_serve_its_keyframes_after_a_replug()
    {
        var sink = new RecordingSink();
        var handler = new CameraFrameHandler(sink.Clock, 30);
        handler.Begin(sink, 30);
        byte[][] units = Encode(31); // 0 and 30 are keyframes
        handler.OnFrame(units[0], Frame(0));
        handler.OnFrame(units[1], Frame(1));

        // Unplugged and back: the camera sends no SPS/PPS now, and the first picture is not a keyframe.
        handler.Begin(sink, 30);
        int before = sink.Frames.Count;
        handler.OnFrame(units[2], Frame(2));
        byte[] keyframeWithoutParameterSets = WithoutParameterSets(units[30]);
        Assert.True(keyframeWithoutParameterSets.Length < units[30].Length);
        handler.OnFrame(keyframeWithoutParameterSets, Frame(30));

        // The SPS/PPS kept from the first run go in front of it: a fresh onMetaData and sequence header, then the keyframe.
        RecordingSink.Recorded[] resumed = [.. sink.Frames.Skip(before)];
        Assert.Equal(3, resumed.Length);
        Assert.True(resumed[0].Flags.HasFlag(MediaFrameFlags.Metadata));
        Assert.True(resumed[1].Flags.HasFlag(MediaFrameFlags.SequenceHeader));
        Assert.Equal(sink.Frames[1].Payload, resumed[1].Payload);
        Assert.Equal(0x17, resumed[2].Payload[0]);
        Assert.Equal(1, handler.DroppedPictures);
    }

    [Theory]
    [InlineData(V4l2PixelFormat.Yuyv, 2 * 320)]
    [InlineData(V4l2PixelFormat.Nv12, 320)]
    [InlineData(V4l2PixelFormat.Yuv420, 384)]
    public void Raw_pictures_go_through_the_software_encoder_and_the_handler_adds_no_allocation(uint pixelFormat, int stride)
    {
        var format = new V4l2CaptureFormat(pixelFormat, 320, 180, stride, 0, 30);
        byte[] picture = new byte[pixelFormat == V4l2PixelFormat.Yuyv ? stride * 180 : (stride * 180) + (stride * 90)];
        for (int i = 0; i < picture.Length; i++)
        {
            picture[i] = (byte)(16 + (i % stride / 2)); // a smooth ramp, as a camera's picture mostly is
        }

        // A pool of its own: the shared one is emptied now and then by tests running alongside, and a frame the pool
        // has to make is counted here.
        var recording = new RecordingSink();
        var handler = new CameraFrameHandler(recording.Clock, 30, new MediaFramePool());
        handler.Begin(recording, 30);
        handler.UseSoftwareEncoder(format, 500, 30);
        handler.OnFrame(picture, new V4l2Frame(pixelFormat, MonotonicMicroseconds(), true, 0, false));
        handler.OnFrame(picture, new V4l2Frame(pixelFormat, MonotonicMicroseconds(), true, 1, false));
        Assert.True(recording.Frames[1].Flags.HasFlag(MediaFrameFlags.SequenceHeader));
        Assert.Equal(0x17, recording.Frames[2].Payload[0]);
        Assert.Equal(0x27, recording.Frames[3].Payload[0]);

        // What the handler adds to the encoder's own work allocates nothing: the same pictures through a twin encoder
        // in the same state allocate exactly as much (the encoder's own allocations are its tests' business).
        var sink = new NullSink();
        handler.Begin(sink, 30);
        handler.UseSoftwareEncoder(format, 500, 30);
        var twin = new H264Encoder(new H264EncoderOptions(320, 180, 30, 500, 30));
        byte[] i420 = new byte[YuvPlanes.I420Size(320, 180)];
        var encoded = new ArrayBufferWriter<byte>(256 * 1024);
        for (int i = 0; i < 40; i++)
        {
            handler.OnFrame(picture, new V4l2Frame(pixelFormat, MonotonicMicroseconds(), true, (uint)i, false));
            TwinEncode(i == 0);
        }

        long handlerExtra = long.MaxValue;
        for (int window = 0; window < 3; window++)
        {
            long start = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 10; i++)
            {
                handler.OnFrame(picture, new V4l2Frame(pixelFormat, MonotonicMicroseconds(), true, (uint)i, false));
            }

            long viaHandler = GC.GetAllocatedBytesForCurrentThread() - start;
            start = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 10; i++)
            {
                TwinEncode(false);
            }

            handlerExtra = Math.Min(handlerExtra, viaHandler - (GC.GetAllocatedBytesForCurrentThread() - start));
        }

        Assert.Equal(0, handlerExtra);
        Assert.Equal(70 + 2, sink.Count);

        void TwinEncode(bool keyframe)
        {
            if (keyframe)
            {
                twin.RequestKeyframe();
            }

            YuvPlanes planes;
            if (pixelFormat == V4l2PixelFormat.Yuyv)
            {
                YuvConversion.YuyvToI420(picture, 320, 180, stride, i420);
                planes = YuvPlanes.FromI420(i420, 320, 180);
            }
            else if (pixelFormat == V4l2PixelFormat.Nv12)
            {
                YuvConversion.Nv12ToI420(picture, 320, 180, stride, i420);
                planes = YuvPlanes.FromI420(i420, 320, 180);
            }
            else
            {
                planes = new YuvPlanes(picture.AsSpan(0, stride * 180), stride, picture.AsSpan(stride * 180, stride / 2 * 90), stride / 2, picture.AsSpan((stride * 180) + (stride / 2 * 90), stride / 2 * 90), stride / 2);
            }

            encoded.ResetWrittenCount();
            twin.Encode(planes, encoded);
        }
    }

    [Fact]
    public void Software_encoding_from_the_handler_allocates_nothing_per_picture_at_the_box_size()
    {
        // The service's path on a raw camera, counted whole (conversion, encoder, packaging, pooled frames): vivid's
        // YUYV 640x360 as the box streams it, moving pictures (inter prediction does real work) and keyframes inside
        // the counted window. A camera engineer measured 9.7 MB per 25 pictures here against an older encoder.
        const int Width = 640, Height = 360;
        var format = new V4l2CaptureFormat(V4l2PixelFormat.Yuyv, Width, Height, 2 * Width, 0, 30);
        byte[][] pictures = new byte[4][];
        for (int p = 0; p < pictures.Length; p++)
        {
            pictures[p] = new byte[2 * Width * Height];
            for (int y = 0; y < Height; y++)
            {
                for (int x = 0; x < Width; x++)
                {
                    int at = (y * 2 * Width) + (2 * x);
                    pictures[p][at] = (byte)(((x + (3 * p)) * 2) + y); // luma moving right
                    pictures[p][at + 1] = (byte)(128 + ((x & 1) == 0 ? p : -p)); // U and V alternate
                }
            }
        }

        var sink = new NullSink();
        var handler = new CameraFrameHandler(new PipelineClock(), 30, new MediaFramePool());
        handler.Begin(sink, 30);
        handler.UseSoftwareEncoder(format, 2500, keyframeInterval: 10);
        uint sequence = 0;
        for (int i = 0; i < 30; i++)
        {
            handler.OnFrame(pictures[i % 4], new V4l2Frame(V4l2PixelFormat.Yuyv, MonotonicMicroseconds(), true, sequence++, false));
        }

        // The least of three windows of 25 pictures; frames come from a pool of the test's own, which tests alongside cannot empty.
        long allocated = Allocations.LeastOf(3, () =>
        {
            for (int i = 0; i < 25; i++)
            {
                handler.OnFrame(pictures[i % 4], new V4l2Frame(V4l2PixelFormat.Yuyv, MonotonicMicroseconds(), true, sequence++, false));
            }
        });

        Assert.Equal(30 + 75 + 2, sink.Count);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Raw_frames_without_the_software_encoder_are_ignored()
    {
        var sink = new RecordingSink();
        var handler = new CameraFrameHandler(sink.Clock, 30);
        handler.Begin(sink, 30);

        handler.OnFrame(new byte[640 * 360 * 2], new V4l2Frame(V4l2PixelFormat.Yuyv, 0, false, 0, false));

        Assert.Empty(sink.Frames);
    }

    [Fact]
    public void Handling_a_frame_allocates_nothing_in_steady_state()
    {
        var sink = new NullSink();
        var handler = new CameraFrameHandler(new PipelineClock(), 30);
        handler.Begin(sink, 30);
        byte[][] units = Encode(60);
        for (int i = 0; i < 90; i++)
        {
            handler.OnFrame(units[i % units.Length], Frame((uint)i));
        }

        // The smallest of three windows: frame buffers come from process-wide pools other tests share (see TestCardVideoSourceTests).
        long allocated = long.MaxValue;
        for (int window = 0; window < 3; window++)
        {
            long start = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 100; i++)
            {
                handler.OnFrame(units[i % units.Length], Frame((uint)i));
            }

            allocated = Math.Min(allocated, GC.GetAllocatedBytesForCurrentThread() - start);
        }

        Assert.Equal(390 + 2, sink.Count);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void A_new_run_sends_metadata_and_the_sequence_header_again()
    {
        var first = new RecordingSink();
        var handler = new CameraFrameHandler(first.Clock, 30);
        byte[][] units = Encode(1);
        handler.Begin(first, 30);
        handler.OnFrame(units[0], Frame(0));
        var second = new RecordingSink();
        handler.Begin(second, 30);
        handler.OnFrame(units[0], Frame(1));

        Assert.Equal(3, first.Frames.Count);
        Assert.Equal(first.Frames.Select(f => f.Flags), second.Frames.Select(f => f.Flags));
    }

    private static V4l2Frame Frame(uint sequence) => new(V4l2PixelFormat.H264, MonotonicMicroseconds(), isMonotonic: true, sequence, isKeyframe: false);

    private static long MonotonicMicroseconds() => Stopwatch.GetTimestamp() / (Stopwatch.Frequency / 1_000_000);

    /// <summary>Access units as an H.264 camera would deliver them, one per buffer: the test card's encoder, keyframe every 30.</summary>
    private static byte[][] Encode(int count)
    {
        var encoder = new TestCardEncoder(new TestCardOptions { Width = 320, Height = 180, FramesPerSecond = 30, KeyframeInterval = 30 });
        var units = new byte[count][];
        var output = new ArrayBufferWriter<byte>();
        for (int i = 0; i < count; i++)
        {
            output.ResetWrittenCount();
            encoder.EncodeFrame(i, TimeSpan.FromMilliseconds(i * 33), output);
            units[i] = output.WrittenSpan.ToArray();
        }

        return units;
    }

    private static byte[] WithoutParameterSets(byte[] accessUnit)
    {
        var reader = new AnnexBReader();
        var kept = new List<byte>();
        ReadOnlySpan<byte> input = accessUnit;
        while (reader.TryRead(ref input, out ReadOnlySpan<byte> nal))
        {
            Keep(nal, kept);
        }

        if (reader.TryFlush(out ReadOnlySpan<byte> last))
        {
            Keep(last, kept);
        }

        return [.. kept];

        static void Keep(ReadOnlySpan<byte> nal, List<byte> kept)
        {
            if (NalUnit.GetType(nal) is not (NalUnitType.SequenceParameterSet or NalUnitType.PictureParameterSet))
            {
                kept.AddRange([0, 0, 0, 1]);
                kept.AddRange(nal.ToArray());
            }
        }
    }
}
