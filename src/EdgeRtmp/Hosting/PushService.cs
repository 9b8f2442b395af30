using EdgeRtmp.Configuration;
using EdgeRtmp.Net.Client;
using EdgeRtmp.Net.Streams;
using EdgeRtmp.Pipeline;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeRtmp.Hosting;

/// <summary>
/// Pushes the box's stream (<c>App/Stream</c> in the shared <see cref="StreamRegistry"/>) to every enabled
/// <c>Push</c> URL, one <see cref="RtmpPublisher"/> each; logs their state changes with the URL redacted. With the
/// box's own sources (a <see cref="MediaPipeline"/>) the publishers publish only while the pipeline produces
/// (<see cref="SourceCondition.Producing"/>): a camera missing at start or failed later is not pushed as a live
/// broadcast of nothing, and the push goes live by itself once the source makes frames again.
/// </summary>
public sealed partial class PushService : IHostedService, IAsyncDisposable
{
    private readonly StreamRegistry _streams;
    private readonly string _path;
    private readonly IReadOnlyList<PushTarget> _targets;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly List<RtmpPublisher> _publishers = [];
    private readonly SemaphoreSlim _switch = new(1, 1);
    private readonly Func<MediaPipeline?>? _pipeline;
    private readonly Action<SourceCondition> _sourceChanged;

    /// <summary>Guards <see cref="_publishers"/> against the pipeline's thread, and orders readiness changes.</summary>
    private readonly Lock _sourceGate = new();
    private MediaPipeline? _source;
    private bool _sourceReady = true;
    private StreamHub? _hub;

    /// <param name="pipeline">The box's own sources, read at start; null or returning null when an external publisher feeds the stream.</param>
    public PushService(StreamRegistry streams, string app, string stream, IReadOnlyList<PushTarget> targets, ILoggerFactory loggerFactory, Func<MediaPipeline?>? pipeline = null)
    {
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _streams = streams;
        _path = app + "/" + stream;
        _targets = targets;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger("EdgeRtmp.Push");
        _pipeline = pipeline;
        _sourceChanged = _ => ShowSourceReady();
    }

    public IReadOnlyList<RtmpPublisher> Publishers => _publishers;

    /// <summary>Raised for every publisher's state change (the panel and status line listen here).</summary>
    public event Action<RtmpPublisher, PublisherState>? StateChanged;

    /// <summary>The same, by the index of the target among the enabled ones (the panel's upstream number).</summary>
    public event Action<int, PublisherState>? TargetStateChanged;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _hub = _streams.Acquire(_path);
        if (_pipeline?.Invoke() is { } pipeline)
        {
            // Subscribed before the first read, so no change falls between the two.
            _source = pipeline;
            pipeline.ConditionChanged += _sourceChanged;
            ShowSourceReady();
        }

        if (Live)
        {
            StartPublishers();
        }

        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_source is { } pipeline)
        {
            pipeline.ConditionChanged -= _sourceChanged;
            _source = null;
        }

        await StopPublishersAsync().ConfigureAwait(false);
        if (_hub is not null)
        {
            _streams.Release(_hub);
            _hub = null;
        }
    }

    /// <summary>
    /// Whether the stream is pushed upstream. True at start unless the panel's live button decides (then false until
    /// its first press); the button sets it through <see cref="SetLiveAsync"/>.
    /// </summary>
    public bool Live { get; private set; } = true;

    /// <summary>The enabled targets with a valid URL: one upstream each for the panel.</summary>
    public int TargetCount => _targets.Count(target => target.Enabled && RtmpUrl.TryParse(target.Url, out _, out _));

    /// <summary>Starts idle: for a box whose live button starts the push.</summary>
    public void StartIdle() => Live = false;

    /// <summary>Starts (new publishers, a fresh connection each) or stops pushing to every enabled target.</summary>
    public async Task SetLiveAsync(bool live)
    {
        await _switch.WaitAsync().ConfigureAwait(false);
        try
        {
            if (live == Live || _hub is null)
            {
                Live = live;
                return;
            }

            Live = live;
            if (live)
            {
                StartPublishers();
            }
            else
            {
                await StopPublishersAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            _switch.Release();
        }
    }

    /// <summary>Drops every upstream connection and connects again (the live button's long press).</summary>
    public async Task ReconnectAsync()
    {
        await _switch.WaitAsync().ConfigureAwait(false);
        try
        {
            if (Live && _hub is not null)
            {
                await StopPublishersAsync().ConfigureAwait(false);
                StartPublishers();
            }
        }
        finally
        {
            _switch.Release();
        }
    }

    private void StartPublishers()
    {
        int index = 0;
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

            var publisher = new RtmpPublisher(_hub!, new RtmpPublisherOptions { Url = url }, _loggerFactory.CreateLogger("EdgeRtmp.Push"));
            int targetIndex = index++;
            publisher.StateChanged += (p, state) => OnStateChanged(targetIndex, p, state);
            lock (_sourceGate)
            {
                publisher.SetSourceReady(_sourceReady);
                _publishers.Add(publisher);
            }

            publisher.Start();
        }
    }

    private async Task StopPublishersAsync()
    {
        RtmpPublisher[] publishers;
        lock (_sourceGate)
        {
            publishers = [.. _publishers];
            _publishers.Clear();
        }

        await Task.WhenAll(publishers.Select(p => p.StopAsync())).ConfigureAwait(false);
        foreach (RtmpPublisher publisher in publishers)
        {
            await publisher.DisposeAsync().ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        _switch.Dispose();
    }

    /// <summary>
    /// Reads the pipeline's condition under the lock rather than trusting the event's argument: two changes racing on two
    /// threads cannot leave the older one applied.
    /// </summary>
    private void ShowSourceReady()
    {
        lock (_sourceGate)
        {
            if (_source is not { } pipeline)
            {
                return;
            }

            bool ready = pipeline.Condition == SourceCondition.Producing;
            if (ready == _sourceReady)
            {
                return;
            }

            _sourceReady = ready;
            foreach (RtmpPublisher publisher in _publishers)
            {
                publisher.SetSourceReady(ready);
            }
        }
    }

    private void OnStateChanged(int targetIndex, RtmpPublisher publisher, PublisherState state)
    {
        LogState(_logger, publisher.Url.ToRedactedString(), state.ToString());
        StateChanged?.Invoke(publisher, state);
        TargetStateChanged?.Invoke(targetIndex, state);
    }

    [LoggerMessage(EventId = 1050, Level = LogLevel.Information, Message = "Push {Url}: {State}")]
    private static partial void LogState(ILogger logger, string url, string state);

    [LoggerMessage(EventId = 1051, Level = LogLevel.Warning, Message = "Push URL skipped: {Error}")]
    private static partial void LogBadUrl(ILogger logger, string error);
}
