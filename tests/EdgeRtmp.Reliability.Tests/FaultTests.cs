using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using EdgeRtmp.Interop.Tests.Support;
using EdgeRtmp.Reliability.Tests.Support;

namespace EdgeRtmp.Reliability.Tests;

/// <summary>
/// Faults around the server process (issue 15): the upstream nginx-rtmp killed, restarted and black-holed, the exec
/// source dying and hanging. Local viewers must never stop; the push must come back by itself.
/// </summary>
[Collection(nameof(ServerProcessCollection))]
public class FaultTests
{
    private const string ExecEncoder = "ffmpeg -v error -re -f lavfi -i testsrc2=size=256x144:rate=10 -c:v libx264 -preset ultrafast -g 10 -bsf:v h264_mp4toannexb -flush_packets 1";

    [Fact]
    public async Task Upstream_killed_and_restarted_the_push_comes_back_and_local_viewers_never_stop()
    {
        Tools.Require(NginxRtmp.Binary);
        await using var nginx = await NginxRtmp.StartAsync();
        await using var server = await ServerProcess.StartAsync(arguments: ["--push", nginx.Url("live/up")]);
        await using var local = await Watcher.StartAsync(server);
        // The push URL's last segment is the stream key: logs show it masked (live/****).
        string logged = $"Upstream rtmp://127.0.0.1:{nginx.Port}/live/****";
        await server.WaitForLogAsync(l => l.Contains($"{logged}: live"), TimeSpan.FromSeconds(60), "the push never went live");
        var live = Stopwatch.StartNew();
        await using (var upstream = await Watcher.StartAsync(nginx.Port, "up", TimeSpan.FromSeconds(60)))
        {
        }

        // A crash, not a refusal: the kill comes after the publisher's refusal window.
        await RefusalWindow.PassAsync(live);
        await nginx.KillAsync();
        await server.WaitForLogAsync(l => l.Contains(logged) && l.Contains("retrying in"), TimeSpan.FromSeconds(30), "the push did not notice the upstream died");
        await local.ExpectFramesAsync(30, TimeSpan.FromSeconds(30), "while the upstream is down");

        await nginx.StartAgainAsync();
        // Backoff 1 s doubling (jittered): back within a minute of the restart.
        await using var again = await Watcher.StartAsync(nginx.Port, "up", TimeSpan.FromSeconds(60));
        await local.ExpectFramesAsync(10, TimeSpan.FromSeconds(30), "after the upstream came back");
        Assert.False(local.Disconnected);
        Assert.True(server.CountLog(l => l.Contains($"{logged}: live")) >= 2, "no second 'live' line after the restart");
        Assert.DoesNotContain(server.Lines, l => l.Contains("/live/up", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_black_holed_upstream_is_given_up_on_and_retried_while_local_viewers_keep_playing()
    {
        // Accepts TCP and never says a word: the push must time out, retry, and never block the local stream.
        using var blackHole = new TcpListener(IPAddress.Loopback, 0);
        blackHole.Start();
        int port = ((IPEndPoint)blackHole.LocalEndpoint).Port;
        var swallowed = new List<Socket>();
        using var stop = new CancellationTokenSource();
        Task acceptLoop = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    Socket socket = await blackHole.AcceptSocketAsync(stop.Token);
                    lock (swallowed)
                    {
                        swallowed.Add(socket);
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        });

        try
        {
            string url = $"rtmp://127.0.0.1:{port}/live/up";
            await using var server = await ServerProcess.StartAsync(arguments: ["--push", url]);
            await using var local = await Watcher.StartAsync(server);
            // The client's timeout is 10 s, then 1 s of backoff: two attempts well within a minute.
            await server.WaitForLogAsync(l => l.Contains($"Upstream rtmp://127.0.0.1:{port}/live/****: ") && l.Contains("retrying in"), TimeSpan.FromSeconds(60), "the push never gave up on the black hole");
            long deadline = Environment.TickCount64 + 60_000;
            while (Count(swallowed) < 2 && Environment.TickCount64 < deadline)
            {
                await local.ExpectFramesAsync(5, TimeSpan.FromSeconds(30), "while the upstream is black-holed");
            }

            Assert.True(Count(swallowed) >= 2, $"{Count(swallowed)} connection attempts reached the black hole in a minute");
            await local.ExpectFramesAsync(20, TimeSpan.FromSeconds(30), "while the upstream is black-holed");
            Assert.False(local.Disconnected);
        }
        finally
        {
            await stop.CancelAsync();
            await acceptLoop;
            lock (swallowed)
            {
                swallowed.ForEach(s => s.Dispose());
            }
        }
    }

    [Fact]
    public async Task An_exec_source_that_dies_is_restarted_and_its_viewers_stay_connected()
    {
        Tools.Require("ffmpeg");
        // The encoder exits after 3 s, every time.
        await using var server = await ServerProcess.StartAsync(video: $"exec:\"{ExecEncoder} -t 3 -f h264 -\"");
        await using var local = await Watcher.StartAsync(server);
        await server.WaitForLogAsync(l => l.Contains("[1102] Source failed: exec") && l.Contains("restarting in"), TimeSpan.FromSeconds(40), "the source's exit was not noticed");
        await local.ExpectFramesAsync(20, TimeSpan.FromSeconds(60), "after the source died and was restarted");
        Assert.False(local.Disconnected);
        Assert.False(server.HasExited);
    }

    [Fact]
    public async Task An_exec_source_that_hangs_is_stopped_at_the_stall_timeout_and_restarted()
    {
        Tools.Require("ffmpeg");
        // Frames for 3 s, then the process lives on with its output open and says nothing more.
        await using var server = await ServerProcess.StartAsync(video: $"exec:\"sh -c '{ExecEncoder} -t 3 -f h264 -; sleep 60'\"");
        await using var local = await Watcher.StartAsync(server);
        await server.WaitForLogAsync(l => l.Contains("[1102] Source failed: exec") && l.Contains("restarting in"), TimeSpan.FromSeconds(60), "the hung source was not stopped");
        await local.ExpectFramesAsync(20, TimeSpan.FromSeconds(60), "after the hung source was restarted");
        Assert.False(local.Disconnected);
    }

    private static int Count(List<Socket> sockets)
    {
        lock (sockets)
        {
            return sockets.Count;
        }
    }
}
