using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace EdgeRtmp.Hosting;

/// <summary>
/// sd_notify without libsystemd: one AF_UNIX datagram of newline-separated <c>KEY=value</c> to
/// <c>$NOTIFY_SOCKET</c> (a leading <c>@</c> is the abstract namespace, i.e. a leading NUL). A no-op when
/// <c>NOTIFY_SOCKET</c> is unset, so the same binary runs outside systemd. Send failures are ignored, as
/// sd_notify callers do: a lost notification must never stop the service.
/// </summary>
public sealed class SystemdNotifier : IServiceNotifier, IDisposable
{
    private readonly Socket? _socket;
    private readonly UnixDomainSocketEndPoint? _endPoint;
    private readonly Lock _sendLock = new();

    public SystemdNotifier(IReadOnlyDictionary<string, string?> environment, int processId)
    {
        ArgumentNullException.ThrowIfNull(environment);
        WatchdogInterval = ReadWatchdogInterval(environment, processId);
        var path = environment.GetValueOrDefault("NOTIFY_SOCKET");
        if (string.IsNullOrEmpty(path))
        {
            return;
        }

        if (path[0] == '@')
        {
            path = "\0" + path[1..];
        }

        _endPoint = new UnixDomainSocketEndPoint(path);
        _socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    }

    public bool IsEnabled => _socket is not null;

    public TimeSpan? WatchdogInterval { get; }

    public void Ready() => Send("READY=1");

    public void Status(string status)
    {
        ArgumentNullException.ThrowIfNull(status);

        // STATUS is one line; a newline would start another KEY=value.
        Send("STATUS=" + status.ReplaceLineEndings(" "));
    }

    public void Watchdog() => Send("WATCHDOG=1");

    public void Stopping() => Send("STOPPING=1");

    public void Dispose() => _socket?.Dispose();

    private void Send(string state)
    {
        if (_socket is null)
        {
            return;
        }

        var datagram = Encoding.UTF8.GetBytes(state);
        lock (_sendLock)
        {
            try
            {
                _socket.SendTo(datagram, SocketFlags.None, _endPoint!);
            }
            catch (Exception exception) when (exception is SocketException or ObjectDisposedException)
            {
                // systemd went away or the socket was never there: nothing useful to do.
            }
        }
    }

    /// <summary>Half of <c>WATCHDOG_USEC</c>, when it is set and <c>WATCHDOG_PID</c> is unset or ours.</summary>
    public static TimeSpan? ReadWatchdogInterval(IReadOnlyDictionary<string, string?> environment, int processId)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (!ulong.TryParse(environment.GetValueOrDefault("WATCHDOG_USEC"), NumberStyles.None, CultureInfo.InvariantCulture, out var microseconds) ||
            microseconds == 0)
        {
            return null;
        }

        var pidText = environment.GetValueOrDefault("WATCHDOG_PID");
        if (!string.IsNullOrEmpty(pidText) &&
            (!int.TryParse(pidText, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid != processId))
        {
            return null;
        }

        return TimeSpan.FromMicroseconds(microseconds / 2);
    }
}
