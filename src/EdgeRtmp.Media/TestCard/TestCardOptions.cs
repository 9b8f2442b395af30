namespace EdgeRtmp.Media.TestCard;

/// <summary>Picture size and timing of the built-in test card.</summary>
public sealed record TestCardOptions
{
    public int Width { get; init; } = 640;

    public int Height { get; init; } = 360;

    public int FramesPerSecond { get; init; } = 30;

    /// <summary>Frames from one IDR to the next; 0 means two seconds' worth.</summary>
    public int KeyframeInterval { get; init; }

    /// <summary>How pictures are coded: our H.264 encoder at <see cref="BitrateKbps"/>, or lossless I_PCM macroblocks.</summary>
    public TestCardCoding Coding { get; init; } = TestCardCoding.H264;

    /// <summary>Target bitrate of <see cref="TestCardCoding.H264"/> coding (Video:BitrateKbps).</summary>
    public int BitrateKbps { get; init; } = 1500;

    public int EffectiveKeyframeInterval => KeyframeInterval > 0 ? KeyframeInterval : 2 * FramesPerSecond;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first field that is out of range.</summary>
    public void Validate()
    {
        if (Width < 160 || Width > 4096 || (Width & 1) != 0)
            throw new ArgumentException($"TestCard Width {Width} must be even and within 160..4096.", nameof(Width));
        if (Height < 144 || Height > 4096 || (Height & 1) != 0)
            throw new ArgumentException($"TestCard Height {Height} must be even and within 144..4096.", nameof(Height));
        if (FramesPerSecond < 1 || FramesPerSecond > 240)
            throw new ArgumentException($"TestCard FramesPerSecond {FramesPerSecond} must be within 1..240.", nameof(FramesPerSecond));
        if (Coding == TestCardCoding.H264 && (BitrateKbps < 16 || BitrateKbps > 100_000))
            throw new ArgumentException($"TestCard BitrateKbps {BitrateKbps} must be within 16..100000.", nameof(BitrateKbps));
        if (KeyframeInterval < 0)
            throw new ArgumentException($"TestCard KeyframeInterval {KeyframeInterval} must not be negative.", nameof(KeyframeInterval));
    }
}

/// <summary>The test card's picture coding.</summary>
public enum TestCardCoding
{
    /// <summary>Our H.264 encoder (intra and inter prediction, transform, CAVLC, rate control): a home uplink's bitrate.</summary>
    H264,

    /// <summary>Changed macroblocks as I_PCM, the rest P_Skip: lossless and cheap, about 10 Mbit/s at 720p.</summary>
    Pcm,
}
