using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Hosting.Systemd;

namespace EdgeRtmp.Tests.TestSupport;

/// <summary>A real AF_UNIX datagram socket standing in for systemd's notification socket.</summary>
public sealed class NotifySocket : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    private readonly TempDirectory? _directory;

    /// <summary>Binds a socket file in a temp directory, or an abstract name when <paramref name="abstractName"/> is set.</summary>
    public NotifySocket(string? abstractName = null)
    {
        if (abstractName is null)
        {
            _directory = new TempDirectory();
            Address = _directory.File("notify.sock");
            _socket.Bind(new UnixDomainSocketEndPoint(Address));
        }
        else
        {
            Address = "@" + abstractName;
            _socket.Bind(new UnixDomainSocketEndPoint("\0" + abstractName));
        }
    }

    /// <summary>The value for NOTIFY_SOCKET.</summary>
    public string Address { get; }

    /// <summary>
    /// A notifier that sends to this socket, for commands run in-process (<c>CliEnvironment.SystemdNotifier</c>): the
    /// package's own notifier turns on only in a process whose parent is systemd, which a test runner never is.
    /// </summary>
    public ISystemdNotifier Notifier => new Sender(Address);

    public async Task<string> ReceiveAsync(TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        var buffer = new byte[4096];
        try
        {
            var length = await _socket.ReceiveAsync(buffer, SocketFlags.None, cancellation.Token);
            return Encoding.UTF8.GetString(buffer, 0, length);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"no datagram on {Address} within {timeout}");
        }
    }

    /// <summary>True when nothing arrives within <paramref name="wait"/>.</summary>
    public bool IsQuietFor(TimeSpan wait) => !_socket.Poll(wait, SelectMode.SelectRead);

    public void Dispose()
    {
        _socket.Dispose();
        _directory?.Dispose();
    }

    private sealed class Sender(string address) : ISystemdNotifier
    {
        public bool IsEnabled => true;

        public void Notify(ServiceState state)
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
            var path = address.StartsWith('@') ? "\0" + address[1..] : address;
            try
            {
                socket.SendTo(Encoding.UTF8.GetBytes(state.ToString()), new UnixDomainSocketEndPoint(path));
            }
            catch (SocketException)
            {
                // The test has finished and closed its socket.
            }
        }
    }
}
