using System.Buffers;
using EdgeRtmp.Media.Flv;
using EdgeRtmp.TestSupport;

namespace EdgeRtmp.Media.Tests.Flv;

/// <summary>
/// Against real FFmpeg output: a file FFmpeg muxed (H.264 + AAC) is read by us and written again by us;
/// the tags must match byte for byte, FFmpeg must decode our file without a single error, and our
/// keyframe/sequence-header classification must agree with ffprobe's packet flags.
/// </summary>
public class FlvFfmpegTests
{
    private sealed record CopiedTag(FlvTagType Type, uint Timestamp, byte[] Payload);

    [Fact]
    public async Task Ffmpeg_file_read_and_rewritten_by_us_is_tag_identical_and_decodes_clean()
    {
        using var temp = new TempDirectory();
        byte[] original = Ffmpeg.MakeTestFlv(temp.Path);

        FlvHeader header;
        List<CopiedTag> tags;
        await using (var input = new FlvFileReader(new MemoryStream(original)))
        {
            header = await input.ReadHeaderAsync();
            tags = await ReadAllAsync(input);
        }

        Assert.True(header.HasAudio && header.HasVideo, header.ToString());
        Assert.Equal(FlvTagType.Script, tags[0].Type);

        string ours = Path.Combine(temp.Path, "ours.flv");
        await using (var output = new FlvFileWriter(File.Create(ours)))
        {
            await output.WriteHeaderAsync(header.HasAudio, header.HasVideo);
            foreach (CopiedTag tag in tags)
            {
                await output.WriteTagAsync(tag.Type, tag.Timestamp, tag.Payload);
            }
        }

        List<CopiedTag> reread;
        await using (var check = new FlvFileReader(File.OpenRead(ours)))
        {
            reread = await ReadAllAsync(check);
        }

        Assert.Equal(tags.Count, reread.Count);
        for (int i = 0; i < tags.Count; i++)
        {
            Assert.Equal(tags[i].Type, reread[i].Type);
            Assert.Equal(tags[i].Timestamp, reread[i].Timestamp);
            Assert.True(tags[i].Payload.AsSpan().SequenceEqual(reread[i].Payload), $"tag {i} payload differs");
        }

        // FFmpeg's muxer writes nothing our writer does not (header, PreviousTagSize0, tags), so the files are equal too.
        Assert.Equal(original, await File.ReadAllBytesAsync(ours));

        var (code, stdout, stderr) = Ffmpeg.Run("ffmpeg", "-hide_banner", "-nostdin", "-v", "error", "-i", ours, "-f", "null", "-");
        Assert.Equal(0, code);
        Assert.Equal("", stdout + stderr);
    }

    [Fact]
    public async Task Keyframes_and_sequence_headers_agree_with_ffprobe()
    {
        using var temp = new TempDirectory();
        byte[] file = Ffmpeg.MakeTestFlv(temp.Path);
        List<CopiedTag> tags;
        await using (var reader = new FlvFileReader(new MemoryStream(file)))
        {
            tags = await ReadAllAsync(reader);
        }

        // ffprobe prints pts,dts,flags in that order whatever order they are asked in.
        // FFmpeg turns the sequence headers into extradata; every other audio/video tag is one packet.
        var video = tags.Where(t => t.Type == FlvTagType.Video).ToList();
        var audio = tags.Where(t => t.Type == FlvTagType.Audio).ToList();
        Assert.True(FlvPayload.IsVideoSequenceHeader(video[0].Payload));
        Assert.True(FlvPayload.IsAudioSequenceHeader(audio[0].Payload));
        Assert.Single(video, t => FlvPayload.IsVideoSequenceHeader(t.Payload));
        Assert.Single(audio, t => FlvPayload.IsAudioSequenceHeader(t.Payload));
        Assert.All(video, t => Assert.Equal(FlvVideoCodec.Avc, FlvPayload.GetVideoCodec(t.Payload)));
        Assert.All(audio, t => Assert.Equal(FlvAudioCodec.Aac, FlvPayload.GetAudioCodec(t.Payload)));

        // FFmpeg's muxer also ends H.264 with an AVC end-of-sequence tag (AVCPacketType 2), which is no packet either.
        Assert.True(FlvPayload.TryReadVideoHeader(video[^1].Payload, out FlvVideoHeader last));
        Assert.Equal(FlvVideoPacketType.SequenceEnd, last.PacketType);
        string ours = string.Join('\n', video.Skip(1).SkipLast(1).Select(t =>
            $"{t.Timestamp + FlvPayload.GetCompositionTime(t.Payload)},{t.Timestamp},{(FlvPayload.IsVideoKeyframe(t.Payload) ? "K" : "_")}"));
        string theirs = Probe(Path.Combine(temp.Path, "in.flv"), "v");
        Assert.Equal(theirs, ours);
        Assert.Equal(3, video.Count(t => FlvPayload.IsVideoKeyframe(t.Payload))); // -g 25 over 3 s at 25 fps

        int audioPackets = Probe(Path.Combine(temp.Path, "in.flv"), "a").Split('\n').Length;
        Assert.Equal(audioPackets, audio.Count - 1);
    }

    [Fact]
    public async Task Two_loops_of_an_ffmpeg_file_written_by_us_decode_clean_with_increasing_timestamps()
    {
        using var temp = new TempDirectory();
        string input = Path.Combine(temp.Path, "in.flv");
        Ffmpeg.MakeTestFlv(temp.Path, seconds: 1);
        string looped = Path.Combine(temp.Path, "looped.flv");

        await using (var reader = new FlvLoopReader(File.OpenRead(input)))
        await using (var writer = new FlvFileWriter(File.Create(looped)))
        {
            await writer.WriteHeaderAsync(true, true);
            while (await reader.ReadTagAsync() && reader.LoopCount < 2)
            {
                await writer.WriteTagAsync(reader.Current);
            }
        }

        var (code, _, stderr) = Ffmpeg.Run("ffmpeg", "-hide_banner", "-nostdin", "-v", "error", "-i", looped, "-f", "null", "-");
        Assert.Equal(0, code);
        Assert.Equal("", stderr);

        string[] dts = Ffmpeg.Run("ffprobe", "-v", "error", "-select_streams", "v", "-show_entries", "packet=dts", "-of", "csv=p=0", looped).StandardOutput
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(50, dts.Length);
        long[] values = dts.Select(line => long.Parse(line.Split(',')[0])).ToArray();
        Assert.True(values.Zip(values.Skip(1)).All(pair => pair.Second > pair.First), string.Join(',', values));
    }

    private static string Probe(string path, string stream)
    {
        var (code, stdout, stderr) = Ffmpeg.Run("ffprobe", "-v", "error", "-select_streams", stream, "-show_entries", "packet=dts,pts,flags", "-of", "csv=p=0", path);
        Assert.True(code == 0, stderr);
        return string.Join('\n', stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(','))
            .Select(f => $"{f[0]},{f[1]},{(f[2].StartsWith('K') ? "K" : "_")}"));
    }

    private static async Task<List<CopiedTag>> ReadAllAsync(FlvFileReader reader)
    {
        var tags = new List<CopiedTag>();
        while (await reader.ReadTagAsync())
        {
            FlvTag tag = reader.Current;
            tags.Add(new CopiedTag(tag.TagType, tag.Timestamp, tag.Payload.ToArray()));
        }

        return tags;
    }
}
