using EdgeRtmp.Configuration;
using EdgeRtmp.Net.Streams;
using EdgeRtmp.Pipeline;
using EdgeRtmp.Pipeline.Audio;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeRtmp.Hosting;

/// <summary>
/// Runs the configured sources in one <see cref="MediaPipeline"/> into the shared <see cref="StreamRegistry"/> at
/// <c>App/Stream</c>. Starts after the server listens; a source that cannot run (v4l2 in this build, a WAV that is not
/// one) fails the start with a clear reason, and <c>run</c> exits 1. Audio (<see cref="AudioSourceFactory"/>) runs
/// beside the video on the same clock.
/// </summary>
public sealed class MediaPipelineService : BackgroundService
{
    private readonly AppSettings _settings;
    private readonly StreamRegistry _streams;
    private readonly ServiceHealth _health;
    private readonly StartupGate _startup;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly PipelineClock _clock;
    private MediaPipeline? _pipeline;
    private StreamHub? _hub;

    public MediaPipelineService(
        AppSettings settings,
        StreamRegistry streams,
        ServiceHealth health,
        StartupGate startup,
        IHostApplicationLifetime lifetime,
        ILoggerFactory loggerFactory,
        TimeProvider time)
    {
        _clock = new PipelineClock(time);
        _settings = settings;
        _streams = streams;
        _health = health;
        _startup = startup;
        _lifetime = lifetime;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger("EdgeRtmp.Pipeline");
    }

    /// <summary>The running pipeline, if a source is configured and started.</summary>
    public MediaPipeline? Pipeline => _pipeline;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_health.StartFailure is not null)
        {
            return;
        }

        VideoSourceChoice choice;
        AudioSourceChoice audioChoice;
        try
        {
            choice = VideoSourceFactory.Create(_settings, _clock, _loggerFactory);
            audioChoice = AudioSourceFactory.Create(_settings, _clock, _loggerFactory, videoIsTestCard: choice.Source is TestCardVideoSource);
        }
        catch (MediaSourceException exception)
        {
            Fail(exception.Message);
            return;
        }

        // Audio beside video, both on _clock: lip sync is one clock.
        List<IMediaSource> sources = [];
        if (choice.Source is { } video)
        {
            sources.Add(video);
        }

        if (audioChoice.Source is { } audio)
        {
            sources.Add(audio);
        }

        if (sources.Count == 0)
        {
            PipelineLog.NoVideoSource(_logger);
            return;
        }

        string path = _settings.App + "/" + _settings.Stream;
        _hub = _streams.Acquire(path);
        _pipeline = new MediaPipeline(sources, _hub, _clock, _logger);
        MediaPipeline pipeline = _pipeline;
        PipelineLog.SourceChosen(_logger, pipeline.Description, choice.Reason, path);
        _startup.SourceDescription = pipeline.Description;
        _health.AddProbe(() => pipeline.UnhealthyReason);
        _ = _pipeline.FirstFrame.ContinueWith(
            static (_, state) =>
            {
                var self = (MediaPipelineService)state!;
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
