using System.Buffers;
using System.Buffers.Binary;
using System.Net.Sockets;
using EdgeRtmp.Protocol.Amf;
using EdgeRtmp.Protocol.Messages;
using EdgeRtmp.Protocol.Messages.Commands;
using EdgeRtmp.Reliability.Tests.Support;

namespace EdgeRtmp.Reliability.Tests;

/// <summary>
/// Hostile and broken clients against the real server process (issue 15). Each attack is bounded in time and count;
/// during each, an existing player must keep receiving video, the process must live, and every refusal must be one
/// log line that names the peer and the reason. Timeouts are configured short (the handshake timeout's minimum is
/// 1 s, the idle timeout's 5 s); waits are for log lines, socket closes and frames, with margins for a loaded machine.
/// </summary>
[Collection(nameof(ServerProcessCollection))]
public class HostileClientTests
{
    private static readonly TimeSpan CloseWithin = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan LogWithin = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_handshake_at_one_byte_a_second_is_dropped_at_the_handshake_timeout()
    {
        await using var server = await ServerProcess.StartAsync(new Dictionary<string, string> { ["Server:HandshakeTimeout"] = "2" });
        await using var watcher = await Watcher.StartAsync(server);
        using var slow = await RawClient.ConnectAsync(server.Port);
        long started = Environment.TickCount64;
        Task<bool> closed = slow.WaitForCloseAsync(CloseWithin);
        // The attack's own pace: one byte a second until the server hangs up (bounded by the close wait).
        for (int i = 0; i < 20 && !closed.IsCompleted; i++)
        {
            try
            {
                await slow.SendAsync(new byte[] { i == 0 ? (byte)3 : (byte)0 });
            }
            catch (SocketException)
            {
                break;
            }

            await Task.WhenAny(closed, Task.Delay(TimeSpan.FromSeconds(1)));
        }

        Assert.True(await closed, "the server kept a one-byte-a-second handshake open");
        long took = Environment.TickCount64 - started;
        Assert.InRange(took, 1_500, 15_000);
        await server.WaitForLogAsync(l => l.Contains($"127.0.0.1:{slow.LocalPort} closed: no handshake within 2 s"), LogWithin, "no log line for the dropped handshake");
        await watcher.ExpectFramesAsync(10, TimeSpan.FromSeconds(30), "after the slow handshake");
    }

    [Fact]
    public async Task A_thousand_connect_disconnect_cycles_leave_no_descriptor_or_thread_behind()
    {
        await using var server = await ServerProcess.StartAsync();
        await using var watcher = await Watcher.StartAsync(server);
        // Warm-up: the first cycles of each kind load assemblies (and their symbol files, for exception messages),
        // which holds descriptors for good; the baseline is taken after them.
        await ConnectDisconnectCyclesAsync(server, 30);
        var before = server.Resources();
        await ConnectDisconnectCyclesAsync(server, 1000);

        await watcher.ExpectFramesAsync(10, TimeSpan.FromSeconds(30), "after 1000 connect/disconnect cycles");
        // Sessions end as the server notices the closes: wait for the descriptors to come back.
        long deadline = Environment.TickCount64 + 30_000;
        (long RssKiB, int Threads, int Handles) after = server.Resources();
        while (after.Handles > before.Handles + 8 && Environment.TickCount64 < deadline)
        {
            await Task.Delay(200);
            after = server.Resources();
        }

        Assert.True(after.Handles <= before.Handles + 8, $"descriptors {before.Handles} before, {after.Handles} after");
        Assert.True(after.Threads <= before.Threads + 8, $"threads {before.Threads} before, {after.Threads} after");
        Assert.True(after.RssKiB < before.RssKiB + 64 * 1024, $"RSS {before.RssKiB} KiB before, {after.RssKiB} KiB after");
        Assert.Equal(0, server.CountLog(l => l.Contains("failed", StringComparison.Ordinal) && l.Contains("[2005]", StringComparison.Ordinal)));
        Assert.False(server.HasExited);
    }

    /// <summary>Connects and hangs up: a third at once, a third after half a C1, a third after a whole handshake; every other one with a reset.</summary>
    private static async Task ConnectDisconnectCyclesAsync(ServerProcess server, int cycles)
    {
        for (int i = 0; i < cycles; i++)
        {
            using RawClient client = await RawClient.ConnectAsync(server.Port);
            switch (i % 3)
            {
                case 1:
                    byte[] half = new byte[700];
                    half[0] = 3; // C0 and half a C1
                    await client.SendAsync(half);
                    break;
                case 2:
                    await client.HandshakeAsync();
                    break;
            }

            if (i % 2 == 0)
            {
                client.Socket.LingerState = new LingerOption(true, 0); // a reset instead of a FIN
            }
        }
    }

    [Fact]
    public async Task Connections_over_MaxConnections_are_refused_with_one_line_each_and_the_existing_player_keeps_playing()
    {
        await using var server = await ServerProcess.StartAsync(new Dictionary<string, string> { ["Server:MaxConnections"] = "10" });
        await using var watcher = await Watcher.StartAsync(server);
        var flood = new List<RawClient>();
        try
        {
            for (int i = 0; i < 30; i++)
            {
                flood.Add(await RawClient.ConnectAsync(server.Port));
            }

            // The watcher holds one slot: 9 of the flood are kept, 21 are refused at once.
            bool[] closed = await Task.WhenAll(flood.Select(c => c.WaitForCloseAsync(TimeSpan.FromSeconds(5))));
            Assert.Equal(21, closed.Count(c => c));
            foreach (RawClient refused in flood.Where((_, i) => closed[i]))
            {
                await server.WaitForLogAsync(l => l.Contains($"Refused 127.0.0.1:{refused.LocalPort}: already 10 connections"), LogWithin, "no refusal line");
                Assert.Equal(1, server.CountLog(l => l.Contains($"127.0.0.1:{refused.LocalPort}:", StringComparison.Ordinal)));
            }

            await watcher.ExpectFramesAsync(10, TimeSpan.FromSeconds(30), "while the server is full");
        }
        finally
        {
            flood.ForEach(c => c.Dispose());
        }

        // Once the flood is gone, a new player gets in.
        await using var late = await Watcher.StartAsync(server);
    }

    [Fact]
    public async Task A_flood_of_half_open_handshakes_is_dropped_at_the_timeout_and_players_join_afterwards()
    {
        await using var server = await ServerProcess.StartAsync(new Dictionary<string, string> { ["Server:HandshakeTimeout"] = "2" });
        await using var watcher = await Watcher.StartAsync(server);
        var flood = new List<RawClient>();
        try
        {
            for (int i = 0; i < 150; i++)
            {
                RawClient client = await RawClient.ConnectAsync(server.Port);
                flood.Add(client);
                byte[] start = new byte[1 + 100];
                start[0] = 3; // C0 and the start of C1, then silence
                await client.SendAsync(start);
            }

            bool[] closed = await Task.WhenAll(flood.Select(c => c.WaitForCloseAsync(CloseWithin)));
            Assert.All(closed, Assert.True);
            await watcher.ExpectFramesAsync(10, TimeSpan.FromSeconds(30), "during the half-open flood");
            await server.WaitForLogAsync(_ => server.CountLog(l => l.Contains("closed: no handshake within 2 s")) >= 150, LogWithin,
                "fewer than 150 handshake-timeout lines; reasons: " + string.Join(", ", server.Lines.Where(l => l.Contains(" closed: ")).Select(l => l[(l.IndexOf(" closed: ", StringComparison.Ordinal) + 9)..]).GroupBy(r => r).Select(g => $"{g.Count()} x {g.Key}")));
        }
        finally
        {
            flood.ForEach(c => c.Dispose());
        }

        await using var late = await Watcher.StartAsync(server);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(int.MaxValue)]
    public async Task A_chunk_size_of_zero_or_two_to_the_31_minus_one_is_refused(int chunkSize)
    {
        await using var server = await ServerProcess.StartAsync();
        await using var watcher = await Watcher.StartAsync(server);
        using RawClient client = await RawClient.ConnectedAsync(server.Port);
        byte[] payload = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(payload, chunkSize);
        await client.SendMessageAsync(2, RtmpMessageType.SetChunkSize, 0, payload);
        Assert.True(await client.WaitForCloseAsync(CloseWithin));
        await server.WaitForLogAsync(l => l.Contains($"127.0.0.1:{client.LocalPort} closed: protocol error") && l.Contains("chunk size", StringComparison.OrdinalIgnoreCase), LogWithin, "no refusal line naming the chunk size");
        await watcher.ExpectFramesAsync(10, TimeSpan.FromSeconds(30), "after the bad chunk size");
    }

    [Fact]
    public async Task A_message_of_16_MiB_minus_1_is_refused_at_its_header()
    {
        await using var server = await ServerProcess.StartAsync();
        await using var watcher = await Watcher.StartAsync(server);
        using RawClient client = await RawClient.ConnectedAsync(server.Port);
        // fmt 0 on chunk stream 6: timestamp 0, length 0xFFFFFF, video, stream 1; then one chunk of it and silence.
        byte[] header = [0x06, 0, 0, 0, 0xFF, 0xFF, 0xFF, (byte)RtmpMessageType.Video, 1, 0, 0, 0];
        await client.SendAsync(header.Concat(new byte[128]).ToArray());
        Assert.True(await client.WaitForCloseAsync(CloseWithin));
        await server.WaitForLogAsync(l => l.Contains($"127.0.0.1:{client.LocalPort} closed: protocol error: Message of 16777215 bytes"), LogWithin, "no refusal line for the 16 MiB message");
        await watcher.ExpectFramesAsync(10, TimeSpan.FromSeconds(30), "after the huge message");
    }

    [Fact]
    public async Task Messages_announced_at_the_largest_allowed_size_that_never_complete_hold_no_memory_and_time_out()
    {
        await using var server = await ServerProcess.StartAsync(new Dictionary<string, string> { ["Server:IdleTimeout"] = "5" });
        await using var watcher = await Watcher.StartAsync(server);
        var before = server.Resources();
        var attackers = new List<RawClient>();
        try
        {
            // 20 connections, each opening 60 chunk streams with a first chunk of an 8 MiB - 1 message: 9.6 GiB announced.
            for (int c = 0; c < 20; c++)
            {
                RawClient client = await RawClient.ConnectedAsync(server.Port);
                attackers.Add(client);
                var wire = new List<byte>();
                for (int stream = 0; stream < 60; stream++)
                {
                    wire.AddRange([0x00, (byte)(10 + stream), 0, 0, 0, 0x7F, 0xFF, 0xFF, (byte)RtmpMessageType.Video, 1, 0, 0, 0]);
                    wire.AddRange(new byte[128]);
                }

                await client.SendAsync(wire.ToArray());
            }

            await watcher.ExpectFramesAsync(10, TimeSpan.FromSeconds(30), "while 1,200 messages hang incomplete");
            var during = server.Resources();
            Assert.True(during.RssKiB < before.RssKiB + 100 * 1024, $"RSS {before.RssKiB} KiB before, {during.RssKiB} KiB with 1,200 incomplete 8 MiB messages");
            bool[] closed = await Task.WhenAll(attackers.Select(c => c.WaitForCloseAsync(TimeSpan.FromSeconds(30))));
            Assert.All(closed, Assert.True);
            await server.WaitForLogAsync(l => l.Contains($"127.0.0.1:{attackers[0].LocalPort} closed: nothing received for 5 s"), LogWithin, "no idle-timeout line");
        }
        finally
        {
            attackers.ForEach(c => c.Dispose());
        }
    }

    [Fact]
    public async Task Sixty_five_thousand_chunk_streams_are_refused_after_the_limit()
    {
        await using var server = await ServerProcess.StartAsync();
        await using var watcher = await Watcher.StartAsync(server);
        using RawClient client = await RawClient.ConnectedAsync(server.Port);
        var wire = new ArrayBufferWriter<byte>();
        for (int id = 64; id < 65_064; id++)
        {
            // fmt 0 with a three-byte basic header (chunk stream 64..65599), a 1-byte audio message.
            int encoded = id - 64;
            wire.Write<byte>([0x01, (byte)encoded, (byte)(encoded >> 8), 0, 0, 0, 0, 0, 1, (byte)RtmpMessageType.Audio, 1, 0, 0, 0, 0xAF]);
        }

        try
        {
            await client.SendAsync(wire.WrittenMemory);
        }
        catch (SocketException)
        {
            // The server may hang up before it has read all 975 KB.
        }

        Assert.True(await client.WaitForCloseAsync(CloseWithin));
        await server.WaitForLogAsync(l => l.Contains($"127.0.0.1:{client.LocalPort} closed: protocol error: The peer opened more than 64 chunk streams"), LogWithin, "no refusal line for the chunk streams");
        await watcher.ExpectFramesAsync(10, TimeSpan.FromSeconds(30), "after 65,000 chunk streams");
    }

    [Theory]
    [InlineData("nested")]
    [InlineData("ecma-count")]
    [InlineData("strict-count")]
    [InlineData("long-string")]
    public async Task Deeply_nested_or_huge_count_AMF_in_connect_is_refused(string shape)
    {
        await using var server = await ServerProcess.StartAsync();
        await using var watcher = await Watcher.StartAsync(server);
        using RawClient client = await RawClient.ConnectAsync(server.Port);
        await client.HandshakeAsync();
        byte[] payload = RawClient.Command(output =>
        {
            var writer = new Amf0Writer(output);
            writer.WriteString("connect");
            writer.WriteNumber(1);
            switch (shape)
            {
                case "nested":
                    for (int i = 0; i < 20_000; i++)
                    {
                        writer.WriteObjectStart();
                        writer.WritePropertyName("a");
                    }

                    writer.WriteNull();
                    break;
                case "ecma-count":
                    writer.WriteEcmaArrayStart(uint.MaxValue);
                    writer.WriteProperty("app"u8, "live"u8);
                    break;
                case "strict-count":
                    writer.WriteObjectStart();
                    writer.WriteProperty("app"u8, "live"u8);
                    writer.WriteObjectEnd();
                    writer.WriteStrictArrayStart(1_000_000_000);
                    writer.WriteNumber(1);
                    break;
                default:
                    // A long string (marker 0x0C) announcing 4 GiB - 1 with 10 bytes behind it.
                    writer.WriteRaw([0x0C, 0xFF, 0xFF, 0xFF, 0xFF, .. new byte[10]]);
                    break;
            }
        });
        await client.SendMessageAsync(3, RtmpMessageType.CommandAmf0, 0, payload);
        Assert.True(await client.WaitForCloseAsync(CloseWithin));
        await server.WaitForLogAsync(l => l.Contains($"127.0.0.1:{client.LocalPort} closed: protocol error"), LogWithin, "no refusal line for the AMF");
        await watcher.ExpectFramesAsync(10, TimeSpan.FromSeconds(30), "after the AMF");
        Assert.Equal(0, server.CountLog(l => l.Contains("[2005]", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Unknown_message_types_are_ignored_and_the_connection_still_works()
    {
        await using var server = await ServerProcess.StartAsync();
        await using var watcher = await Watcher.StartAsync(server);
        using RawClient client = await RawClient.ConnectedAsync(server.Port);
        byte[] known = [1, 2, 3, 4, 5, 6, 8, 9, 15, 16, 17, 18, 19, 20, 22];
        for (int type = 0; type < 256; type++)
        {
            if (!known.Contains((byte)type))
            {
                await client.SendMessageAsync(7, (RtmpMessageType)type, 1, [0xDE, 0xAD, 0xBE, 0xEF, (byte)type]);
            }
        }

        // Still a working connection: a publish with the right key is accepted (PublishStarted names our port).
        await client.SendMessageAsync(3, RtmpMessageType.CommandAmf0, 1, RawClient.Command(o => new PublishCommand(3, $"unknown-types?key={ServerProcess.PublishKey}").Write(o)));
        await server.WaitForLogAsync(l => l.Contains($"127.0.0.1:{client.LocalPort} publishes live/unknown-types"), LogWithin, "the connection stopped working after unknown message types");
        await watcher.ExpectFramesAsync(10, TimeSpan.FromSeconds(30), "after unknown message types");
        Assert.Equal(0, server.CountLog(l => l.Contains("[2005]", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_type_3_chunk_with_no_header_before_it_is_refused()
    {
        await using var server = await ServerProcess.StartAsync();
        await using var watcher = await Watcher.StartAsync(server);
        using RawClient client = await RawClient.ConnectedAsync(server.Port);
        await client.SendAsync(new byte[] { 0xC9, 1, 2, 3, 4 });
        Assert.True(await client.WaitForCloseAsync(CloseWithin));
        await server.WaitForLogAsync(l => l.Contains($"127.0.0.1:{client.LocalPort} closed: protocol error: Chunk stream 9 starts with a type-3 header"), LogWithin, "no refusal line for the type-3 chunk");
        await watcher.ExpectFramesAsync(10, TimeSpan.FromSeconds(30), "after the headerless chunk");
    }

    [Fact]
    public async Task A_publisher_killed_mid_message_frees_its_path_for_the_next_one()
    {
        await using var server = await ServerProcess.StartAsync();
        await using var watcher = await Watcher.StartAsync(server);
        using (RawClient first = await RawClient.ConnectedAsync(server.Port))
        {
            await first.SendMessageAsync(3, RtmpMessageType.CommandAmf0, 1, RawClient.Command(o => new PublishCommand(3, $"relay?key={ServerProcess.PublishKey}").Write(o)));
            await server.WaitForLogAsync(l => l.Contains($"127.0.0.1:{first.LocalPort} publishes live/relay"), LogWithin, "the first publisher was not accepted");
            // Half a 1000-byte video message, then a reset.
            byte[] half = [0x06, 0, 0, 0, 0, 0x03, 0xE8, 9, 1, 0, 0, 0, 0x17, 0x01, .. new byte[100]];
            await first.SendAsync(half);
            first.Socket.LingerState = new LingerOption(true, 0);
        }

        await server.WaitForLogAsync(l => l.Contains("stopped publishing live/relay"), LogWithin, "the killed publisher's path was not freed");
        using RawClient second = await RawClient.ConnectedAsync(server.Port);
        await second.SendMessageAsync(3, RtmpMessageType.CommandAmf0, 1, RawClient.Command(o => new PublishCommand(3, $"relay?key={ServerProcess.PublishKey}").Write(o)));
        await server.WaitForLogAsync(l => l.Contains($"127.0.0.1:{second.LocalPort} publishes live/relay"), LogWithin, "a new publisher could not take the path");
        await watcher.ExpectFramesAsync(10, TimeSpan.FromSeconds(30), "after the killed publisher");
    }

    [Fact]
    public async Task A_second_publisher_on_a_live_path_is_refused_and_the_first_stays_live()
    {
        await using var server = await ServerProcess.StartAsync();
        await using var watcher = await Watcher.StartAsync(server);
        // live/cam is published by the test card: a second publisher with the right key must not take it over.
        using RawClient intruder = await RawClient.ConnectedAsync(server.Port);
        await intruder.SendMessageAsync(3, RtmpMessageType.CommandAmf0, 1, RawClient.Command(o => new PublishCommand(3, $"cam?key={ServerProcess.PublishKey}").Write(o)));
        await server.WaitForLogAsync(l => l.Contains($"127.0.0.1:{intruder.LocalPort} may not publish 'cam': the stream is already being published"), LogWithin, "no refusal line for the second publisher");
        await watcher.ExpectFramesAsync(10, TimeSpan.FromSeconds(30), "after the second publisher");
        Assert.DoesNotContain(server.Lines, l => l.Contains(ServerProcess.PublishKey, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Guessed_publish_keys_are_slowed_down_logged_once_and_never_logged_themselves()
    {
        await using var server = await ServerProcess.StartAsync();
        await using var watcher = await Watcher.StartAsync(server);
        // Twelve guesses at once from one address, some sharing a long prefix with the key.
        string[] guesses = Enumerable.Range(0, 12).Select(i => i % 2 == 0
            ? ServerProcess.PublishKey[..(ServerProcess.PublishKey.Length - 1 - i)] + "x"
            : $"guess-{i:D4}-{Guid.NewGuid():N}").ToArray();
        (bool Closed, long Milliseconds)[] answers = await Task.WhenAll(guesses.Select(async guess =>
        {
            using RawClient client = await RawClient.ConnectedAsync(server.Port);
            long started = Environment.TickCount64;
            await client.SendMessageAsync(3, RtmpMessageType.CommandAmf0, 1, RawClient.Command(o => new PublishCommand(3, $"guessed?key={guess}").Write(o)));
            bool closed = await client.WaitForCloseAsync(TimeSpan.FromSeconds(60));
            return (closed, Environment.TickCount64 - started);
        }));

        Assert.All(answers, a => Assert.True(a.Closed));
        long[] times = answers.Select(a => a.Milliseconds).Order().ToArray();
        // Three answered at once (their close follows the status within the 2 s send grace), the rest held back, up to 8 s.
        Assert.True(times[2] < 6_000, $"the first refusals took {string.Join(", ", times)} ms");
        Assert.True(times[^1] >= 7_500, $"the twelfth guess was not slowed down: {string.Join(", ", times)} ms");
        Assert.Equal(1, server.CountLog(l => l.Contains("may not publish 'guessed'", StringComparison.Ordinal)));
        Assert.Equal(0, server.CountLog(l => l.Contains("closed: publish refused", StringComparison.Ordinal)));
        Assert.DoesNotContain(server.Lines, l => guesses.Any(g => l.Contains(g, StringComparison.Ordinal)) || l.Contains(ServerProcess.PublishKey, StringComparison.Ordinal));
        await watcher.ExpectFramesAsync(10, TimeSpan.FromSeconds(30), "after the guessing");

        // The right key from the same address still gets in.
        using RawClient owner = await RawClient.ConnectedAsync(server.Port);
        await owner.SendMessageAsync(3, RtmpMessageType.CommandAmf0, 1, RawClient.Command(o => new PublishCommand(3, $"guessed?key={ServerProcess.PublishKey}").Write(o)));
        await server.WaitForLogAsync(l => l.Contains($"127.0.0.1:{owner.LocalPort} publishes live/guessed"), TimeSpan.FromSeconds(30), "the right key was refused after the guessing");
    }

    [Fact]
    public async Task A_player_that_stops_reading_and_one_at_10_kbit_per_s_are_cut_off_without_hurting_the_others()
    {
        await using var server = await ServerProcess.StartAsync();
        await using var watcher = await Watcher.StartAsync(server);
        var before = server.Resources();

        // A publisher with a fat stream (64 KB keyframes at 25/s, 1.6 MB/s) so the two bad players fall behind fast.
        using RawClient publisher = await RawClient.ConnectedAsync(server.Port);
        await publisher.SendMessageAsync(3, RtmpMessageType.CommandAmf0, 1, RawClient.Command(o => new PublishCommand(3, $"fat?key={ServerProcess.PublishKey}").Write(o)));
        await server.WaitForLogAsync(l => l.Contains($"127.0.0.1:{publisher.LocalPort} publishes live/fat"), LogWithin, "the publisher was not accepted");

        using RawClient stuck = await RawClient.ConnectedAsync(server.Port, receiveBuffer: 4096);
        await stuck.SendMessageAsync(8, RtmpMessageType.CommandAmf0, 1, RawClient.Command(o => new PlayCommand(3, "fat").Write(o)));
        using RawClient slow = await RawClient.ConnectedAsync(server.Port, receiveBuffer: 4096);
        await slow.SendMessageAsync(8, RtmpMessageType.CommandAmf0, 1, RawClient.Command(o => new PlayCommand(3, "fat").Write(o)));
        using var stopReading = new CancellationTokenSource();
        Task slowReader = ReadAtAsync(slow, bytesPerSecond: 10_000 / 8, stopReading.Token);

        byte[] frame = new byte[64 * 1024];
        frame[0] = 0x17; // AVC keyframe
        frame[1] = 0x01; // NAL units
        long deadline = Environment.TickCount64 + 60_000;
        uint timestamp = 0;
        bool stuckClosed = false, slowClosed = false;
        while (Environment.TickCount64 < deadline && !(stuckClosed && slowClosed))
        {
            await publisher.SendMessageAsync(6, RtmpMessageType.Video, 1, frame, timestamp);
            timestamp += 40;
            await Task.Delay(40);
            stuckClosed = server.CountLog(l => l.Contains($"127.0.0.1:{stuck.LocalPort} closed: the peer could not keep up")) > 0;
            slowClosed = server.CountLog(l => l.Contains($"127.0.0.1:{slow.LocalPort} closed: the peer could not keep up")) > 0;
        }

        await stopReading.CancelAsync();
        await slowReader;
        Assert.True(stuckClosed, "the player that stopped reading was not cut off within 60 s");
        Assert.True(slowClosed, "the 10 kbit/s player was not cut off within 60 s");
        await watcher.ExpectFramesAsync(10, TimeSpan.FromSeconds(30), "after the stuck and slow players");
        var after = server.Resources();
        Assert.True(after.RssKiB < before.RssKiB + 100 * 1024, $"RSS {before.RssKiB} KiB before, {after.RssKiB} KiB after");
    }

    private static async Task ReadAtAsync(RawClient client, int bytesPerSecond, CancellationToken cancellationToken)
    {
        byte[] buffer = new byte[bytesPerSecond / 10];
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                if (await client.Socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken) == 0)
                {
                    return;
                }

                await Task.Delay(100, cancellationToken);
            }
        }
        catch (Exception error) when (error is OperationCanceledException or SocketException)
        {
        }
    }
}

/// <summary>The server-process tests run one at a time: each starts a server and loads the 2-core machine.</summary>
[CollectionDefinition(nameof(ServerProcessCollection), DisableParallelization = true)]
public sealed class ServerProcessCollection;
