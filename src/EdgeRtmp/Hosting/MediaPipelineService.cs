using EdgeRtmp.Configuration;
using EdgeRtmp.Net.Streams;
using EdgeRtmp.Pipeline;
using EdgeRtmp.Pipeline.Audio;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeRtmp.Hosting;

/// <summary>
/// Runs the configured sources in one <see cref="MediaPipeline"/> into the shared <see cref="StreamRegistry"/> at
/// <c>App/Stream</c>. Starts after the server listens. Where the line between "stop" and "stay up" runs: a source the
/// configuration makes impossible (a WAV file that is not one, a size the test card cannot make) fails the start with
/// a clear reason, and <c>run</c> exits 1 (unparseable values already exit 2 at load); a source the machine cannot
/// give yet (a camera not plugged in, a sound card missing) is the pipeline's to retry: the server keeps serving,
/// the error LED and STATUS= say the source failed, and it streams once the device is there. Audio
/// (<see cref="AudioSourceFactory"/>) runs beside the video on the same clock.
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
            choice = VideoSourceFactory.Create(_settings, _clock, _loggerFactory, waitForDevice: true);
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
        _startup.SourceSummary = () => pipeline.FailureReason is { } failure ? "source failed, retrying: " + failure : pipeline.Description;
        _health.AddProbe(() => pipeline.UnhealthyReason);

        // Before the pipeline runs, so its first failure is seen: a source that fails at start lets READY=1 through
        // (the server serves; systemd would otherwise time the start out and restart us, which brings no camera back).
        pipeline.ConditionChanged += condition =>
        {
            if (condition == SourceCondition.Failed)
            {
                _startup.SourceFailed();
            }

            _startup.RefreshStatus();
        };
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
