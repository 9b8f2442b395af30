namespace EdgeRtmp.Media.H264.Encoding;

/// <summary>One I420 (YUV 4:2:0 planar) picture as three planes with their strides; chroma is half size each way.</summary>
public readonly ref struct YuvPlanes
{
    public YuvPlanes(ReadOnlySpan<byte> y, int yStride, ReadOnlySpan<byte> u, int uStride, ReadOnlySpan<byte> v, int vStride)
    {
        Y = y;
        U = u;
        V = v;
        YStride = yStride;
        UStride = uStride;
        VStride = vStride;
    }

    public ReadOnlySpan<byte> Y { get; }
    public ReadOnlySpan<byte> U { get; }
    public ReadOnlySpan<byte> V { get; }
    public int YStride { get; }
    public int UStride { get; }
    public int VStride { get; }

    /// <summary>Bytes of a tightly packed I420 picture of this size.</summary>
    public static int I420Size(int width, int height) => width * height + 2 * (width / 2) * (height / 2);

    /// <summary>A tightly packed I420 (yuv420p) buffer: Y, then U, then V.</summary>
    public static YuvPlanes FromI420(ReadOnlySpan<byte> i420, int width, int height)
    {
        int lumaSize = width * height, chromaSize = width / 2 * (height / 2);
        if (i420.Length < lumaSize + 2 * chromaSize)
            throw new ArgumentException($"I420 buffer of {i420.Length} bytes is shorter than a {width}x{height} picture ({lumaSize + 2 * chromaSize}).", nameof(i420));
        return new YuvPlanes(i420.Slice(0, lumaSize), width, i420.Slice(lumaSize, chromaSize), width / 2, i420.Slice(lumaSize + chromaSize, chromaSize), width / 2);
    }
}

/// <summary>Converts the other layouts cameras deliver into tightly packed I420 for the encoder.</summary>
public static class YuvConversion
{
    /// <summary>NV12 (Y plane, then interleaved U/V at half resolution) to I420.</summary>
    public static void Nv12ToI420(ReadOnlySpan<byte> nv12, int width, int height, int stride, Span<byte> i420)
    {
        CheckSizes(width, height, stride, width, nv12.Length, stride * height + stride * (height / 2), i420.Length);
        for (int y = 0; y < height; y++)
            nv12.Slice(y * stride, width).CopyTo(i420.Slice(y * width));
        int chromaWidth = width / 2, chromaSize = chromaWidth * (height / 2);
        Span<byte> u = i420.Slice(width * height, chromaSize), v = i420.Slice(width * height + chromaSize, chromaSize);
        ReadOnlySpan<byte> interleaved = nv12.Slice(stride * height);
        for (int y = 0; y < height / 2; y++)
        {
            ReadOnlySpan<byte> row = interleaved.Slice(y * stride, width);
            for (int x = 0; x < chromaWidth; x++)
            {
                u[y * chromaWidth + x] = row[2 * x];
                v[y * chromaWidth + x] = row[2 * x + 1];
            }
        }
    }

    /// <summary>YUYV 4:2:2 packed (Y0 U Y1 V) to I420; chroma of two lines is averaged.</summary>
    public static void YuyvToI420(ReadOnlySpan<byte> yuyv, int width, int height, int stride, Span<byte> i420)
    {
        CheckSizes(width, height, stride, 2 * width, yuyv.Length, stride * height, i420.Length);
        int chromaWidth = width / 2, chromaSize = chromaWidth * (height / 2);
        Span<byte> luma = i420.Slice(0, width * height);
        Span<byte> u = i420.Slice(width * height, chromaSize), v = i420.Slice(width * height + chromaSize, chromaSize);
        for (int y = 0; y < height; y += 2)
        {
            ReadOnlySpan<byte> top = yuyv.Slice(y * stride, 2 * width), bottom = yuyv.Slice((y + 1) * stride, 2 * width);
            Span<byte> lumaTop = luma.Slice(y * width, width), lumaBottom = luma.Slice((y + 1) * width, width);
            int chromaRow = y / 2 * chromaWidth;
            for (int x = 0; x < chromaWidth; x++)
            {
                lumaTop[2 * x] = top[4 * x];
                lumaTop[2 * x + 1] = top[4 * x + 2];
                lumaBottom[2 * x] = bottom[4 * x];
                lumaBottom[2 * x + 1] = bottom[4 * x + 2];
                u[chromaRow + x] = (byte)((top[4 * x + 1] + bottom[4 * x + 1] + 1) >> 1);
                v[chromaRow + x] = (byte)((top[4 * x + 3] + bottom[4 * x + 3] + 1) >> 1);
            }
        }
    }

    private static void CheckSizes(int width, int height, int stride, int rowBytes, int sourceLength, int sourceNeeded, int destinationLength)
    {
        if (width <= 0 || height <= 0 || (width & 1) != 0 || (height & 1) != 0)
            throw new ArgumentException($"Picture size {width}x{height} must be positive and even.", nameof(width));
        if (stride < rowBytes)
            throw new ArgumentException($"Stride {stride} is shorter than a row of {rowBytes} bytes.", nameof(stride));
        if (sourceLength < sourceNeeded)
            throw new ArgumentException($"Source of {sourceLength} bytes is shorter than the {sourceNeeded} a {width}x{height} picture needs.");
        if (destinationLength < YuvPlanes.I420Size(width, height))
            throw new ArgumentException($"Destination of {destinationLength} bytes is shorter than a {width}x{height} I420 picture.");
    }
}
