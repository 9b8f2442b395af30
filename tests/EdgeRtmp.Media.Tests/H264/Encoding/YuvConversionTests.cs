using EdgeRtmp.Media.H264.Encoding;

namespace EdgeRtmp.Media.Tests.H264.Encoding;

public sealed class YuvConversionTests
{
    [Fact]
    public void Nv12_deinterleaves_chroma_and_honours_the_stride()
    {
        const int width = 4, height = 2, stride = 6;
        byte[] nv12 =
        [
            1, 2, 3, 4, 99, 99,
            5, 6, 7, 8, 99, 99,
            10, 20, 11, 21, 99, 99,
        ];
        byte[] i420 = new byte[YuvPlanes.I420Size(width, height)];
        YuvConversion.Nv12ToI420(nv12, width, height, stride, i420);
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 20, 21 }, i420);
    }

    [Fact]
    public void Yuyv_splits_luma_and_averages_chroma_of_two_lines()
    {
        const int width = 4, height = 2;
        byte[] yuyv =
        [
            1, 100, 2, 200, 3, 50, 4, 60,
            5, 101, 6, 203, 7, 51, 8, 61,
        ];
        byte[] i420 = new byte[YuvPlanes.I420Size(width, height)];
        YuvConversion.YuyvToI420(yuyv, width, height, 2 * width, i420);
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8, 101, 51, 202, 61 }, i420);
    }

    [Fact]
    public void Short_buffers_are_refused_with_the_sizes()
    {
        byte[] i420 = new byte[YuvPlanes.I420Size(4, 2)];
        var error = Assert.Throws<ArgumentException>(() => YuvConversion.Nv12ToI420(new byte[5], 4, 2, 4, i420));
        Assert.Contains("12", error.Message);
        Assert.Throws<ArgumentException>(() => YuvPlanes.FromI420(new byte[10], 4, 2));
    }
}
