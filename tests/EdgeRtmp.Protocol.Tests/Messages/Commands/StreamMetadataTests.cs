using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using EdgeRtmp.Protocol.Amf;
using EdgeRtmp.Protocol.Messages.Commands;

namespace EdgeRtmp.Protocol.Tests.Messages.Commands;

public class StreamMetadataTests
{
    private const int FlvHeaderLength = 9;
    private const int PreviousTagSizeLength = 4;
    private const int TagHeaderLength = 11;
    private const byte ScriptDataTag = 18;

    [Fact]
    public void FFmpeg_onMetaData_decodes_and_re_encodes_byte_identical()
    {
        var payload = FfmpegScriptTag();

        var metadata = StreamMetadata.Read(payload);
        Assert.Equal(320, metadata.Width);
        Assert.Equal(240, metadata.Height);
        Assert.Equal(25, metadata.FrameRate);
        Assert.Equal(7, metadata.VideoCodecId); // AVC
        Assert.Equal(10, metadata.AudioCodecId); // AAC
        Assert.Equal(48000, metadata.AudioSampleRate);
        Assert.Equal(16, metadata.AudioSampleSize);
        Assert.False(metadata.Stereo);
        Assert.StartsWith("Lavf", metadata.Encoder);
        Assert.True(metadata.Duration > 0.9);
        Assert.True(metadata.FileSize > 0);

        // FFmpeg's flvenc writes an ECMA array in exactly the order our writer uses.
        Assert.Equal(payload, CommandRoundTripTests.Bytes(o => metadata.Write(o, withSetDataFrame: false)));

        var numbersOnly = StreamMetadata.Read(payload, keepStrings: false);
        Assert.Null(numbersOnly.Encoder);
        Assert.Equal(metadata.Width, numbersOnly.Width);

        CommandRoundTripTests.AssertEveryPrefixFailsCleanly(payload, static span => StreamMetadata.Read(span));
    }

    [Fact]
    public void SetDataFrame_wrapper_and_enhanced_fourcc_codec_ids()
    {
        var metadata = new StreamMetadata
        {
            Width = 1920,
            Height = 1080,
            FrameRate = 30,
            VideoFourCc = StreamMetadata.FourCc("hvc1"u8),
            AudioCodecId = 10,
            Stereo = true,
            Encoder = "EdgeRtmp",
            OtherProperties = [new("vendor", AmfValue.FromString("x"))],
        };
        var bytes = CommandRoundTripTests.Bytes(o => metadata.Write(o, withSetDataFrame: true));
        Assert.Equal(CommandKind.SetDataFrame, CommandHeader.ReadDataName(bytes).Kind);

        var read = StreamMetadata.Read(bytes);
        Assert.Equal(StreamMetadata.FourCc("hvc1"u8), read.VideoFourCc);
        Assert.Equal((double)StreamMetadata.FourCc("hvc1"u8), read.VideoCodecId);
        Assert.Equal(10, read.AudioCodecId);
        Assert.Null(read.AudioFourCc);
        Assert.Equal("x", Assert.Single(read.OtherProperties!).Value.String);

        // A FourCC may also arrive as a 4-character string (some Enhanced RTMP encoders).
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new Amf0Writer(buffer);
        writer.WriteString("onMetaData"u8);
        writer.WriteObjectStart();
        writer.WriteProperty("videocodecid"u8, "av01"u8);
        writer.WriteObjectEnd();
        Assert.Equal(StreamMetadata.FourCc("av01"u8), StreamMetadata.Read(buffer.WrittenSpan).VideoFourCc);
    }

    /// <summary>Runs FFmpeg for one second of test card and tone, and returns the FLV script tag's payload.</summary>
    private static byte[] FfmpegScriptTag()
    {
        var directory = Directory.CreateTempSubdirectory("edgertmp-amf-");
        try
        {
            var output = Path.Combine(directory.FullName, "out.flv");
            var start = new ProcessStartInfo("ffmpeg")
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
            };
            foreach (var argument in new[]
            {
                "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
                "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25",
                "-f", "lavfi", "-i", "sine=frequency=1000:sample_rate=48000",
                "-t", "1", "-c:v", "libx264", "-c:a", "aac", "-ac", "1", "-f", "flv", output,
            })
            {
                start.ArgumentList.Add(argument);
            }
            Process process;
            try
            {
                process = Process.Start(start)!;
            }
            catch (System.ComponentModel.Win32Exception exception)
            {
                Assert.Fail($"ffmpeg is not installed ({exception.Message}); scripts/test.sh installs it (apt-get install ffmpeg).");
                throw;
            }
            using (process)
            {
                var errors = process.StandardError.ReadToEndAsync();
                Assert.True(process.WaitForExit(60_000), "ffmpeg did not finish in 60 s");
                Assert.True(process.ExitCode == 0, $"ffmpeg failed: {errors.Result}");
            }

            var flv = File.ReadAllBytes(output);
            var tag = flv.AsSpan(FlvHeaderLength + PreviousTagSizeLength);
            Assert.Equal(ScriptDataTag, tag[0]);
            var dataSize = (tag[1] << 16) | BinaryPrimitives.ReadUInt16BigEndian(tag.Slice(2));
            return tag.Slice(TagHeaderLength, dataSize).ToArray();
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
