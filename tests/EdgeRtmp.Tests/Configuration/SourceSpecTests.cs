using EdgeRtmp.Configuration;

namespace EdgeRtmp.Tests.Configuration;

public class SourceSpecTests
{
    [Theory]
    [InlineData("auto", VideoSourceKind.Auto, null)]
    [InlineData("AUTO", VideoSourceKind.Auto, null)]
    [InlineData("testcard", VideoSourceKind.TestCard, null)]
    [InlineData("none", VideoSourceKind.None, null)]
    [InlineData("v4l2:/dev/video0", VideoSourceKind.V4l2, "/dev/video0")]
    [InlineData("v4l2:/dev/v4l/by-id/usb-cam-video-index0", VideoSourceKind.V4l2, "/dev/v4l/by-id/usb-cam-video-index0")]
    [InlineData("exec:\"rpicam-vid --codec h264 --inline -t 0 -o -\"", VideoSourceKind.Exec, "rpicam-vid --codec h264 --inline -t 0 -o -")]
    [InlineData("exec:ffmpeg -i x -f h264 -", VideoSourceKind.Exec, "ffmpeg -i x -f h264 -")]
    [InlineData("file:/srv/loop.flv", VideoSourceKind.File, "/srv/loop.flv")]
    public void Video_sources_parse(string text, VideoSourceKind kind, string? argument)
    {
        Assert.True(VideoSourceSpec.TryParse(text, out var spec, out var error), error);
        Assert.Equal(new VideoSourceSpec(kind, argument), spec);
    }

    [Theory]
    [InlineData("")]
    [InlineData("camera")]
    [InlineData("auto:1")]
    [InlineData("v4l2:")]
    [InlineData("v4l2:/dev/")]
    [InlineData("exec:\"\"")]
    [InlineData("file:x.mp4")]
    public void Bad_video_sources_are_refused(string text) =>
        Assert.False(VideoSourceSpec.TryParse(text, out _, out _));

    [Theory]
    [InlineData("auto", AudioSourceKind.Auto, null)]
    [InlineData("tone", AudioSourceKind.Tone, null)]
    [InlineData("none", AudioSourceKind.None, null)]
    [InlineData("alsa:default", AudioSourceKind.Alsa, "default")]
    [InlineData("alsa:hw:1,0", AudioSourceKind.Alsa, "hw:1,0")]
    [InlineData("alsa:plughw:CARD=Device,DEV=0", AudioSourceKind.Alsa, "plughw:CARD=Device,DEV=0")]
    [InlineData("file:/var/lib/edgertmp/loop.wav", AudioSourceKind.File, "/var/lib/edgertmp/loop.wav")]
    [InlineData("file:\"/tmp/a b.WAV\"", AudioSourceKind.File, "/tmp/a b.WAV")]
    [InlineData("exec:\"ffmpeg -i x -f adts -\"", AudioSourceKind.Exec, "ffmpeg -i x -f adts -")]
    public void Audio_sources_parse(string text, AudioSourceKind kind, string? device)
    {
        Assert.True(AudioSourceSpec.TryParse(text, out var spec, out var error), error);
        Assert.Equal(new AudioSourceSpec(kind, device), spec);
    }

    [Theory]
    [InlineData("mic")]
    [InlineData("alsa:")]
    [InlineData("alsa:hw 1")]
    [InlineData("tone:440")]
    [InlineData("file:")]
    [InlineData("file:x.mp3")]
    [InlineData("exec:")]
    [InlineData("exec:\"\"")]
    public void Bad_audio_sources_are_refused(string text) =>
        Assert.False(AudioSourceSpec.TryParse(text, out _, out _));

    [Fact]
    public void Specs_print_back_as_they_are_written()
    {
        Assert.True(VideoSourceSpec.TryParse("exec:\"a b\"", out var video, out _));
        Assert.True(AudioSourceSpec.TryParse("alsa:hw:1,0", out var audio, out _));

        Assert.Equal("exec:\"a b\"", video.ToString());
        Assert.Equal("alsa:hw:1,0", audio.ToString());
        Assert.True(AudioSourceSpec.TryParse("exec:\"a b\"", out var exec, out _));
        Assert.Equal("exec:\"a b\"", exec.ToString());
        Assert.True(AudioSourceSpec.TryParse("file:/a.wav", out var file, out _));
        Assert.Equal("file:/a.wav", file.ToString());
    }
}
