using System.Runtime.InteropServices;
using EdgeRtmp.Configuration;
using EdgeRtmp.Media;
using EdgeRtmp.Net.Client;
using EdgeRtmp.Net.Streams;
using EdgeRtmp.Pipeline;
using EdgeRtmp.Pipeline.Audio;
using Microsoft.Extensions.Logging;

namespace EdgeRtmp.Cli;

/// <summary>
/// <c>edgertmp publish --to URL [--video SRC] [--duration S]</c>: the source (<c>file:PATH.flv</c> looped and paced
/// in real time, the test card, an exec encoder) runs in the same <see cref="MediaPipeline"/> as <c>run</c> (stall
/// watch and restart included), into a private hub that an <see cref="RtmpPublisher"/> publishes (reconnecting as
/// <c>run</c> would). A file starts once the upstream is live, so the upstream gets it from its first frame;
/// <c>--duration</c> counts from then.
/// Exit 0 done, 2 bad usage (URL, source), 1 runtime (the file, or the server refusing us).
/// </summary>
public static class PublishCommand
{
    public static async Task<int> ExecuteAsync(string to, string? video, string? audio, double? durationSeconds, CliEnvironment environment, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (!RtmpUrl.TryParse(to, out RtmpUrl? target, out string? error))
        {
            await environment.Error.WriteLineAsync($"edgertmp: publish --to: {error}").ConfigureAwait(false);
            return CommandLine.UsageError;
        }

        if (!VideoSourceSpec.TryParse(video ?? "auto", out VideoSourceSpec spec, out error))
        {
            await environment.Error.WriteLineAsync($"edgertmp: publish --video \"{video}\": {error}").ConfigureAwait(false);
            return CommandLine.UsageError;
        }

        bool isFile = spec.Kind == VideoSourceKind.File;
        if (isFile)
        {
            if (audio is not null and not "none")
            {
                await environment.Error.WriteLineAsync($"edgertmp: publish --audio \"{audio}\": ignored; the file's own audio is published").ConfigureAwait(false);
            }

            if (!File.Exists(spec.Argument))
            {
                await environment.Error.WriteLineAsync($"edgertmp: publish --video: {spec.Argument} does not exist").ConfigureAwait(false);
                return CommandLine.RuntimeFailure;
            }
        }

        AppSettings settings;
        try
        {
            settings = ConfigurationLoader.Load(new ConfigurationRequest
            {
                DefaultConfigFile = environment.DefaultConfigFile,
                Environment = environment.Variables,
                Overrides = isFile || audio is null
                    ? new Dictionary<string, string?> { ["Video:Source"] = video ?? "auto" }
                    : new Dictionary<string, string?> { ["Video:Source"] = video ?? "auto", ["Audio:Source"] = audio },
            });
        }
        catch (ConfigurationException exception)
        {
            await environment.Error.WriteLineAsync($"edgertmp: {exception.Message}").ConfigureAwait(false);
            return CommandLine.UsageError;
        }

        await using var session = new PublishSession(target, environment, cancellationToken);
        var clock = new PipelineClock();
        List<IMediaSource> sources = [];
        if (isFile)
        {
            sources.Add(new FileMediaSource(spec.Argument!, clock) { Burst = FileMediaSource.PublishBurst });
        }
        else
        {
            VideoSourceChoice choice;
            try
            {
                choice = VideoSourceFactory.Create(settings, clock, session.LoggerFactory);
            }
            catch (MediaSourceException exception)
            {
                await environment.Error.WriteLineAsync($"edgertmp: publish: {exception.Message}").ConfigureAwait(false);
                return CommandLine.RuntimeFailure;
            }

            AudioSourceChoice audioChoice;
            try
            {
                audioChoice = AudioSourceFactory.Create(settings, clock, session.LoggerFactory, videoIsTestCard: choice.Source is TestCardVideoSource);
            }
            catch (MediaSourceException exception)
            {
                await environment.Error.WriteLineAsync($"edgertmp: publish: {exception.Message}").ConfigureAwait(false);
                return CommandLine.RuntimeFailure;
            }

            if (choice.Source is not null)
            {
                sources.Add(choice.Source);
            }

            if (audioChoice.Source is not null)
            {
                sources.Add(audioChoice.Source);
            }

            if (sources.Count == 0)
            {
                await environment.Error.WriteLineAsync("edgertmp: publish --video none --audio none: there is nothing to publish").ConfigureAwait(false);
                return CommandLine.UsageError;
            }
        }

        var pipeline = new MediaPipeline(sources, session.Hub, clock, session.LoggerFactory.CreateLogger("EdgeRtmp.Pipeline"));
        string? unreadable = null;
        pipeline.Failed += failure =>
        {
            // A file that fails before its first frame will fail again: say why and stop. Later failures (a stall)
            // restart it, as in `run`.
            if (isFile && pipeline.FrameCount == 0)
            {
                unreadable = failure.Reason;
                session.Stop.Cancel();
            }
        };
        if (durationSeconds is { } seconds)
        {
            session.Publisher.StateChanged += (_, state) =>
            {
                if (state.Kind == PublisherStateKind.Live)
                {
                    session.Stop.CancelAfter(TimeSpan.FromSeconds(seconds));
                }
            };
        }

        session.Publisher.Start();
        try
        {
            if (isFile)
            {
                // The file from its first frame: the upstream is live before the pipeline claims the hub.
                await session.Publisher.WaitForStateAsync(state => state.Kind is PublisherStateKind.Live or PublisherStateKind.Refused, Timeout.InfiniteTimeSpan, session.Stop.Token).ConfigureAwait(false);
            }

            if (!session.Stop.IsCancellationRequested)
            {
                await pipeline.RunAsync(session.Stop.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (session.Stop.IsCancellationRequested)
        {
        }

        if (unreadable is not null)
        {
            await session.Publisher.StopAsync().ConfigureAwait(false);
            await environment.Error.WriteLineAsync($"edgertmp: publish: {unreadable}").ConfigureAwait(false);
            return CommandLine.RuntimeFailure;
        }

        return await session.FinishAsync($"{pipeline.Description} ({pipeline.FrameCount} frames)", session.Publisher.LiveSessions > 0).ConfigureAwait(false);
    }

    /// <summary>
    /// What every publish shares: Ctrl-C and SIGTERM, console logging, the private hub and the publisher that pushes
    /// it upstream, a refusal that ends the run, and the closing report.
    /// </summary>
    private sealed class PublishSession : IAsyncDisposable
    {
        private readonly RtmpUrl _target;
        private readonly CliEnvironment _environment;
        private readonly PosixSignalRegistration _sigint;
        private readonly PosixSignalRegistration _sigterm;
        private PublisherState? _refused;

        public PublishSession(RtmpUrl target, CliEnvironment environment, CancellationToken cancellationToken)
        {
            _target = target;
            _environment = environment;
            Stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            _sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => { context.Cancel = true; Stop.Cancel(); });
            _sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => { context.Cancel = true; Stop.Cancel(); });
            LoggerFactory = Microsoft.Extensions.Logging.LoggerFactory.Create(builder => builder
                .SetMinimumLevel(LogLevel.Information)
                .AddSimpleConsole(options => options.SingleLine = true)
                .AddFilter("EdgeRtmp", LogLevel.Information));
            Hub = new StreamHub("publish");
            Publisher = new RtmpPublisher(Hub, new RtmpPublisherOptions
            {
                Url = target,
                TrustedCaFile = environment.Variables.GetValueOrDefault("EDGERTMP_CA_FILE"),
            }, LoggerFactory.CreateLogger("EdgeRtmp.Publish"));
            Publisher.StateChanged += (_, state) =>
            {
                if (state.Kind == PublisherStateKind.Refused)
                {
                    _refused = state;
                    Stop.Cancel();
                }
            };
        }

        public CancellationTokenSource Stop { get; }

        public ILoggerFactory LoggerFactory { get; }

        public StreamHub Hub { get; }

        public RtmpPublisher Publisher { get; }

        /// <summary>Stops the publisher (FCUnpublish, deleteStream) and reports: 0 when it went live, 1 otherwise.</summary>
        public async Task<int> FinishAsync(string what, bool succeeded)
        {
            await Publisher.StopAsync().ConfigureAwait(false);
            if (_refused is { } refusal)
            {
                await _environment.Error.WriteLineAsync($"edgertmp: {_target.ToRedactedString()} refuses us: {refusal.Reason}").ConfigureAwait(false);
                return CommandLine.RuntimeFailure;
            }

            await _environment.Error.WriteLineAsync($"edgertmp: published {what} to {_target.ToRedactedString()} ({Publisher.FramesDropped} video frames dropped, {Publisher.LiveSessions} connection(s))").ConfigureAwait(false);
            return succeeded ? CommandLine.Success : CommandLine.RuntimeFailure;
        }

        public async ValueTask DisposeAsync()
        {
            await Publisher.DisposeAsync().ConfigureAwait(false);
            LoggerFactory.Dispose();
            _sigterm.Dispose();
            _sigint.Dispose();
            Stop.Dispose();
        }
    }
}
