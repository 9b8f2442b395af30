using System.Diagnostics;

namespace EdgeRtmp.Box.Tests.Support;

/// <summary>A host program (ffprobe, ffmpeg) run against the box, with its output and a time limit.</summary>
public static class Peer
{
    public sealed record Result(int ExitCode, string Output, string Error);

    public static Process Start(string program, IEnumerable<string> arguments) =>
        Process.Start(new ProcessStartInfo(program, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        })!;

    public static async Task<Result> RunAsync(string program, IEnumerable<string> arguments, TimeSpan timeout)
    {
        using var process = Start(program, arguments);
        return await WaitAsync(process, timeout, program);
    }

    public static async Task<Result> WaitAsync(Process process, TimeSpan timeout, string what)
    {
        ArgumentNullException.ThrowIfNull(process);
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
            throw new TimeoutException($"{what} did not finish within {timeout}: {await error}");
        }

        return new Result(process.ExitCode, await output, await error);
    }
}
