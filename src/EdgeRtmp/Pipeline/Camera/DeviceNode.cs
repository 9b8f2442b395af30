namespace EdgeRtmp.Pipeline.Camera;

/// <summary>Waits for a device node to (re)appear: inotify on its directory (devtmpfs raises it when the driver registers the node).</summary>
internal static class DeviceNode
{
    /// <summary>True as soon as <paramref name="path"/> exists; false after <paramref name="timeout"/>.</summary>
    public static async Task<bool> WaitForAsync(string path, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        string directory = Path.GetDirectoryName(path) ?? "/dev";
        var appeared = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var watcher = new FileSystemWatcher(directory, Path.GetFileName(path)) { NotifyFilter = NotifyFilters.FileName };
        watcher.Created += (_, _) => appeared.TrySetResult();
        watcher.Renamed += (_, _) => appeared.TrySetResult();
        watcher.EnableRaisingEvents = true;

        // Checked after the watch is armed, so a node that appears in between is not missed.
        if (File.Exists(path))
        {
            return true;
        }

        using var delay = new CancellationTokenSource(timeout, time);
        using (delay.Token.UnsafeRegister(static state => ((TaskCompletionSource)state!).TrySetCanceled(), appeared))
        {
            try
            {
                await appeared.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return File.Exists(path);
            }
        }
    }
}
