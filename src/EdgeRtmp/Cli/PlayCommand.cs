using System.Runtime.InteropServices;
using System.Threading.Channels;
using EdgeRtmp.Media;
using EdgeRtmp.Media.Flv;
using EdgeRtmp.Net.Client;
using EdgeRtmp.Net.Connection;
using EdgeRtmp.Protocol.Messages;
using EdgeRtmp.Protocol.Messages.Commands;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeRtmp.Cli;

/// <summary>
/// <c>edgertmp play URL [--out FILE.flv|-] [--duration S]</c>: plays a stream and writes every tag it gets
/// (onMetaData, sequence headers, media) as FLV. Ends after the duration, on Ctrl-C/SIGTERM, or when the
/// publisher ends the stream. Exit 0 done, 2 bad URL, 1 refused or failed (with the server's reason).
/// </summary>
public static class PlayCommand
{
    public static async Task<int> ExecuteAsync(string url, string? output, double? durationSeconds, CliEnvironment environment, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (!RtmpUrl.TryParse(url, out RtmpUrl? target, out string? error))
        {
            await environment.Error.WriteLineAsync($"edgertmp: play: {error}").ConfigureAwait(false);
            return CommandLine.UsageError;
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using PosixSignalRegistration sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => { context.Cancel = true; stop.Cancel(); });
        using PosixSignalRegistration sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => { context.Cancel = true; stop.Cancel(); });
        if (durationSeconds is { } seconds)
        {
            stop.CancelAfter(TimeSpan.FromSeconds(seconds));
        }

        Stream? destination = output switch
        {
            null => null,
            "-" => Console.OpenStandardOutput(),
            _ => null,
        };
        try
        {
            if (output is not null and not "-")
            {
                destination = new FileStream(output, FileMode.Create, FileAccess.Write, FileShare.Read, bufferSize: 1, useAsync: true);
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            await environment.Error.WriteLineAsync($"edgertmp: play: cannot write {output}: {exception.Message}").ConfigureAwait(false);
            return CommandLine.RuntimeFailure;
        }

        var sink = new FlvSink();
        Task<long> writing = sink.WriteAllAsync(destination);
        RtmpClient? client = null;
        try
        {
            client = await RtmpClient.ConnectAsync(RtmpClientOptions.FromUrl(target), NullLogger.Instance, stop.Token).ConfigureAwait(false);
            uint streamId = await client.CreateStreamAsync(stop.Token).ConfigureAwait(false);
            await client.PlayAsync(streamId, target.StreamName, sink, stop.Token).ConfigureAwait(false);
            await environment.Error.WriteLineAsync($"edgertmp: playing {target.ToRedactedString()}").ConfigureAwait(false);
            await Task.WhenAny(sink.Ended, client.Completion, Task.Delay(Timeout.Infinite, stop.Token)).ConfigureAwait(false);
            string why = stop.IsCancellationRequested ? (cancellationToken.IsCancellationRequested || durationSeconds is null ? "stopped" : "duration reached")
                : sink.Ended.IsCompleted ? "the publisher ended the stream" : $"the connection closed: {client.Connection.CloseReason}";
            sink.Complete();
            long tags = await writing.ConfigureAwait(false);
            await environment.Error.WriteLineAsync($"edgertmp: {why}; {tags} tags written").ConfigureAwait(false);
            return CommandLine.Success;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            sink.Complete();
            await writing.ConfigureAwait(false);
            await environment.Error.WriteLineAsync("edgertmp: stopped before the stream started").ConfigureAwait(false);
            return CommandLine.Success;
        }
        catch (Exception exception) when (exception is RtmpClientException or System.Net.Sockets.SocketException or IOException
            or System.Security.Authentication.AuthenticationException or EdgeRtmp.Protocol.RtmpProtocolException)
        {
            sink.Complete();
            await writing.ConfigureAwait(false);
            await environment.Error.WriteLineAsync($"edgertmp: play {target.ToRedactedString()} failed: {exception.Message}").ConfigureAwait(false);
            return CommandLine.RuntimeFailure;
        }
        finally
        {
            if (client is not null)
            {
                await client.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Copies each message off the receive loop into a pooled frame and hands it to a writer task, so the
    /// network never waits for the disk. The queue is unbounded on purpose: a recording keeps every tag.
    /// </summary>
    private sealed class FlvSink : IRtmpPlaySink
    {
        private readonly Channel<MediaFrame> _frames = Channel.CreateUnbounded<MediaFrame>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Completes when the server says the stream ended (Play.Stop, UnpublishNotify, StreamEOF).</summary>
        public Task Ended => _ended.Task;

        public void Complete() => _frames.Writer.TryComplete();

        public void OnMedia(in MessageHeader header, ReadOnlySpan<byte> payload)
        {
            if (payload.IsEmpty)
            {
                return;
            }

            if (header.Type == RtmpMessageType.DataAmf0)
            {
                // Servers may relay the encoder's "@setDataFrame onMetaData {…}"; a file keeps "onMetaData {…}".
                CommandHeader name = CommandHeader.ReadDataName(payload);
                if (name.Kind == CommandKind.SetDataFrame)
                {
                    payload = payload[name.Length..];
                }
                else if (name.Kind is CommandKind.OnStatus or CommandKind.SampleAccess)
                {
                    return;
                }
            }

            if (!MediaMessageTypes.TryGetKind(header.Type, out MediaKind kind))
            {
                return;
            }

            MediaFrame frame = MediaFramePool.Shared.Rent(kind, header.Timestamp, MediaFrameFlags.None, payload);
            if (!_frames.Writer.TryWrite(frame))
            {
                frame.Release();
            }
        }

        public void OnStatus(StatusInfo status)
        {
            if (status.Code is StatusCode.PlayStop or StatusCode.PlayUnpublishNotify)
            {
                _ended.TrySetResult();
            }
        }

        public void OnUserControl(UserControlEvent control)
        {
            if (control.Type == UserControlEventType.StreamEof)
            {
                _ended.TrySetResult();
            }
        }

        public async Task<long> WriteAllAsync(Stream? destination)
        {
            long tags = 0;
            FlvFileWriter? writer = destination is null ? null : new FlvFileWriter(destination);
            try
            {
                if (writer is not null)
                {
                    await writer.WriteHeaderAsync(hasAudio: true, hasVideo: true).ConfigureAwait(false);
                }

                await foreach (MediaFrame frame in _frames.Reader.ReadAllAsync().ConfigureAwait(false))
                {
                    try
                    {
                        if (writer is not null)
                        {
                            await writer.WriteTagAsync(FlvFrames.TagTypeOf(frame.Kind), frame.Timestamp, frame.Payload).ConfigureAwait(false);
                        }

                        tags++;
                    }
                    finally
                    {
                        frame.Release();
                    }
                }
            }
            finally
            {
                if (writer is not null)
                {
                    await writer.DisposeAsync().ConfigureAwait(false);
                }
            }

            return tags;
        }
    }
}
