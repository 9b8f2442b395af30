using System.Runtime.InteropServices;
using EdgeRtmp.Configuration;
using EdgeRtmp.Media;
using EdgeRtmp.Net.Client;
using EdgeRtmp.Net.Streams;
using Microsoft.Extensions.Logging;

namespace EdgeRtmp.Cli;

/// <summary>
/// <c>edgertmp publish --to URL --video file:PATH.flv [--duration S]</c>: the file, looped and paced in real
/// time, into a private hub that an <see cref="RtmpPublisher"/> publishes (reconnecting as <c>run</c> would).
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

        if (!VideoSourceSpec.TryParse(video ?? "auto", out VideoSourceSpec spec, out error) || spec.Kind != VideoSourceKind.File || string.IsNullOrEmpty(spec.Argument))
        {
            await environment.Error.WriteLineAsync($"edgertmp: publish --video \"{video}\": only file:PATH.flv is available to publish in this build (camera, testcard and exec sources come with the pipeline)").ConfigureAwait(false);
            return CommandLine.UsageError;
        }

        if (audio is not null and not "none")
        {
            await environment.Error.WriteLineAsync($"edgertmp: publish --audio \"{audio}\": ignored; the file's own audio is published").ConfigureAwait(false);
        }

        string path = spec.Argument;
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
}
