namespace EdgeRtmp.Media.H264.Encoding;

/// <summary>What <see cref="H264Encoder"/> makes: picture size, rate and the bit budget.</summary>
/// <param name="Width">Display width in luma samples (even); the coded size rounds up to macroblocks and the SPS crops.</param>
/// <param name="Height">Display height in luma samples (even).</param>
/// <param name="FramesPerSecond">Frame rate written in the SPS timing info and used by rate control.</param>
/// <param name="BitrateKbps">Target bitrate: constant over a buffer of <see cref="BufferMilliseconds"/>.</param>
/// <param name="KeyframeInterval">Frames from one IDR to the next; 0 means two seconds' worth.</param>
public sealed record H264EncoderOptions(int Width, int Height, int FramesPerSecond, int BitrateKbps, int KeyframeInterval = 0)
{
    /// <summary>Size of the VBV-style buffer the rate control never lets overflow.</summary>
    public int BufferMilliseconds { get; init; } = 1000;

    /// <summary>Fixed QP for every picture (rate control off) when set, 0..51.</summary>
    public int? ConstantQp { get; init; }

    /// <summary>Lowest and highest QP the rate control may choose.</summary>
    public int MinQp { get; init; } = 10;

    public int MaxQp { get; init; } = 51;

    /// <summary>Quarter-sample motion vectors (6-tap interpolation); off means whole samples only (faster).</summary>
    public bool SubpixelMotion { get; init; } = true;

    /// <summary>Lets intra pictures use Intra_4x4 prediction besides Intra_16x16.</summary>
    public bool Intra4x4 { get; init; } = true;

    /// <summary>
    /// Slices per picture, bands of whole macroblock rows coded on as many threads at once (1 = one slice on the
    /// calling thread). Each slice boundary costs a little prediction across it.
    /// </summary>
    public int Slices { get; init; } = 1;

    public int EffectiveKeyframeInterval => KeyframeInterval > 0 ? KeyframeInterval : 2 * FramesPerSecond;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first field out of range.</summary>
    public void Validate()
    {
        if (Width < 16 || Width > 4096 || (Width & 1) != 0)
            throw new ArgumentException($"H.264 encoder Width {Width} must be even and within 16..4096.", nameof(Width));
        if (Height < 16 || Height > 4096 || (Height & 1) != 0)
            throw new ArgumentException($"H.264 encoder Height {Height} must be even and within 16..4096.", nameof(Height));
        if (FramesPerSecond < 1 || FramesPerSecond > 240)
            throw new ArgumentException($"H.264 encoder FramesPerSecond {FramesPerSecond} must be within 1..240.", nameof(FramesPerSecond));
        if (BitrateKbps < 16 || BitrateKbps > 100_000)
            throw new ArgumentException($"H.264 encoder BitrateKbps {BitrateKbps} must be within 16..100000.", nameof(BitrateKbps));
        if (KeyframeInterval < 0)
            throw new ArgumentException($"H.264 encoder KeyframeInterval {KeyframeInterval} must not be negative.", nameof(KeyframeInterval));
        if (BufferMilliseconds < 100 || BufferMilliseconds > 10_000)
            throw new ArgumentException($"H.264 encoder BufferMilliseconds {BufferMilliseconds} must be within 100..10000.", nameof(BufferMilliseconds));
        if (Slices < 1 || Slices > 64)
            throw new ArgumentException($"H.264 encoder Slices {Slices} must be within 1..64.", nameof(Slices));
        if (ConstantQp is < 0 or > 51)
            throw new ArgumentException($"H.264 encoder ConstantQp {ConstantQp} must be within 0..51.", nameof(ConstantQp));
        if (MinQp < 0 || MaxQp > 51 || MinQp > MaxQp)
            throw new ArgumentException($"H.264 encoder MinQp {MinQp} and MaxQp {MaxQp} must satisfy 0 <= MinQp <= MaxQp <= 51.", nameof(MinQp));
    }
}
