using System.Runtime.InteropServices;
using EdgeRtmp.Configuration;
using EdgeRtmp.Media;
using EdgeRtmp.Net.Client;
using EdgeRtmp.Net.Streams;
using EdgeRtmp.Pipeline;
using Microsoft.Extensions.Logging;

namespace EdgeRtmp.Cli;

/// <summary>
/// <c>edgertmp publish --to URL [--video SRC] [--duration S]</c>: <c>file:PATH.flv</c> looped and paced in real
/// time from its first frame once the upstream is live, or a live source (test card, exec encoder) through the
/// same pipeline as <c>run</c>; either into a private hub that an <see cref="RtmpPublisher"/> publishes
/// (reconnecting as <c>run</c> would).
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

        if (spec.Kind != VideoSourceKind.File)
        {
            // Live sources (test card, exec, auto) run in the same pipeline as `run`.
            return await PublishLiveSourceAsync(target, video ?? "auto", durationSeconds, environment, cancellationToken).ConfigureAwait(false);
        }

        if (audio is not null and not "none")
        {
            await environment.Error.WriteLineAsync($"edgertmp: publish --audio \"{audio}\": ignored; the file's own audio is published").ConfigureAwait(false);
        }

        string path = spec.Argument ?? "";
        if (!File.Exists(path))
        {
            await environment.Error.WriteLineAsync($"edgertmp: publish --video: {path} does not exist").ConfigureAwait(false);
            return CommandLine.RuntimeFailure;
        }

        await using var session = new PublishSession(target, environment, cancellationToken);
        session.Publisher.Start();
        long frames;
        bool live = false;
        try
        {
            // The file starts once the upstream is live, so it gets the file from its first frame;
            // --duration counts media time from there.
            TimeSpan? duration = durationSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : null;
            frames = await FlvHubFeeder.RunAsync(path, session.Hub, loop: true, duration, session.Stop.Token, async token =>
            {
                live = await session.Publisher.WaitForStateAsync(state => state.Kind is PublisherStateKind.Live or PublisherStateKind.Refused, Timeout.InfiniteTimeSpan, token).ConfigureAwait(false)
                    && session.Publisher.State.Kind == PublisherStateKind.Live;
                token.ThrowIfCancellationRequested();
            }).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or MediaFormatException or InvalidOperationException)
        {
            await session.Publisher.StopAsync().ConfigureAwait(false);
            await environment.Error.WriteLineAsync($"edgertmp: publish: cannot read {path}: {exception.Message}").ConfigureAwait(false);
            return CommandLine.RuntimeFailure;
        }

        return await session.FinishAsync($"{frames} frames", live).ConfigureAwait(false);
    }

    /// <summary>
    /// A live source (test card, exec encoder) through the same <see cref="VideoPipeline"/> as <c>run</c>, into a
    /// private hub that the publisher pushes upstream; <c>--duration</c> counts from when the upstream is live.
    /// </summary>
    private static async Task<int> PublishLiveSourceAsync(RtmpUrl target, string video, double? durationSeconds, CliEnvironment environment, CancellationToken cancellationToken)
    {
        AppSettings settings;
        try
        {
            settings = ConfigurationLoader.Load(new ConfigurationRequest
            {
                DefaultConfigFile = environment.DefaultConfigFile,
                Environment = environment.Variables,
                Overrides = new Dictionary<string, string?> { ["Video:Source"] = video },
            });
        }
        catch (ConfigurationException exception)
        {
            await environment.Error.WriteLineAsync($"edgertmp: {exception.Message}").ConfigureAwait(false);
            return CommandLine.UsageError;
        }

        await using var session = new PublishSession(target, environment, cancellationToken);
        var clock = new PipelineClock();
        VideoSourceChoice choice;
        try
        {
            choice = VideoSourceFactory.Create(settings, clock, session.LoggerFactory);
        }
        catch (VideoSourceException exception)
        {
            await environment.Error.WriteLineAsync($"edgertmp: publish: {exception.Message}").ConfigureAwait(false);
            return CommandLine.RuntimeFailure;
        }

        if (choice.Source is not { } source)
        {
            await environment.Error.WriteLineAsync("edgertmp: publish --video none: there is nothing to publish").ConfigureAwait(false);
            return CommandLine.UsageError;
        }

        var pipeline = new VideoPipeline(source, session.Hub, clock, session.LoggerFactory.CreateLogger("EdgeRtmp.Pipeline"));
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

        Task<bool> running = pipeline.RunAsync(session.Stop.Token);
        session.Publisher.Start();
        try
        {
            await running.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (session.Stop.IsCancellationRequested)
        {
        }

        return await session.FinishAsync($"{source.Description} ({pipeline.FrameCount} frames)", session.Publisher.LiveSessions > 0).ConfigureAwait(false);
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
