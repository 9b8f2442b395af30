namespace EdgeRtmp.Devices.V4l2;

/// <summary>
/// Copies a raw picture between buffers whose line strides differ (a camera's bytesperline and an encoder's, which
/// may align lines to 32 or 64 bytes). Same strides: one block copy. Single-buffer formats only: YUYV/UYVY (one
/// plane, 2 bytes a pixel), NV12 (Y, then CbCr at half height), I420 (Y, then Cb and Cr at half width and height).
/// </summary>
public static class RawImageCopy
{
    /// <summary>Bytes a picture takes at <paramref name="stride"/> (the luma stride; chroma strides follow from it).</summary>
    public static int ImageSize(uint pixelFormat, int stride, int height) => pixelFormat switch
    {
        V4l2PixelFormat.Yuyv or V4l2PixelFormat.Uyvy => stride * height,
        V4l2PixelFormat.Nv12 => (stride * height) + (stride * ((height + 1) / 2)),
        V4l2PixelFormat.Yuv420 => (stride * height) + (2 * (stride / 2) * ((height + 1) / 2)),
        _ => throw new ArgumentOutOfRangeException(nameof(pixelFormat), V4l2PixelFormat.ToString(pixelFormat), "not a raw format we copy"),
    };

    /// <summary>Copies the picture; returns the bytes written to <paramref name="destination"/> (its payload length).</summary>
    public static int Copy(uint pixelFormat, int width, int height, ReadOnlySpan<byte> source, int sourceStride, Span<byte> destination, int destinationStride)
    {
        int size = ImageSize(pixelFormat, destinationStride, height);
        if (sourceStride == destinationStride)
        {
            int length = Math.Min(Math.Min(source.Length, destination.Length), size);
            source[..length].CopyTo(destination);
            return length;
        }

        switch (pixelFormat)
        {
            case V4l2PixelFormat.Yuyv or V4l2PixelFormat.Uyvy:
                CopyPlane(source, sourceStride, destination, destinationStride, width * 2, height);
                break;
            case V4l2PixelFormat.Nv12:
                CopyPlane(source, sourceStride, destination, destinationStride, width, height);
                CopyPlane(source[(sourceStride * height)..], sourceStride, destination[(destinationStride * height)..], destinationStride, width, (height + 1) / 2);
                break;
            default:
                int chromaHeight = (height + 1) / 2;
                int chromaWidth = (width + 1) / 2;
                int sourceChroma = sourceStride / 2;
                int destinationChroma = destinationStride / 2;
                CopyPlane(source, sourceStride, destination, destinationStride, width, height);
                int sourceOffset = sourceStride * height;
                int destinationOffset = destinationStride * height;
                CopyPlane(source[sourceOffset..], sourceChroma, destination[destinationOffset..], destinationChroma, chromaWidth, chromaHeight);
                sourceOffset += sourceChroma * chromaHeight;
                destinationOffset += destinationChroma * chromaHeight;
                CopyPlane(source[sourceOffset..], sourceChroma, destination[destinationOffset..], destinationChroma, chromaWidth, chromaHeight);
                break;
        }

        return size;
    }

    private static void CopyPlane(ReadOnlySpan<byte> source, int sourceStride, Span<byte> destination, int destinationStride, int rowBytes, int rows)
    {
        for (int row = 0; row < rows; row++)
        {
            source.Slice(row * sourceStride, rowBytes).CopyTo(destination.Slice(row * destinationStride, rowBytes));
        }
    }
}
