using EdgeRtmp.Configuration;
using EdgeRtmp.Net.Streams;
using EdgeRtmp.Pipeline;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeRtmp.Hosting;

/// <summary>
/// Runs the configured video source into the shared <see cref="StreamRegistry"/> at <c>App/Stream</c>. Starts after
/// the server listens; a source this build cannot run (v4l2, alsa audio) fails the start with a clear reason, and
/// <c>run</c> exits 1. Audio has no encoder yet: <c>auto</c> and <c>tone</c> are logged as unavailable, never faked.
/// </summary>
public sealed class VideoPipelineService : BackgroundService
{
    private readonly AppSettings _settings;
    private readonly StreamRegistry _streams;
    private readonly ServiceHealth _health;
    private readonly StartupGate _startup;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly PipelineClock _clock = new();
    private VideoPipeline? _pipeline;
    private StreamHub? _hub;

    public VideoPipelineService(
        AppSettings settings,
        StreamRegistry streams,
        ServiceHealth health,
        StartupGate startup,
        IHostApplicationLifetime lifetime,
        ILoggerFactory loggerFactory)
    {
        _settings = settings;
        _streams = streams;
        _health = health;
        _startup = startup;
        _lifetime = lifetime;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger("EdgeRtmp.Pipeline");
    }

    /// <summary>The running pipeline, if a source is configured and started.</summary>
    public VideoPipeline? Pipeline => _pipeline;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_health.StartFailure is not null)
        {
            return;
        }

        switch (_settings.Audio.Kind)
        {
            case AudioSourceKind.Alsa:
                Fail("alsa capture is not available in this build (use --audio none)");
                return;
            case AudioSourceKind.Auto or AudioSourceKind.Tone:
                PipelineLog.AudioNotAvailable(_logger, _settings.Audio.ToString());
                break;
        }

        VideoSourceChoice choice;
        try
        {
            choice = VideoSourceFactory.Create(_settings, _clock, _loggerFactory);
        }
        catch (VideoSourceException exception)
        {
            Fail(exception.Message);
            return;
        }

        if (choice.Source is not { } source)
        {
            PipelineLog.NoVideoSource(_logger);
            return;
        }

        string path = _settings.App + "/" + _settings.Stream;
        PipelineLog.SourceChosen(_logger, source.Description, choice.Reason, path);
        _startup.SourceDescription = source.Description;
        _hub = _streams.Acquire(path);
        _pipeline = new VideoPipeline(source, _hub, _clock, _logger);
        VideoPipeline pipeline = _pipeline;
        _health.AddProbe(() => pipeline.UnhealthyReason);
        _ = _pipeline.FirstFrame.ContinueWith(
            static (_, state) =>
            {
                var self = (VideoPipelineService)state!;
                PipelineLog.FirstFrame(self._logger, (long)self._clock.Elapsed.TotalMilliseconds);
                self._startup.SourceProducing();
            },
            this,
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnRanToCompletion,
            TaskScheduler.Default);
        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_pipeline is { } pipeline)
        {
            await pipeline.RunAsync(stoppingToken).ConfigureAwait(false);
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        if (_hub is { } hub)
        {
            _hub = null;
            _streams.Release(hub);
        }
    }

    private void Fail(string reason)
    {
        _health.FailStart(reason);
        _lifetime.StopApplication();
    }
}
