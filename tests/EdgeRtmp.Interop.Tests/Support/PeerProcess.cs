using System.Diagnostics;
using System.Text;

namespace EdgeRtmp.Interop.Tests.Support;

/// <summary>A real peer (ffmpeg, ffprobe, nginx) run for a test: output captured, killed on dispose.</summary>
public sealed class PeerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private PeerProcess(Process process)
    {
        _process = process;
    }

    public string StandardOutput
    {
        get
        {
            lock (_stdout)
            {
                return _stdout.ToString();
            }
        }
    }

    public string StandardError
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public static PeerProcess Start(string fileName, params string[] arguments)
    {
        string path = Tools.Require(fileName);
        var info = new ProcessStartInfo(path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var peer = new PeerProcess(process);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (peer._stdout) peer._stdout.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (peer._stderr) peer._stderr.AppendLine(e.Data); };
        process.Exited += (_, _) => peer._exited.TrySetResult();
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return peer;
    }

    /// <summary>Runs to completion within <paramref name="timeout"/> (then killed) and returns the exit code.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(TimeSpan timeout, string fileName, params string[] arguments)
    {
        await using PeerProcess peer = Start(fileName, arguments);
        bool exited = await peer.WaitForExitAsync(timeout);
        if (!exited)
        {
            throw new TimeoutException($"{fileName} {string.Join(' ', arguments)} did not finish within {timeout.TotalSeconds} s.\n{peer.StandardError}");
        }

        return (peer.ExitCode, peer.StandardOutput, peer.StandardError);
    }

    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        Task finished = await Task.WhenAny(_exited.Task, Task.Delay(timeout));
        if (finished != _exited.Task)
        {
            return false;
        }

        // Let the asynchronous output readers drain.
        await _process.WaitForExitAsync();
        return true;
    }

    /// <summary>Asks the peer to stop as a user would (SIGINT for ffmpeg's clean close), then kills it.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (_process.HasExited)
        {
            return;
        }

        try
        {
            // ffmpeg quits cleanly on 'q' on stdin.
            await _process.StandardInput.WriteAsync('q');
            await _process.StandardInput.FlushAsync();
        }
        catch (IOException)
        {
        }

        if (!await WaitForExitAsync(grace))
        {
            Kill();
        }
    }

    public void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        await WaitForExitAsync(TimeSpan.FromSeconds(5));
        _process.Dispose();
    }
}
