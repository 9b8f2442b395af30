using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace EdgeRtmp.Reliability.Tests.Support;

/// <summary>
/// <c>edgertmp run</c> as its own process on 127.0.0.1 and a port the kernel picks, with a small test card so a
/// watcher has something to receive. Every line it logs is kept; <see cref="WaitForLogAsync"/> waits for one.
/// Settings go in as EDGERTMP__Section__Key environment variables, as on the box.
/// </summary>
public sealed partial class ServerProcess : IAsyncDisposable
{
    public const string PublishKey = "s3cret-publish-key-4711";

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly SemaphoreSlim _lineArrived = new(0);

    private ServerProcess(Process process) => _process = process;

    public int Port { get; private set; }

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    public IReadOnlyCollection<string> Lines => _lines;

    public string Url(string path = "live/cam") => $"rtmp://127.0.0.1:{Port}/{path}";

    public static Task<ServerProcess> StartAsync(IReadOnlyDictionary<string, string>? settings = null, string video = "testcard", params string[] arguments) =>
        StartAsync([], settings, video, arguments);

    /// <summary>Starts the server behind <paramref name="wrapper"/>, a command prefix that execs it (<see cref="TinyFileSystem.Wrapper"/>).</summary>
    public static async Task<ServerProcess> StartAsync(IReadOnlyList<string> wrapper, IReadOnlyDictionary<string, string>? settings, string video, params string[] arguments)
    {
        string[] command = [.. wrapper, DotnetHost(), "exec", Path.Combine(AppContext.BaseDirectory, "edgertmp.dll"),
            "run", "--listen", "127.0.0.1:0", "--video", video, "--audio", "none", .. arguments];
        var start = new ProcessStartInfo(command[0], command[1..])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["EDGERTMP__Server__PublishKey"] = PublishKey;
        start.Environment["EDGERTMP__Video__Width"] = "256";
        start.Environment["EDGERTMP__Video__Height"] = "144";
        start.Environment["EDGERTMP__Video__Fps"] = "10";
        start.Environment["EDGERTMP__Video__KeyframeInterval"] = "10";
        start.Environment["EDGERTMP__Video__BitrateKbps"] = "200";
        start.Environment["DOTNET_gcServer"] = "0";
        foreach ((string key, string value) in settings ?? new Dictionary<string, string>())
        {
            start.Environment["EDGERTMP__" + key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        var process = new Process { StartInfo = start };
        var server = new ServerProcess(process);
        process.OutputDataReceived += (_, e) => server.Add(e.Data);
        process.ErrorDataReceived += (_, e) => server.Add(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        string listening = await server.WaitForLogAsync(line => ListeningLine().IsMatch(line), TimeSpan.FromSeconds(60), "the server never said it listens");
        server.Port = int.Parse(ListeningLine().Match(listening).Groups[1].Value, CultureInfo.InvariantCulture);
        return server;
    }

    /// <summary>Waits for a log line matching <paramref name="match"/> (already logged or to come); fails the test on timeout.</summary>
    public async Task<string> WaitForLogAsync(Func<string, bool> match, TimeSpan timeout, string what)
    {
        long deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (true)
        {
            string? found = _lines.FirstOrDefault(match);
            if (found is not null)
            {
                return found;
            }

            long left = deadline - Environment.TickCount64;
            if (left <= 0 || _process.HasExited)
            {
                throw new Xunit.Sdk.XunitException($"{what} (within {timeout.TotalSeconds:0} s; exited: {_process.HasExited}). Log:\n{string.Join('\n', _lines.TakeLast(40))}");
            }

            await _lineArrived.WaitAsync(TimeSpan.FromMilliseconds(Math.Min(left, 500)));
        }
    }

    public int CountLog(Func<string, bool> match) => _lines.Count(match);

    /// <summary>Resident memory, threads and open descriptors, from /proc.</summary>
    public (long RssKiB, int Threads, int Handles) Resources()
    {
        long rss = 0;
        int threads = 0;
        foreach (string line in File.ReadLines($"/proc/{_process.Id}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
            }
            else if (line.StartsWith("Threads:", StringComparison.Ordinal))
            {
                threads = int.Parse(line.Split('\t', StringSplitOptions.RemoveEmptyEntries)[1].Trim(), CultureInfo.InvariantCulture);
            }
        }

        return (rss, threads, Directory.GetFiles($"/proc/{_process.Id}/fd").Length);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            using var exited = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await _process.WaitForExitAsync(exited.Token);
        }

        _process.Dispose();
        _lineArrived.Dispose();
    }

    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    private void Add(string? line)
    {
        if (line is null)
        {
            return;
        }

        _lines.Enqueue(line);
        _lineArrived.Release();
    }

    [GeneratedRegex(@"RTMP server listening on 127\.0\.0\.1:(\d+)")]
    private static partial Regex ListeningLine();
}
