using System.Buffers;
using EdgeRtmp.Protocol.Amf;
using EdgeRtmp.Protocol.Messages.Commands;

namespace EdgeRtmp.Protocol.Tests.Messages.Commands;

public class CommandAllocationTests
{
    [Fact]
    public void Dispatching_commands_and_writing_status_and_metadata_allocate_nothing_after_warm_up()
    {
        var play = CommandRoundTripTests.Bytes(o => new PlayCommand(0, "cam", -2, -1, true).Write(o));
        var publish = CommandRoundTripTests.Bytes(new PublishCommand(0, "cam?key=secret", PublishType.Live).Write);
        var metadata = new StreamMetadata { Width = 1280, Height = 720, FrameRate = 30, VideoCodecId = 7, AudioCodecId = 10, Stereo = true, Encoder = "EdgeRtmp" };
        var metadataBytes = CommandRoundTripTests.Bytes(o => metadata.Write(o, withSetDataFrame: true));
        var status = new OnStatusCommand(new StatusInfo(StatusLevel.Status, StatusCode.PlayStart, "Started playing.") { Details = "cam" });
        var buffer = new ArrayBufferWriter<byte>(1024);

        var checksum = 0.0;
        for (var i = 0; i < 16; i++)
        {
            checksum += Work(play, publish, metadataBytes, in metadata, in status, buffer);
        }
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            checksum += Work(play, publish, metadataBytes, in metadata, in status, buffer);
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.True(checksum > 0);
    }

    private static double Work(byte[] play, byte[] publish, byte[] metadataBytes, in StreamMetadata metadata, in OnStatusCommand status, ArrayBufferWriter<byte> buffer)
    {
        var total = DispatchAndSkip(play) + DispatchAndSkip(publish);

        var read = StreamMetadata.Read(metadataBytes, keepStrings: false);
        total += read.Width ?? 0;

        buffer.ResetWrittenCount();
        OnStatusCommand.Write(buffer, "status"u8, "NetStream.Play.Start"u8, "Started playing."u8, "cam"u8);
        status.Write(buffer);
        metadata.Write(buffer, withSetDataFrame: true);
        return total + buffer.WrittenCount;
    }

    private static double DispatchAndSkip(byte[] payload)
    {
        var header = CommandHeader.Read(payload);
        var total = header.Kind switch
        {
            CommandKind.Play or CommandKind.Publish => header.TransactionId + 1,
            _ => throw new InvalidOperationException(),
        };
        var reader = new Amf0Reader(payload.AsSpan(header.Length));
        while (!reader.IsAtEnd)
        {
            reader.Skip();
        }
        return total;
    }
}
