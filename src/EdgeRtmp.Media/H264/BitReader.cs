using EdgeRtmp.Protocol;

namespace EdgeRtmp.Media.H264;

/// <summary>
/// Reads an RBSP (emulation prevention already removed) MSB first, with the Exp-Golomb codes of H.264 9.1.
/// Reading past the end throws <see cref="MediaFormatException"/>.
/// </summary>
public ref struct BitReader
{
    private readonly ReadOnlySpan<byte> _data;
    private int _bitPosition;

    public BitReader(ReadOnlySpan<byte> rbsp)
    {
        _data = rbsp;
        _bitPosition = 0;
    }

    public readonly int BitPosition => _bitPosition;

    public readonly int BitsLeft => _data.Length * 8 - _bitPosition;

    public bool ReadFlag() => ReadBit() != 0;

    public int ReadBit()
    {
        if (_bitPosition >= _data.Length * 8)
            ThrowOverrun();
        int bit = (_data[_bitPosition >> 3] >> (7 - (_bitPosition & 7))) & 1;
        _bitPosition++;
        return bit;
    }

    /// <summary>u(n) for n in 0..32.</summary>
    public uint ReadBits(int count)
    {
        if ((uint)count > 32)
            throw new ArgumentOutOfRangeException(nameof(count));
        if (count > BitsLeft)
            ThrowOverrun();
        uint value = 0;
        for (int i = 0; i < count; i++)
            value = (value << 1) | (uint)ReadBit();
        return value;
    }

    public void Skip(int count)
    {
        if (count > BitsLeft)
            ThrowOverrun();
        _bitPosition += count;
    }

    /// <summary>ue(v), 9.1: leadingZeroBits zeros, a one, then leadingZeroBits info bits.</summary>
    public uint ReadUe()
    {
        int leadingZeros = 0;
        while (ReadBit() == 0)
        {
            if (++leadingZeros > 31)
                MediaFormatException.Throw("H.264: Exp-Golomb code longer than 32 bits.");
        }
        if (leadingZeros == 0)
            return 0;
        return (uint)((1UL << leadingZeros) - 1 + ReadBits(leadingZeros));
    }

    /// <summary>se(v), 9.1.1: codeNum k maps to (−1)^(k+1) · Ceil(k ÷ 2).</summary>
    public int ReadSe()
    {
        uint codeNum = ReadUe();
        int magnitude = (int)((codeNum + 1) >> 1);
        return (codeNum & 1) != 0 ? magnitude : -magnitude;
    }

    private static void ThrowOverrun() => MediaFormatException.Throw("H.264: read past the end of an RBSP.");
}
