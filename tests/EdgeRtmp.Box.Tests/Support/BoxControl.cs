using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace EdgeRtmp.Box.Tests.Support;

/// <summary>What a command in the box printed (stdout and stderr together) and its exit code.</summary>
public sealed record BoxResult(int ExitCode, string Output);

/// <summary>
/// The box's control channel (scripts/box/README.md): a Unix socket to a virtio serial port; one line
/// "ID BASE64(command)" out, one line "ID EXITCODE BASE64(output)" back. The box serves one client at a time.
/// </summary>
public sealed class BoxControl(string socketPath)
{
    private readonly SemaphoreSlim _one = new(1, 1);
    private int _nextId;

    public async Task<BoxResult> RunAsync(string command, TimeSpan timeout)
    {
        var id = Interlocked.Increment(ref _nextId).ToString(CultureInfo.InvariantCulture) + "." + Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        using var cancellation = new CancellationTokenSource(timeout);
        await _one.WaitAsync(cancellation.Token);
        try
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellation.Token);
            await using var stream = new NetworkStream(socket, ownsSocket: false);
            var request = Encoding.ASCII.GetBytes(id + " " + Convert.ToBase64String(Encoding.UTF8.GetBytes(command)) + "\n");
            await stream.WriteAsync(request, cancellation.Token);
            using var reader = new StreamReader(stream, Encoding.ASCII);
            while (true)
            {
                var line = await reader.ReadLineAsync(cancellation.Token) ??
                    throw new IOException($"the box closed the control channel before answering '{command}'");
                var parts = line.Split(' ', 3);
                if (parts[0] != id)
                {
                    continue; // the answer to an earlier client that gave up
                }

                var output = parts.Length > 2 ? Encoding.UTF8.GetString(Convert.FromBase64String(parts[2])) : "";
                return new BoxResult(int.Parse(parts[1], CultureInfo.InvariantCulture), output);
            }
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            throw new TimeoutException($"the box did not answer '{command}' within {timeout}");
        }
        finally
        {
            _one.Release();
        }
    }

    /// <summary>Runs a command that must succeed; returns its output.</summary>
    public async Task<string> CheckAsync(string command, TimeSpan? timeout = null)
    {
        var result = await RunAsync(command, timeout ?? TimeSpan.FromMinutes(5));
        Assert.True(result.ExitCode == 0, $"'{command}' exited {result.ExitCode} in the box:\n{result.Output}");
        return result.Output;
    }

    /// <summary><c>systemctl show edgertmp</c>'s properties.</summary>
    public async Task<IReadOnlyDictionary<string, string>> ServiceAsync()
    {
        var output = await CheckAsync("systemctl show edgertmp -p ActiveState,SubState,StatusText,NRestarts,MainPID,ExecMainStartTimestampMonotonic,Result");
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split('=', 2))
            .ToDictionary(pair => pair[0], pair => pair.Length > 1 ? pair[1] : "");
    }

    /// <summary>Polls the service until <paramref name="condition"/> holds; fails with the last state and the journal.</summary>
    public async Task<IReadOnlyDictionary<string, string>> WaitForServiceAsync(
        Func<IReadOnlyDictionary<string, string>, bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        IReadOnlyDictionary<string, string> state;
        while (true)
        {
            state = await ServiceAsync();
            if (condition(state))
            {
                return state;
            }

            if (DateTime.UtcNow > deadline)
            {
                break;
            }

            // Each round trip through the emulated box takes a good fraction of a second already.
            await Task.Delay(250);
        }

        var journal = await RunAsync("journalctl -u edgertmp --no-pager | tail -n 30", TimeSpan.FromMinutes(5));
        Assert.Fail($"{what}: not within {timeout}; last state: {string.Join(", ", state.Select(p => p.Key + "=" + p.Value))}\n{journal.Output}");
        return state;
    }
}
