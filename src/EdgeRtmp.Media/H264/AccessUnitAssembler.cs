using EdgeRtmp.Protocol;

namespace EdgeRtmp.Media.H264;

/// <summary>
/// Groups NAL units into access units. A new access unit starts (7.4.1.2.3, simplified to what
/// encoders emit) at an access unit delimiter, or, once the current unit has a slice, at an SPS, PPS,
/// SEI or types 14–18, or at a slice with first_mb_in_slice == 0.
/// </summary>
/// <remarks>
/// Two buffers alternate: one holds the access unit just completed (handed out), the other collects the
/// next one. Both grow to the largest access unit seen, then nothing more is allocated.
/// </remarks>
public sealed class AccessUnitAssembler
{
    private Buffer _collecting = new();
    private Buffer _completed = new();

    public AccessUnitAssembler(int maxAccessUnitSize = 16 * 1024 * 1024)
    {
        MaxAccessUnitSize = maxAccessUnitSize;
    }

    public int MaxAccessUnitSize { get; }

    /// <summary>
    /// Adds a NAL unit (no start code). Returns true with the previous access unit when this NAL unit
    /// begins a new one.
    /// </summary>
    public bool TryAdd(ReadOnlySpan<byte> nalUnit, out AccessUnit completed)
    {
        bool startsNew = false;
        if (_collecting.HasSlice)
        {
            NalUnitType type = NalUnit.GetType(nalUnit);
            startsNew = type switch
            {
                NalUnitType.AccessUnitDelimiter or NalUnitType.SequenceParameterSet or NalUnitType.PictureParameterSet
                    or NalUnitType.Sei => true,
                >= NalUnitType.Prefix and <= (NalUnitType)18 => true,
                _ when NalUnit.IsVcl(type) => NalUnit.IsFirstSliceOfPicture(nalUnit),
                _ => false,
            };
        }
        else if (_collecting.Length > 0 && NalUnit.GetType(nalUnit) == NalUnitType.AccessUnitDelimiter)
        {
            startsNew = true;
        }

        if (startsNew)
        {
            (_completed, _collecting) = (_collecting, _completed);
            _collecting.Clear();
            _collecting.Append(nalUnit, MaxAccessUnitSize);
            completed = _completed.ToAccessUnit();
            return true;
        }

        _collecting.Append(nalUnit, MaxAccessUnitSize);
        completed = default;
        return false;
    }

    /// <summary>At the end of the stream: hands out the access unit being collected, if any.</summary>
    public bool TryFlush(out AccessUnit completed)
    {
        if (_collecting.Length == 0)
        {
            completed = default;
            return false;
        }
        (_completed, _collecting) = (_collecting, _completed);
        _collecting.Clear();
        completed = _completed.ToAccessUnit();
        return true;
    }

    public void Reset()
    {
        _collecting.Clear();
        _completed.Clear();
    }

    private sealed class Buffer
    {
        private byte[] _bytes = new byte[64 * 1024];

        public int Length { get; private set; }
        public int NalUnitCount { get; private set; }
        public bool HasSlice { get; private set; }
        public bool IsKeyframe { get; private set; }
        public bool HasParameterSets { get; private set; }

        public void Clear()
        {
            Length = 0;
            NalUnitCount = 0;
            HasSlice = false;
            IsKeyframe = false;
            HasParameterSets = false;
        }

        public void Append(ReadOnlySpan<byte> nalUnit, int maxSize)
        {
            int needed = Length + 4 + nalUnit.Length;
            if (needed > maxSize)
                MediaFormatException.Throw($"H.264: access unit of at least {needed} bytes exceeds MaxAccessUnitSize {maxSize}.");
            if (needed > _bytes.Length)
                Array.Resize(ref _bytes, Math.Min(maxSize, Math.Max(needed, _bytes.Length * 2)));
            AnnexB.FourByteStartCode.CopyTo(_bytes.AsSpan(Length));
            nalUnit.CopyTo(_bytes.AsSpan(Length + 4));
            Length = needed;
            NalUnitCount++;
            NalUnitType type = NalUnit.GetType(nalUnit);
            HasSlice |= NalUnit.IsVcl(type);
            IsKeyframe |= type == NalUnitType.IdrSlice;
            HasParameterSets |= type is NalUnitType.SequenceParameterSet or NalUnitType.PictureParameterSet;
        }

        public AccessUnit ToAccessUnit() => new(_bytes.AsSpan(0, Length), NalUnitCount, IsKeyframe, HasParameterSets);
    }
}
