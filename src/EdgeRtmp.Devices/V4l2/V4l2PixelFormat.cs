namespace EdgeRtmp.Devices.V4l2;

/// <summary>The V4L2 pixel formats (little-endian four-character codes, videodev2.h) this service knows what to do with.</summary>
public static class V4l2PixelFormat
{
    /// <summary>Packed 4:2:2, Y0 U Y1 V: what most UVC webcams and vivid give raw.</summary>
    public const uint Yuyv = 'Y' | ('U' << 8) | ('Y' << 16) | ((uint)'V' << 24);

    public const uint Uyvy = 'U' | ('Y' << 8) | ('V' << 16) | ((uint)'Y' << 24);

    /// <summary>4:2:0, a Y plane then interleaved CbCr.</summary>
    public const uint Nv12 = 'N' | ('V' << 8) | ('1' << 16) | ((uint)'2' << 24);

    /// <summary>4:2:0 planar I420 ("YU12"): Y, then Cb, then Cr.</summary>
    public const uint Yuv420 = 'Y' | ('U' << 8) | ('1' << 16) | ((uint)'2' << 24);

    /// <summary>H.264 Annex B byte stream (start codes).</summary>
    public const uint H264 = 'H' | ('2' << 8) | ('6' << 16) | ((uint)'4' << 24);

    public const uint Mjpeg = 'M' | ('J' << 8) | ('P' << 16) | ((uint)'G' << 24);

    /// <summary>vicodec's codec (Fast Walsh-Hadamard Transform): the kernel's own stateful test codec.</summary>
    public const uint Fwht = 'F' | ('W' << 8) | ('H' << 16) | ((uint)'T' << 24);

    /// <summary>"YUYV"; a code with characters outside printable ASCII as hex.</summary>
    public static string ToString(uint fourCc)
    {
        Span<char> text = stackalloc char[4];
        for (int i = 0; i < 4; i++)
        {
            char c = (char)((fourCc >> (8 * i)) & 0xFF);
            if (c is < ' ' or > '~')
            {
                return "0x" + fourCc.ToString("X8", System.Globalization.CultureInfo.InvariantCulture);
            }

            text[i] = c;
        }

        return new string(text).TrimEnd();
    }

    /// <summary>The inverse of <see cref="ToString(uint)"/> for a four-character name ("NV12"); false for anything else.</summary>
    public static bool TryParse(string name, out uint fourCc)
    {
        fourCc = 0;
        if (name is null || name.Length is 0 or > 4)
        {
            return false;
        }

        string padded = name.PadRight(4);
        for (int i = 0; i < 4; i++)
        {
            if (padded[i] > '~')
            {
                return false;
            }

            fourCc |= (uint)padded[i] << (8 * i);
        }

        return true;
    }

    /// <summary>Raw formats our encoders take (the M2M encoder after the camera's format is set on its OUTPUT queue; the software encoder after conversion).</summary>
    public static bool IsRaw(uint fourCc) => fourCc is Yuyv or Uyvy or Nv12 or Yuv420;
}
