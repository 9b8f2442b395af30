using System.Buffers;
using System.Diagnostics;
using System.Text.RegularExpressions;
using EdgeRtmp.Media;
using EdgeRtmp.Media.Flv;
using EdgeRtmp.Net.Client;
using EdgeRtmp.Protocol.Messages;
using EdgeRtmp.Protocol.Messages.Commands;
using EdgeRtmp.Tests.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeRtmp.Tests.Recording;

/// <summary>The built program recording a real-time source, killed with SIGKILL in the middle of a segment.</summary>
public sealed partial class RecorderProcessTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    /// <summary>
    /// "Plays to within a second of the kill", measured in the stream's own time rather than the wall clock, so a
    /// loaded machine that slows the program down cannot fail it: a live player in this process watches the same
    /// stream, the kill comes once that player has seen 4 s of media since the segment opened, and the segment's
    /// last whole video frame (found by its bytes among what the player received) must be less than a second older
    /// than the newest frame the player had at the kill. The player trails the program, never leads it: the bound
    /// only gets looser when this process is the slow one.
    /// </summary>
    [Fact]
    public async Task A_segment_cut_by_SIGKILL_plays_to_within_a_second_of_the_kill()
    {
        using var directory = new TempDirectory();
        string source = RecordingTools.MakeSource(Path.Combine(Path.GetTempPath(), "edgertmp-recorder-source-60s.flv"), 60);
        string recordings = Path.Combine(directory.Path, "recordings");
        string config = directory.Write("edgertmp.json", $$"""
            { "Record": { "Directory": "{{recordings}}", "SegmentSeconds": 10, "MinFreeBytes": 0 } }
            """);
        var start = new ProcessStartInfo("dotnet", ["exec", Path.Combine(AppContext.BaseDirectory, "edgertmp.dll"),
            "run", "--config", config, "--listen", "127.0.0.1:0", "--video", "file:" + source, "--audio", "none"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string name in start.Environment.Keys.Where(name => name.StartsWith("EDGERTMP__", StringComparison.OrdinalIgnoreCase) || name is "NOTIFY_SOCKET" or "WATCHDOG_USEC").ToList())
        {
            start.Environment.Remove(name);
        }

        using var process = Process.Start(start)!;
        var listening = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var opened = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        int segmentsOpened = 0;
        var log = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (log)
            {
                log.AppendLine(e.Data);
            }

            if (PlayUrl().Match(e.Data) is { Success: true } url)
            {
                listening.TrySetResult(url.Groups[1].Value);
            }

            int at = e.Data.IndexOf("Recording segment ", StringComparison.Ordinal);
            if (at >= 0)
            {
                Interlocked.Increment(ref segmentsOpened);
                opened.TrySetResult(e.Data[(at + "Recording segment ".Length)..].Trim());
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var player = new VideoWatcher();
        RtmpClient? client = null;
        string segment;
        uint newestAtKill;
        try
        {
            Assert.True(RtmpUrl.TryParse(await listening.Task.WaitAsync(Patience), out RtmpUrl? url, out string? error), error);
            client = await RtmpClient.ConnectAsync(RtmpClientOptions.FromUrl(url), NullLogger.Instance, CancellationToken.None).WaitAsync(Patience);
            await client.PlayAsync(await client.CreateStreamAsync(CancellationToken.None).WaitAsync(Patience), url.StreamName, player, CancellationToken.None).WaitAsync(Patience);
            segment = await opened.Task.WaitAsync(Patience);
            await player.WaitForVideoAsync().WaitAsync(Patience);
            uint atOpen = player.Newest;
            await player.WaitForAsync(atOpen + 4000).WaitAsync(Patience);
        }
        finally
        {
            newestAtKill = player.Newest;
            process.Kill();
            await process.WaitForExitAsync().WaitAsync(Patience);
            if (client is not null)
            {
                await client.DisposeAsync();
            }
        }

        Assert.True(File.Exists(segment), $"no segment at {segment}\n{log}");
        Assert.True(Volatile.Read(ref segmentsOpened) == 1, $"the kill came after the first segment had closed: not mid-segment\n{log}");
        var (code, _, stderr) = RecordingTools.Run("ffmpeg", "-v", "error", "-i", segment, "-f", "null", "-");
        Assert.True(code == 0, $"ffmpeg could not play the killed segment: {stderr}");
        Assert.Equal("", stderr.Trim());
        Assert.Equal("1", RecordingTools.FirstVideoFrame(segment));

        // The segment's last whole video frame, in the stream's time by its bytes; the segment's own timestamps start at 0.
        byte[] last = LastVideoFrame(segment);
        uint? lastAt = player.TimestampOf(last);
        Assert.True(lastAt is not null, "the segment's last video frame is not one the player received");
        double behind = (newestAtKill - lastAt!.Value) / 1000.0;
        Assert.True(behind < 1.0, $"the segment ends {behind:0.00} s before the newest frame a live player had at the kill");
        double played = RecordingTools.Duration(segment);
        output.WriteLine($"segment plays {played:0.00} s, ends {behind:0.00} s before the newest frame the player had at the kill");
        Assert.True(played >= 3.0, $"the segment plays {played:0.00} s; the kill came after 4 s of it");
    }

    [GeneratedRegex(@"play at (rtmp://\S+)")]
    private static partial Regex PlayUrl();

    /// <summary>The payload of the last video tag the file holds whole (a tag cut by the kill is not counted).</summary>
    private static byte[] LastVideoFrame(string path)
    {
        byte[]? last = null;
        using var reader = new FlvFileReader(File.OpenRead(path));
        try
        {
            reader.ReadHeaderAsync().AsTask().GetAwaiter().GetResult();
            while (reader.ReadTagAsync().AsTask().GetAwaiter().GetResult())
            {
                FlvTag tag = reader.Current;
                if (tag.TagType == FlvTagType.Video)
                {
                    last = tag.Payload.ToArray();
                }
            }
        }
        catch (MediaFormatException)
        {
            // The tag the kill cut short.
        }

        return last ?? throw new InvalidOperationException("no whole video tag in " + path);
    }

    /// <summary>A player sink that keeps each video frame's timestamp by its bytes, and the newest timestamp.</summary>
    private sealed class VideoWatcher : IRtmpPlaySink
    {
        private readonly Lock _gate = new();
        private readonly Dictionary<string, uint> _timestamps = [];
        private readonly List<(uint Timestamp, TaskCompletionSource Reached)> _waiters = [];
        private bool _any;
        private uint _newest;

        public uint Newest
        {
            get
            {
                lock (_gate)
                {
                    return _newest;
                }
            }
        }

        public Task WaitForVideoAsync() => WaitForAsync(0);

        /// <summary>Completes once a video frame at or after <paramref name="timestamp"/> has arrived.</summary>
        public Task WaitForAsync(uint timestamp)
        {
            lock (_gate)
            {
                if (_any && _newest >= timestamp)
                {
                    return Task.CompletedTask;
                }

                var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiters.Add((timestamp, reached));
                return reached.Task;
            }
        }

        public uint? TimestampOf(byte[] payload)
        {
            lock (_gate)
            {
                return _timestamps.TryGetValue(Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(payload)), out uint timestamp) ? timestamp : null;
            }
        }

        public void OnMedia(in MessageHeader header, ReadOnlySpan<byte> payload)
        {
            if (header.Type != RtmpMessageType.Video || payload.IsEmpty)
            {
                return;
            }

            string key = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(payload));
            lock (_gate)
            {
                _timestamps[key] = header.Timestamp;
                _any = true;
                _newest = Math.Max(_newest, header.Timestamp);
                _waiters.RemoveAll(waiter =>
                {
                    if (_newest < waiter.Timestamp)
                    {
                        return false;
                    }

                    waiter.Reached.TrySetResult();
                    return true;
                });
            }
        }

        public void OnStatus(StatusInfo status)
        {
        }

        public void OnUserControl(UserControlEvent control)
        {
        }
    }
}
