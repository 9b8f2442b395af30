using System.Diagnostics;

namespace EdgeRtmp.Box.Tests.Support;

/// <summary>
/// One booted box for every test of the collection: <c>scripts/box/run.sh</c> with the linux-arm64 Native-AOT
/// binary (<c>./publish-arm64.sh</c>'s output, or <c>EDGERTMP_BOX_BINARY</c>), which the box installs at boot with
/// deploy/install.sh; <c>scripts/box/stop.sh</c> at the end.
/// </summary>
public sealed class BoxFixture : IAsyncLifetime
{
    /// <summary>Building the image the first time (mmdebstrap) takes minutes; booting a busy 2-core host, a few.</summary>
    private static readonly TimeSpan s_startTimeout = TimeSpan.FromMinutes(20);

    public string RepositoryRoot { get; } = FindRepositoryRoot();

    public string RunDirectory { get; } = Path.Combine(Path.GetTempPath(), "edgertmp-box-tests-" + Guid.NewGuid().ToString("N")[..8]);

    public int RtmpPort { get; private set; }

    public string ShareDirectory { get; private set; } = "";

    public BoxControl Control { get; private set; } = null!;

    public string PlayUrl => $"rtmp://127.0.0.1:{RtmpPort}/live/cam";

    public async Task InitializeAsync()
    {
        var binary = Environment.GetEnvironmentVariable("EDGERTMP_BOX_BINARY") is { Length: > 0 } given
            ? given
            : Path.Combine(RepositoryRoot, "src/EdgeRtmp/bin/Release/net10.0/linux-arm64/publish/edgertmp");
        if (!File.Exists(binary))
        {
            throw new InvalidOperationException($"no linux-arm64 edgertmp at {binary}: run ./publish-arm64.sh first (scripts/test.sh does)");
        }

        var (exitCode, output) = await RunScriptAsync("scripts/box/run.sh", ["--binary", binary, "--run-dir", RunDirectory, "--boot-timeout", "900"], s_startTimeout);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"scripts/box/run.sh exited {exitCode}:\n{output}");
        }

        var variables = output.Split('\n')
            .Select(line => line.Split('=', 2))
            .Where(pair => pair.Length == 2 && pair[0].StartsWith("BOX_", StringComparison.Ordinal))
            .ToDictionary(pair => pair[0], pair => pair[1].Trim());
        RtmpPort = int.Parse(variables["BOX_RTMP_PORT"], System.Globalization.CultureInfo.InvariantCulture);
        ShareDirectory = variables["BOX_SHARE"];
        Control = new BoxControl(variables["BOX_CTL"]);
    }

    public async Task DisposeAsync()
    {
        await RunScriptAsync("scripts/box/stop.sh", ["--run-dir", RunDirectory, "--timeout", "90"], TimeSpan.FromMinutes(3));
        try
        {
            Directory.Delete(RunDirectory, recursive: true);
        }
        catch (IOException)
        {
            // qemu may still hold a file for a moment; the folder is under /tmp.
        }
    }

    private async Task<(int ExitCode, string Output)> RunScriptAsync(string script, IEnumerable<string> arguments, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(Path.Combine(RepositoryRoot, script), arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = RepositoryRoot,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{script} did not finish within {timeout}:\n{await error}");
        }

        return (process.ExitCode, await output + await error);
    }

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "EdgeRtmp.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("EdgeRtmp.sln not found above " + AppContext.BaseDirectory);
    }
}

[CollectionDefinition(Name)]
public sealed class BoxCollection : ICollectionFixture<BoxFixture>
{
    public const string Name = "box";
}
