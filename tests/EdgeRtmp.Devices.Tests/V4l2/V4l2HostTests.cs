using EdgeRtmp.Devices.Native;
using EdgeRtmp.Devices.V4l2;

namespace EdgeRtmp.Devices.Tests.V4l2;

/// <summary>What the V4L2 layer does without a camera: names, copies, and the errors a missing or wrong node gives.</summary>
public sealed class V4l2HostTests
{
    [Theory]
    [InlineData(V4l2PixelFormat.Yuyv, "YUYV")]
    [InlineData(V4l2PixelFormat.Nv12, "NV12")]
    [InlineData(V4l2PixelFormat.Yuv420, "YU12")]
    [InlineData(V4l2PixelFormat.H264, "H264")]
    [InlineData(V4l2PixelFormat.Mjpeg, "MJPG")]
    [InlineData(0x00000001u, "0x00000001")]
    public void Four_character_codes_print_as_their_characters(uint fourCc, string text)
    {
        Assert.Equal(text, V4l2PixelFormat.ToString(fourCc));
        if (!text.StartsWith("0x", StringComparison.Ordinal))
        {
            Assert.True(V4l2PixelFormat.TryParse(text, out uint parsed));
            Assert.Equal(fourCc, parsed);
        }
    }

    [Fact]
    public void A_missing_node_is_a_device_gone_error_naming_it()
    {
        var error = Assert.Throws<DeviceException>(() => V4l2Device.Open("/dev/edgertmp-no-video"));

        Assert.True(error.IsDeviceGone);
        Assert.Equal("/dev/edgertmp-no-video: open failed: ENOENT (No such file or directory) (no such device: unplugged, or the driver is not loaded)", error.Message);
    }

    [Fact]
    public void A_node_that_is_not_V4L2_says_so()
    {
        var error = Assert.Throws<DeviceException>(() => V4l2Device.Open("/dev/null"));

        Assert.Equal(Errno.ENOTTY, error.Errno);
        Assert.EndsWith("(not a V4L2 device)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_inventory_lists_nodes_in_number_order_and_says_why_one_is_unusable()
    {
        string dev = Directory.CreateTempSubdirectory("edgertmp-dev").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dev, "video10"), "");
            File.WriteAllText(Path.Combine(dev, "video2"), "");
            File.WriteAllText(Path.Combine(dev, "video-not-a-node"), "");

            Assert.Equal([Path.Combine(dev, "video2"), Path.Combine(dev, "video10")], V4l2Device.ListNodes(dev));
            V4l2Inventory inventory = V4l2Inventory.Scan(dev);
            Assert.Empty(inventory.Cameras);
            Assert.Empty(inventory.Codecs);
            Assert.Equal(2, inventory.Problems.Count);
            Assert.All(inventory.Problems, problem => Assert.Contains("not a V4L2 device", problem.Reason, StringComparison.Ordinal));
            Assert.Null(V4l2M2mEncoder.Find(V4l2PixelFormat.H264, devDirectory: dev));
        }
        finally
        {
            Directory.Delete(dev, recursive: true);
        }
    }

    [Theory]
    [InlineData(V4l2PixelFormat.Yuyv, 6, 4)]
    [InlineData(V4l2PixelFormat.Uyvy, 6, 3)]
    [InlineData(V4l2PixelFormat.Nv12, 6, 4)]
    [InlineData(V4l2PixelFormat.Yuv420, 6, 4)]
    [InlineData(V4l2PixelFormat.Yuv420, 6, 3)]
    public void A_picture_copies_between_strides_line_by_line_and_back(uint format, int width, int height)
    {
        int tight = format is V4l2PixelFormat.Yuyv or V4l2PixelFormat.Uyvy ? width * 2 : width;
        int wide = tight + 10;
        byte[] source = new byte[RawImageCopy.ImageSize(format, tight, height)];
        for (int i = 0; i < source.Length; i++)
        {
            source[i] = (byte)(i + 1);
        }

        byte[] padded = new byte[RawImageCopy.ImageSize(format, wide, height)];
        int written = RawImageCopy.Copy(format, width, height, source, tight, padded, wide);
        Assert.Equal(padded.Length, written);
        Assert.Equal(source.AsSpan(0, tight).ToArray(), padded.AsSpan(0, tight).ToArray());
        Assert.Equal(source.AsSpan(tight, tight).ToArray(), padded.AsSpan(wide, tight).ToArray());

        byte[] back = new byte[source.Length];
        Assert.Equal(back.Length, RawImageCopy.Copy(format, width, height, padded, wide, back, tight));
        Assert.Equal(source, back);
    }

    [Fact]
    public void Same_strides_copy_in_one_block_up_to_the_picture_size()
    {
        byte[] source = new byte[100];
        source.AsSpan().Fill(7);
        byte[] destination = new byte[200];

        Assert.Equal(RawImageCopy.ImageSize(V4l2PixelFormat.Nv12, 4, 4), RawImageCopy.Copy(V4l2PixelFormat.Nv12, 4, 4, source, 4, destination, 4));
        Assert.Equal(24, RawImageCopy.ImageSize(V4l2PixelFormat.Nv12, 4, 4));
        Assert.Equal(0, destination[24]);
    }
}
