using EdgeRtmp.Configuration;
using EdgeRtmp.Net.Client;
using EdgeRtmp.Net.Streams;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeRtmp.Hosting;

/// <summary>
/// Pushes the box's stream (<c>App/Stream</c> in the shared <see cref="StreamRegistry"/>) to every enabled
/// <c>Push</c> URL, one <see cref="RtmpPublisher"/> each; logs their state changes with the URL redacted.
/// </summary>
public sealed partial class PushService : IHostedService, IAsyncDisposable
{
    private readonly StreamRegistry _streams;
    private readonly string _path;
    private readonly IReadOnlyList<PushTarget> _targets;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly List<RtmpPublisher> _publishers = [];
    private StreamHub? _hub;

    public PushService(StreamRegistry streams, string app, string stream, IReadOnlyList<PushTarget> targets, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _streams = streams;
        _path = app + "/" + stream;
        _targets = targets;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger("EdgeRtmp.Push");
    }

    public IReadOnlyList<RtmpPublisher> Publishers => _publishers;

    /// <summary>Raised for every publisher's state change (the panel and status line listen here).</summary>
    public event Action<RtmpPublisher, PublisherState>? StateChanged;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _hub = _streams.Acquire(_path);
        foreach (PushTarget target in _targets)
        {
            if (!target.Enabled)
            {
                continue;
            }

            // Validated at configuration load; a URL that still fails here is logged, not fatal.
            if (!RtmpUrl.TryParse(target.Url, out RtmpUrl? url, out string? error))
            {
                LogBadUrl(_logger, error);
                continue;
            }

            var publisher = new RtmpPublisher(_hub, new RtmpPublisherOptions { Url = url }, _loggerFactory.CreateLogger("EdgeRtmp.Push"));
            publisher.StateChanged += OnStateChanged;
            _publishers.Add(publisher);
            publisher.Start();
        }

        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await Task.WhenAll(_publishers.Select(p => p.StopAsync())).ConfigureAwait(false);
        if (_hub is not null)
        {
            _streams.Release(_hub);
            _hub = null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        foreach (RtmpPublisher publisher in _publishers)
        {
            await publisher.DisposeAsync().ConfigureAwait(false);
        }

        _publishers.Clear();
    }

    private void OnStateChanged(RtmpPublisher publisher, PublisherState state)
    {
        LogState(_logger, publisher.Url.ToRedactedString(), state.ToString());
        StateChanged?.Invoke(publisher, state);
    }

    [LoggerMessage(EventId = 1050, Level = LogLevel.Information, Message = "Push {Url}: {State}")]
    private static partial void LogState(ILogger logger, string url, string state);

    [LoggerMessage(EventId = 1051, Level = LogLevel.Warning, Message = "Push URL skipped: {Error}")]
    private static partial void LogBadUrl(ILogger logger, string error);
}
