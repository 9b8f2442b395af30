using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace EdgeRtmp.Media.Aac;

/// <summary>
/// The forward MDCT of ISO/IEC 14496-3 4.6.11 (the encoder's counterpart of the decoder's IMDCT):
/// X[k] = 2 · Σ z[n] · cos(2π/N · (n + n0) · (k + ½)), n0 = N/4 + ½, for an N-sample windowed block.
/// Computed as a DCT-IV of N/2 folded samples, and that as an N/4-point complex FFT between a pre- and a
/// post-rotation: O(N log N), no allocation after construction.
/// </summary>
internal sealed class AacMdct
{
    private readonly int _length;          // N
    private readonly int _half;            // M = N/2 coefficients
    private readonly int _fftLength;       // M/2 complex points
    private readonly float[] _preCos, _preSin, _postCos, _postSin;
    private readonly float[] _twiddleCos, _twiddleSin;
    private readonly int[] _bitReverse;
    private readonly float[] _real, _imaginary, _folded;

    public AacMdct(int length)
    {
        if (length < 16 || !BitOperations.IsPow2(length))
            throw new ArgumentOutOfRangeException(nameof(length), length, "The MDCT length must be a power of two of at least 16.");
        _length = length;
        _half = length / 2;
        _fftLength = length / 4;
        _preCos = new float[_fftLength];
        _preSin = new float[_fftLength];
        _postCos = new float[_fftLength];
        _postSin = new float[_fftLength];
        for (int n = 0; n < _fftLength; n++)
        {
            double pre = -Math.PI * (n + 0.25) / _half;
            _preCos[n] = (float)Math.Cos(pre);
            _preSin[n] = (float)Math.Sin(pre);
            // The factor 2 of the definition rides on the post-rotation.
            double post = -Math.PI * n / _half;
            _postCos[n] = (float)(2 * Math.Cos(post));
            _postSin[n] = (float)(2 * Math.Sin(post));
        }
        // The twiddles of the stage with butterflies half a span h apart sit at [h, 2h), so every stage reads them contiguously.
        _twiddleCos = new float[_fftLength];
        _twiddleSin = new float[_fftLength];
        for (int halfSize = 1; halfSize < _fftLength; halfSize <<= 1)
        {
            for (int k = 0; k < halfSize; k++)
            {
                double angle = -Math.PI * k / halfSize;
                _twiddleCos[halfSize + k] = (float)Math.Cos(angle);
                _twiddleSin[halfSize + k] = (float)Math.Sin(angle);
            }
        }
        int bits = BitOperations.Log2((uint)_fftLength);
        _bitReverse = new int[_fftLength];
        for (int i = 0; i < _fftLength; i++)
            _bitReverse[i] = (int)(ReverseBits((uint)i) >> (32 - bits));
        _real = new float[_fftLength];
        _imaginary = new float[_fftLength];
        _folded = new float[_half];
    }

    public int Length => _length;

    /// <summary>Transforms <see cref="Length"/> windowed samples into Length/2 coefficients.</summary>
    public void Forward(ReadOnlySpan<float> block, Span<float> coefficients)
    {
        if (block.Length < _length || coefficients.Length < _half)
            throw new ArgumentException("The MDCT needs a whole block in and room for half of it out.");
        int quarter = _length / 4;
        int threeQuarters = 3 * quarter;
        Span<float> folded = _folded;
        // Fold (a, b, c, d) into (−c_r − d, a − b_r): the MDCT of the block is the DCT-IV of this.
        for (int n = 0; n < quarter; n++)
            folded[n] = -block[threeQuarters - 1 - n] - block[threeQuarters + n];
        for (int n = quarter; n < _half; n++)
            folded[n] = block[n - quarter] - block[threeQuarters - 1 - n];

        Span<float> re = _real;
        Span<float> im = _imaginary;
        ReadOnlySpan<int> reverse = _bitReverse;
        for (int n = 0; n < _fftLength; n++)
        {
            float x = folded[2 * n];
            float y = folded[_half - 1 - 2 * n];
            float c = _preCos[n], s = _preSin[n];
            int target = reverse[n];
            re[target] = x * c - y * s;
            im[target] = x * s + y * c;
        }
        Fft(re, im);
        for (int k = 0; k < _fftLength; k++)
        {
            float c = _postCos[k], s = _postSin[k];
            float yr = re[k] * c - im[k] * s;
            float yi = re[k] * s + im[k] * c;
            coefficients[2 * k] = yr;
            coefficients[_half - 1 - 2 * k] = -yi;
        }
    }

    /// <summary>Radix-2 decimation in time over bit-reversed input; the wide stages four butterflies at a time.</summary>
    private void Fft(Span<float> re, Span<float> im)
    {
        int n = _fftLength;
        ReadOnlySpan<float> twiddleCos = _twiddleCos;
        ReadOnlySpan<float> twiddleSin = _twiddleSin;
        // Size 2 and 4 stages: no twiddles other than 1 and −i.
        for (int i = 0; i < n; i += 4)
        {
            float r0 = re[i] + re[i + 1], i0 = im[i] + im[i + 1];
            float r1 = re[i] - re[i + 1], i1 = im[i] - im[i + 1];
            float r2 = re[i + 2] + re[i + 3], i2 = im[i + 2] + im[i + 3];
            float r3 = re[i + 2] - re[i + 3], i3 = im[i + 2] - im[i + 3];
            re[i] = r0 + r2; im[i] = i0 + i2;
            re[i + 2] = r0 - r2; im[i + 2] = i0 - i2;
            // (r3 + i·i3) · (−i) = i3 − i·r3
            re[i + 1] = r1 + i3; im[i + 1] = i1 - r3;
            re[i + 3] = r1 - i3; im[i + 3] = i1 + r3;
        }
        for (int size = 8; size <= n; size <<= 1)
        {
            int halfSize = size >> 1;
            ReadOnlySpan<float> stageCos = twiddleCos.Slice(halfSize, halfSize);
            ReadOnlySpan<float> stageSin = twiddleSin.Slice(halfSize, halfSize);
            for (int start = 0; start < n; start += size)
            {
                int k = 0;
                if (Vector128.IsHardwareAccelerated)
                {
                    for (; k + 4 <= halfSize; k += 4)
                        Butterfly4(re, im, start + k, start + k + halfSize, stageCos.Slice(k), stageSin.Slice(k));
                }
                for (; k < halfSize; k++)
                {
                    float c = stageCos[k], s = stageSin[k];
                    int a = start + k, b = a + halfSize;
                    float tr = re[b] * c - im[b] * s;
                    float ti = re[b] * s + im[b] * c;
                    re[b] = re[a] - tr; im[b] = im[a] - ti;
                    re[a] += tr; im[a] += ti;
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Butterfly4(Span<float> re, Span<float> im, int a, int b, ReadOnlySpan<float> cos, ReadOnlySpan<float> sin)
    {
        ref float reRef = ref MemoryMarshal.GetReference(re);
        ref float imRef = ref MemoryMarshal.GetReference(im);
        Vector128<float> c = Vector128.Create(cos);
        Vector128<float> s = Vector128.Create(sin);
        Vector128<float> ar = Vector128.LoadUnsafe(ref reRef, (nuint)a), ai = Vector128.LoadUnsafe(ref imRef, (nuint)a);
        Vector128<float> br = Vector128.LoadUnsafe(ref reRef, (nuint)b), bi = Vector128.LoadUnsafe(ref imRef, (nuint)b);
        Vector128<float> tr = br * c - bi * s;
        Vector128<float> ti = br * s + bi * c;
        (ar - tr).StoreUnsafe(ref reRef, (nuint)b);
        (ai - ti).StoreUnsafe(ref imRef, (nuint)b);
        (ar + tr).StoreUnsafe(ref reRef, (nuint)a);
        (ai + ti).StoreUnsafe(ref imRef, (nuint)a);
    }

    private static uint ReverseBits(uint value)
    {
        value = ((value >> 1) & 0x55555555u) | ((value & 0x55555555u) << 1);
        value = ((value >> 2) & 0x33333333u) | ((value & 0x33333333u) << 2);
        value = ((value >> 4) & 0x0F0F0F0Fu) | ((value & 0x0F0F0F0Fu) << 4);
        value = ((value >> 8) & 0x00FF00FFu) | ((value & 0x00FF00FFu) << 8);
        return (value >> 16) | (value << 16);
    }
}
