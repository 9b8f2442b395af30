namespace EdgeRtmp.Media.H264.Encoding;

/// <summary>
/// Constant bitrate over a leaky bucket of one buffer length (VBV-style): the channel drains
/// <see cref="BitsPerFrame"/> each frame, every picture adds its size, and the bucket must never hold more than
/// <see cref="BufferBits"/>. A QP per picture comes from a complexity model, bits ≈ C / Qstep(QP), kept per picture
/// type; the encoder re-codes a picture that would overflow the bucket at a higher QP.
/// </summary>
internal sealed class RateController
{
    private readonly int _minQp;
    private readonly int _maxQp;
    private readonly int _framesPerSecond;
    private double _complexityP;
    private double _complexityI;
    private int _lastQpP;

    private readonly int _keyframeInterval;

    public RateController(int bitrateKbps, int framesPerSecond, int keyframeInterval, int bufferMilliseconds, int minQp, int maxQp, int width, int height)
    {
        _keyframeInterval = keyframeInterval;
        _minQp = minQp;
        _maxQp = maxQp;
        _framesPerSecond = framesPerSecond;
        BitsPerFrame = bitrateKbps * 1000.0 / framesPerSecond;
        BufferBits = bitrateKbps * (double)bufferMilliseconds;
        double bitsPerPixel = bitrateKbps * 1000.0 / ((double)width * height * framesPerSecond);
        _lastQpP = Math.Clamp((int)Math.Round(30 - 6 * Math.Log2(bitsPerPixel / 0.1)), Math.Max(minQp, 18), Math.Min(maxQp, 45));
    }

    public double BitsPerFrame { get; }

    public double BufferBits { get; }

    /// <summary>Bits waiting in the bucket after the last picture.</summary>
    public double Fullness { get; private set; }

    /// <summary>Fullness the model steers towards: room for an IDR picture on top.</summary>
    private double TargetFullness => 0.25 * BufferBits;

    public int ChooseQp(bool keyframe)
    {
        if (keyframe)
        {
            int qp = _lastQpP - 2;
            if (_complexityI > 0)
            {
                // An IDR may take what the bucket has room for, up to a few frames' worth: fewer when IDRs come
                // often (a GOP of 4 frames or less gets one frame's worth: all-intra streams keep the rate).
                double share = Math.Clamp(_keyframeInterval / 4.0, 1, 8);
                double budget = share * BitsPerFrame + (TargetFullness - Fullness) / Math.Max(1, _framesPerSecond / 2);
                budget = Math.Min(0.6 * (BufferBits - Fullness), Math.Max(budget, 0.2 * BitsPerFrame));
                qp = Math.Max(qp, QpFor(_complexityI, Math.Max(budget, 0.2 * BitsPerFrame)));
            }
            return Math.Clamp(qp, _minQp, _maxQp);
        }
        if (_complexityP <= 0)
            return _lastQpP;
        // Spend a frame's worth, corrected so the bucket returns to its target within half a second.
        double target = BitsPerFrame + (TargetFullness - Fullness) / Math.Max(1, _framesPerSecond / 2);
        target = Math.Max(target, 0.2 * BitsPerFrame);
        int wanted = QpFor(_complexityP, target);
        return Math.Clamp(wanted, Math.Max(_minQp, _lastQpP - 3), Math.Min(_maxQp, _lastQpP + 3));
    }

    /// <summary>Whether a picture of <paramref name="bits"/> keeps the bucket from overflowing.</summary>
    public bool Fits(long bits) => Fullness + bits - BitsPerFrame <= BufferBits;

    /// <summary>A QP at which a picture that came out at <paramref name="bits"/> with <paramref name="qp"/> should fit.</summary>
    public int QpToFit(long bits, int qp)
    {
        double room = Math.Max(BufferBits + BitsPerFrame - Fullness, 0.1 * BitsPerFrame) * 0.9;
        int raise = (int)Math.Ceiling(6 * Math.Log2(Math.Max(bits / room, 1.0))) + 1;
        return Math.Min(_maxQp < 51 ? 51 : _maxQp, qp + raise);
    }

    public void Commit(long bits, int qp, bool keyframe)
    {
        double complexity = Math.Max(bits, 1) * QStep(qp);
        if (keyframe)
        {
            _complexityI = complexity;
        }
        else
        {
            _complexityP = _complexityP <= 0 ? complexity : 0.6 * _complexityP + 0.4 * complexity;
            _lastQpP = qp;
        }
        Fullness = Math.Max(0, Fullness + bits - BitsPerFrame);
    }

    private int QpFor(double complexity, double bits)
    {
        double step = complexity / Math.Max(bits, 1);
        return (int)Math.Round(6 * Math.Log2(step / 0.625));
    }

    private static double QStep(int qp) => 0.625 * Math.Pow(2, qp / 6.0);
}
