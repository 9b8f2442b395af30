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

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using PosixSignalRegistration sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => { context.Cancel = true; stop.Cancel(); });
        using PosixSignalRegistration sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => { context.Cancel = true; stop.Cancel(); });
        using ILoggerFactory loggerFactory = LoggerFactory.Create(builder => builder
            .SetMinimumLevel(LogLevel.Information)
            .AddSimpleConsole(options => options.SingleLine = true)
            .AddFilter("EdgeRtmp", LogLevel.Information));

        var hub = new StreamHub("publish");
        await using var publisher = new RtmpPublisher(hub, new RtmpPublisherOptions
        {
            Url = target,
            TrustedCaFile = environment.Variables.GetValueOrDefault("EDGERTMP_CA_FILE"),
        }, loggerFactory.CreateLogger("EdgeRtmp.Publish"));
        PublisherState? refused = null;
        publisher.StateChanged += (_, state) =>
        {
            if (state.Kind == PublisherStateKind.Refused)
            {
                refused = state;
                stop.Cancel();
            }
        };
        publisher.Start();

        long frames = 0;
        bool live = false;
        try
        {
            // The file starts once the upstream is live, so it gets the file from its first frame;
            // --duration counts media time from there.
            TimeSpan? duration = durationSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : null;
            Task<long> feeding = FlvHubFeeder.RunAsync(path, hub, loop: true, duration, stop.Token, async token =>
            {
                live = await publisher.WaitForStateAsync(state => state.Kind is PublisherStateKind.Live or PublisherStateKind.Refused, Timeout.InfiniteTimeSpan, token).ConfigureAwait(false)
                    && publisher.State.Kind == PublisherStateKind.Live;
                token.ThrowIfCancellationRequested();
            });
            frames = await feeding.ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or MediaFormatException or InvalidOperationException)
        {
            await environment.Error.WriteLineAsync($"edgertmp: publish: cannot read {path}: {exception.Message}").ConfigureAwait(false);
            return CommandLine.RuntimeFailure;
        }
        finally
        {
            await publisher.StopAsync().ConfigureAwait(false);
        }

        if (refused is { } refusal)
        {
            await environment.Error.WriteLineAsync($"edgertmp: {target.ToRedactedString()} refuses us: {refusal.Reason}").ConfigureAwait(false);
            return CommandLine.RuntimeFailure;
        }

        await environment.Error.WriteLineAsync($"edgertmp: published {frames} frames to {target.ToRedactedString()} ({publisher.FramesDropped} video frames dropped, {publisher.LiveSessions} connection(s))").ConfigureAwait(false);
        return live ? CommandLine.Success : CommandLine.RuntimeFailure;
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

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using PosixSignalRegistration sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => { context.Cancel = true; stop.Cancel(); });
        using PosixSignalRegistration sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => { context.Cancel = true; stop.Cancel(); });
        using ILoggerFactory loggerFactory = LoggerFactory.Create(builder => builder
            .SetMinimumLevel(LogLevel.Information)
            .AddSimpleConsole(options => options.SingleLine = true)
            .AddFilter("EdgeRtmp", LogLevel.Information));

        var clock = new PipelineClock();
        VideoSourceChoice choice;
        try
        {
            choice = VideoSourceFactory.Create(settings, clock, loggerFactory);
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

        var hub = new StreamHub("publish");
        var pipeline = new VideoPipeline(source, hub, clock, loggerFactory.CreateLogger("EdgeRtmp.Pipeline"));
        await using var publisher = new RtmpPublisher(hub, new RtmpPublisherOptions
        {
            Url = target,
            TrustedCaFile = environment.Variables.GetValueOrDefault("EDGERTMP_CA_FILE"),
        }, loggerFactory.CreateLogger("EdgeRtmp.Publish"));
        PublisherState? refused = null;
        publisher.StateChanged += (_, state) =>
        {
            if (state.Kind == PublisherStateKind.Refused)
            {
                refused = state;
                stop.Cancel();
            }
            else if (state.Kind == PublisherStateKind.Live && durationSeconds is { } seconds)
            {
                stop.CancelAfter(TimeSpan.FromSeconds(seconds));
            }
        };

        Task<bool> running = pipeline.RunAsync(stop.Token);
        publisher.Start();
        try
        {
            await running.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        finally
        {
            await publisher.StopAsync().ConfigureAwait(false);
        }

        if (refused is { } refusal)
        {
            await environment.Error.WriteLineAsync($"edgertmp: {target.ToRedactedString()} refuses us: {refusal.Reason}").ConfigureAwait(false);
            return CommandLine.RuntimeFailure;
        }

        await environment.Error.WriteLineAsync($"edgertmp: published {source.Description} ({pipeline.FrameCount} frames) to {target.ToRedactedString()} ({publisher.FramesDropped} video frames dropped, {publisher.LiveSessions} connection(s))").ConfigureAwait(false);
        return publisher.LiveSessions > 0 ? CommandLine.Success : CommandLine.RuntimeFailure;
    }
}
