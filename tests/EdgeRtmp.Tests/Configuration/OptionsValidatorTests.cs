using EdgeRtmp.Configuration;
using EdgeRtmp.Tests.TestSupport;

namespace EdgeRtmp.Tests.Configuration;

public class OptionsValidatorTests
{
    public static TheoryData<string, string> BadValues => new()
    {
        { """{ "Server": { "Listen": "abc" } }""", "Server:Listen = \"abc\": expected ADDR:PORT" },
        { """{ "Server": { "Listen": "0.0.0.0" } }""", "Server:Listen = \"0.0.0.0\": expected ADDR:PORT" },
        { """{ "Server": { "Listen": "0.0.0.0:70000" } }""", "Server:Listen = \"0.0.0.0:70000\": expected ADDR:PORT" },
        { """{ "Server": { "Listen": "::1:1935" } }""", "Server:Listen = \"::1:1935\": expected ADDR:PORT" },
        { """{ "Server": { "Listen": "localhost:1935" } }""", "Server:Listen = \"localhost:1935\": expected ADDR:PORT" },
        { """{ "Server": { "App": "a/b" } }""", "Server:App = \"a/b\": must be 1 to 64 letters, digits, '-', '_' or '.'" },
        { """{ "Server": { "Stream": "" } }""", "Server:Stream = \"\": must be 1 to 64 letters" },
        { """{ "Server": { "ChunkSize": 50 } }""", "Server:ChunkSize = 50: must be 128 to 65536" },
        { """{ "Server": { "ChunkSize": 70000 } }""", "Server:ChunkSize = 70000: must be 128 to 65536" },
        { """{ "Server": { "ChunkSize": "big" } }""", "Server:ChunkSize = \"big\": expected a whole number" },
        { """{ "Server": { "ChunkSize": 99999999999 } }""", "Server:ChunkSize = \"99999999999\": expected a whole number" },
        { """{ "Server": { "PublishKey": "has space" } }""", "Server:PublishKey = (hidden): must be up to 256 printable ASCII characters" },
        { """{ "Server": { "AllowPlay": [ "10.0.0.0/8", "10.0.0.0/33" ] } }""", "Server:AllowPlay[1] = \"10.0.0.0/33\": not a CIDR network" },
        { """{ "Server": { "AllowPlay": [ "10.0.0.1/8" ] } }""", "Server:AllowPlay[0] = \"10.0.0.1/8\": not a CIDR network" },
        { """{ "Server": { "AllowPlay": "10.0.0.0/8" } }""", "Server:AllowPlay = \"10.0.0.0/8\": expected a list" },
        { """{ "Server": { "MaxConnections": 0 } }""", "Server:MaxConnections = 0: must be 1 to 10000" },
        { """{ "Server": { "HandshakeTimeout": 0 } }""", "Server:HandshakeTimeout = 0: must be 1 to 300 seconds" },
        { """{ "Server": { "IdleTimeout": "00:01:00" } }""", "Server:IdleTimeout = \"00:01:00\": expected a whole number" },
        { """{ "Server": "x" }""", "Server = \"x\": expected a section" },
        { """{ "Video": { "Source": "webcam:1" } }""", "Video:Source = \"webcam:1\": unknown video source; expected auto, testcard" },
        { """{ "Video": { "Source": "v4l2:video0" } }""", "Video:Source = \"v4l2:video0\": v4l2: needs a device path" },
        { """{ "Video": { "Source": "file:clip.mp4" } }""", "Video:Source = \"file:clip.mp4\": file: needs an FLV file path" },
        { """{ "Video": { "Source": "exec:" } }""", "Video:Source = \"exec:\": exec: needs a command" },
        { """{ "Video": { "Fps": 0 } }""", "Video:Fps = 0: must be 1 to 120" },
        { """{ "Video": { "Fps": 240 } }""", "Video:Fps = 240: must be 1 to 120" },
        { """{ "Video": { "Width": 641 } }""", "Video:Width = 641: must be an even number from 16 to 4096" },
        { """{ "Video": { "Height": 8 } }""", "Video:Height = 8: must be an even number from 16 to 4096" },
        { """{ "Video": { "BitrateKbps": 10 } }""", "Video:BitrateKbps = 10: must be 25 to 25000" },
        { """{ "Video": { "KeyframeInterval": 0 } }""", "Video:KeyframeInterval = 0: must be 1 to 1200 frames" },
        { """{ "Video": { "Device": "video0" } }""", "Video:Device = \"video0\": must be auto or a device path" },
        { """{ "Video": { "Encoder": "h264" } }""", "Video:Encoder = \"h264\": must be auto, none or a device path" },
        { """{ "Video": { "Command": " " } }""", "Video:Command = \" \": must not be empty" },
        { """{ "Audio": { "Source": "pulse" } }""", "Audio:Source = \"pulse\": unknown audio source; expected auto, tone, alsa:DEVICE, file:PATH.wav" },
        { """{ "Audio": { "Source": "alsa:" } }""", "Audio:Source = \"alsa:\": alsa: needs an ALSA device name" },
        { """{ "Audio": { "SampleRate": 12345 } }""", "Audio:SampleRate = 12345: must be one of 8000, 11025" },
        { """{ "Audio": { "Channels": 3 } }""", "Audio:Channels = 3: must be 1 to 2" },
        { """{ "Audio": { "BitrateKbps": 8 } }""", "Audio:BitrateKbps = 8: must be 32 to 320" },
        { """{ "Audio": { "SampleRate": 8000, "BitrateKbps": 320 } }""", "Audio:BitrateKbps = 320: AAC BitrateKbps 320 is above the 48 kbit/s" },
        { """{ "Audio": { "Device": "" } }""", "Audio:Device = \"\": must be an ALSA device name" },
        { """{ "Push": [ { "Url": "http://x" } ] }""", "Push[0]:Url = \"http://x\": must be rtmp:// or rtmps://" },
        { """{ "Push": [ { "Url": "rtmp://a/app/k" }, { "Url": "rtmp://host" } ] }""", "Push[1]:Url = \"rtmp://host\": needs a host and an application path" },
        { """{ "Push": [ { "Url": "rtmp://a/app/k", "Enabled": "yes" } ] }""", "Push[0]:Enabled = \"yes\": expected true or false" },
        { """{ "Push": { "Url": "rtmp://a/app/k" } }""", "unknown" },
        { """{ "Push": [ "rtmp://a/app/k" ] }""", "Push[0] = \"rtmp://a/app/k\": expected an object such as { \"Url\": " },
        { """{ "Gpio": { "Chip": "" } }""", "Gpio:Chip = \"\": must be auto, a chip label" },
        { """{ "Gpio": { "StatusLed": "GPIO 17" } }""", "Gpio:StatusLed = \"GPIO 17\": must be empty (unused) or a line name such as GPIO17" },
        { """{ "Gpio": { "StatusLed": "GPIO17", "ViewerLed": "gpio17" } }""", "Gpio:ViewerLed = \"gpio17\": already used by Gpio:StatusLed" },
        { """{ "Gpio": { "LongPressMs": 100 } }""", "Gpio:LongPressMs = 100: must be 500 to 30000 ms" },
        { """{ "Gpio": { "ActiveLow": 1 } }""", "Gpio:ActiveLow = \"1\": expected true or false" },
        { """{ "Record": { "Directory": "recordings" } }""", "Record:Directory = \"recordings\": must be empty (recording off) or an absolute path" },
        { """{ "Record": { "SegmentSeconds": 5 } }""", "Record:SegmentSeconds = 5: must be 10 to 86400 seconds" },
        { """{ "Record": { "MaxBytes": 5 } }""", "Record:MaxBytes = 5: must be 0 (no limit) or at least 1048576" },
    };

    [Theory]
    [MemberData(nameof(BadValues))]
    public void Each_bad_value_gives_one_message_naming_the_key_and_the_reason(string json, string expectedStart)
    {
        using var directory = new TempDirectory();
        var file = directory.Write("c.json", json);

        var exception = Record.Exception(() => ConfigurationLoader.Load(new ConfigurationRequest { ConfigFile = file }));

        if (expectedStart == "unknown")
        {
            // A list written as an object: Push:Url is an unknown key, warned about, not fatal.
            Assert.Null(exception);
            return;
        }

        var error = Assert.IsType<ConfigurationException>(exception);
        Assert.StartsWith(expectedStart, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Secrets_are_not_echoed()
    {
        using var directory = new TempDirectory();
        var file = directory.Write("c.json", """{ "Server": { "PlayKey": "secret with space" } }""");

        var error = Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Load(new ConfigurationRequest { ConfigFile = file }));

        Assert.DoesNotContain("secret", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Malformed_json_names_the_file_and_the_line()
    {
        using var directory = new TempDirectory();
        var file = directory.Write("bad.json", "{\n  \"Server\": {\n    \"Listen\": \"0.0.0.0:1935\"\n    \"App\": \"live\"\n  }\n}\n");

        var error = Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Load(new ConfigurationRequest { ConfigFile = file }));

        Assert.StartsWith(file + ": invalid JSON at line 4, column 5: ", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("LineNumber", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[ 1, 2 ]", ": the top level must be a JSON object")]
    [InlineData("", ": invalid JSON at line 1")]
    [InlineData("""{ "Server": { "App": "a", "App": "b" } }""", ": A duplicate key")]
    public void Json_that_is_not_a_configuration_object_is_refused(string json, string expected)
    {
        using var directory = new TempDirectory();
        var file = directory.Write("bad.json", json);

        var error = Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Load(new ConfigurationRequest { ConfigFile = file }));

        Assert.StartsWith(file + expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_keys_mean_none()
    {
        var options = new EdgeRtmpOptions();
        options.Server.PublishKey = "";
        options.Server.PlayKey = "k3y";

        var settings = OptionsValidator.Validate(options);

        Assert.Null(settings.Options.Server.PublishKey);
        Assert.Equal("k3y", settings.Options.Server.PlayKey);
    }
}
