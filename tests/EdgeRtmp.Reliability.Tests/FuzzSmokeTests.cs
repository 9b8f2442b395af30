using System.Diagnostics;

namespace EdgeRtmp.Reliability.Tests;

/// <summary>
/// The bounded CI run of every fuzz harness (scripts/fuzz.sh is the coverage-guided one): the committed corpus, then
/// seeded mutations for a few seconds, in a child process with a hard timeout so a hang fails instead of stalling.
/// </summary>
[Collection(nameof(ServerProcessCollection))]
public class FuzzSmokeTests
{
    private const double Seconds = 3;
    private static readonly string[] Expected =
        ["handshake-server", "handshake-client", "chunks", "amf0", "amf3", "commands", "flv", "annexb", "avcc", "adts", "aac-config"];

    [Theory]
    [InlineData("handshake-server")]
    [InlineData("handshake-client")]
    [InlineData("chunks")]
    [InlineData("amf0")]
    [InlineData("amf3")]
    [InlineData("commands")]
    [InlineData("flv")]
    [InlineData("annexb")]
    [InlineData("avcc")]
    [InlineData("adts")]
    [InlineData("aac-config")]
    public async Task Harness_survives_its_corpus_and_seeded_mutations(string target)
    {
        string corpus = Path.Combine(AppContext.BaseDirectory, "corpus", target);
        Assert.True(Directory.EnumerateFiles(corpus).Any(), $"no seeds in {corpus}");
        string findings = Path.Combine(Path.GetTempPath(), "edgertmp-fuzz-findings");
        (int exitCode, string output) = await RunFuzzAsync(TimeSpan.FromSeconds(120), "smoke", target, Seconds.ToString(System.Globalization.CultureInfo.InvariantCulture), corpus, "2000000", "1", findings);
        Assert.True(exitCode == 0, output);
        Assert.Contains("no finding", output);
    }

    [Fact]
    public async Task Every_harness_has_a_smoke_run()
    {
        (int exitCode, string output) = await RunFuzzAsync(TimeSpan.FromSeconds(60), "list");
        Assert.Equal(0, exitCode);
        string[] targets = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')[0]).ToArray();
        Assert.Equal(Expected, targets);
    }

    private static async Task<(int ExitCode, string Output)> RunFuzzAsync(TimeSpan timeout, params string[] arguments)
    {
        string host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } h && File.Exists(h) ? h : "dotnet";
        var start = new ProcessStartInfo(host, ["exec", Path.Combine(AppContext.BaseDirectory, "edgertmp-fuzz.dll"), .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using Process process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            return (-1, $"edgertmp-fuzz {string.Join(' ', arguments)} did not finish within {timeout.TotalSeconds:0} s (a hang)\n{await stdout}{await stderr}");
        }

        return (process.ExitCode, await stdout + await stderr);
    }
}
