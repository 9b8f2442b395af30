using System.Buffers;
using System.Runtime.CompilerServices;

namespace EdgeRtmp.Media.H264.Encoding;

/// <summary>
/// Our own H.264 encoder: Constrained Baseline, CAVLC, one slice per picture, Intra_16x16 and Intra_4x4
/// prediction, P pictures with one reference, 16×16 motion vectors at quarter-sample precision and P_Skip, the
/// in-loop filter off (disable_deblocking_filter_idc 1) and constant-bitrate rate control over a one-second buffer.
/// </summary>
/// <remarks>
/// One call takes an I420 picture and appends one Annex B access unit (4-byte start codes; SPS and PPS before
/// every IDR), the form <see cref="AvccWriter"/> and the pipeline's packager take. The encoder keeps its own
/// reconstruction, which equals what a decoder shows (<see cref="CopyReconstruction"/>). Nothing is allocated per
/// picture. An instance is not thread-safe.
/// </remarks>
public sealed partial class H264Encoder
{
    private const byte IdrNalHeader = 0x65;   // nal_ref_idc 3, nal_unit_type 5
    private const byte SliceNalHeader = 0x41; // nal_ref_idc 2, nal_unit_type 1
    private const int WorstCaseBytesPerMacroblock = 2048;

    private readonly Plane _sourceY;
    private readonly Plane _sourceCb;
    private readonly Plane _sourceCr;
    private ReferencePicture _current;
    private ReferencePicture _reference;
    private bool _referenceInterpolated;
    private readonly RateController _rate;
    private readonly SliceCoder[] _slices;
    private readonly CountdownEvent _slicesPending = new(1);
    private readonly byte[] _sps;
    private readonly byte[] _pps;
    private readonly int _log2MaxFrameNum;
    private readonly int _widthInMbs;
    private readonly int _heightInMbs;
    private readonly byte[] _totalCoeffLuma;
    private readonly byte[] _totalCoeffChroma;
    private readonly byte[] _intra4x4Modes;
    private readonly short[] _mvX;
    private readonly short[] _mvY;
    private readonly bool[] _isInter;

    private bool _keyframeRequested = true;
    private int _framesSinceIdr;
    private int _frameNum;
    private int _idrPicId;

    public H264Encoder(H264EncoderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        _widthInMbs = (options.Width + 15) / 16;
        _heightInMbs = (options.Height + 15) / 16;
        MacroblockCount = _widthInMbs * _heightInMbs;
        int codedWidth = _widthInMbs * 16, codedHeight = _heightInMbs * 16;
        _sourceY = new Plane(codedWidth, codedHeight, 0);
        _sourceCb = new Plane(codedWidth / 2, codedHeight / 2, 0);
        _sourceCr = new Plane(codedWidth / 2, codedHeight / 2, 0);
        _current = new ReferencePicture(codedWidth, codedHeight);
        _reference = new ReferencePicture(codedWidth, codedHeight);
        _rate = new RateController(options.BitrateKbps, options.FramesPerSecond, options.EffectiveKeyframeInterval, options.BufferMilliseconds, options.MinQp, options.MaxQp, options.Width, options.Height);
        KeyframeInterval = options.EffectiveKeyframeInterval;
        _log2MaxFrameNum = ParameterSetWriter.Log2MaxFrameNum(KeyframeInterval);
        LevelIdc = ParameterSetWriter.ChooseLevel(MacroblockCount, options.FramesPerSecond);
        _sps = ParameterSetWriter.BuildSequenceParameterSet(_widthInMbs, _heightInMbs, options.Width, options.Height, options.FramesPerSecond, LevelIdc, _log2MaxFrameNum);
        _pps = ParameterSetWriter.BuildPictureParameterSet();
        _totalCoeffLuma = new byte[MacroblockCount * 16];
        _totalCoeffChroma = new byte[MacroblockCount * 8];
        _intra4x4Modes = new byte[MacroblockCount * 16];
        _mvX = new short[MacroblockCount];
        _mvY = new short[MacroblockCount];
        _isInter = new bool[MacroblockCount];
        int sliceCount = Math.Min(options.Slices, _heightInMbs);
        _slices = new SliceCoder[sliceCount];
        for (int i = 0, row = 0; i < sliceCount; i++)
        {
            int rows = (_heightInMbs - row) / (sliceCount - i);
            _slices[i] = new SliceCoder(this, row, rows);
            row += rows;
        }
    }

    public H264EncoderOptions Options { get; }

    public int Width => Options.Width;

    public int Height => Options.Height;

    public int KeyframeInterval { get; }

    public int MacroblockCount { get; }

    /// <summary>level_idc written in the SPS (e.g. 31 for 3.1).</summary>
    public byte LevelIdc { get; }

    /// <summary>The SPS NAL unit (header byte, emulation prevention applied, no start code).</summary>
    public ReadOnlySpan<byte> SequenceParameterSet => _sps;

    /// <summary>The PPS NAL unit (header byte, emulation prevention applied, no start code).</summary>
    public ReadOnlySpan<byte> PictureParameterSet => _pps;

    /// <summary>Upper bound of one access unit's size, for callers that size a buffer once.</summary>
    public int MaxAccessUnitLength
    {
        get
        {
            int length = 2 * 4 + _sps.Length + _pps.Length;
            foreach (SliceCoder slice in _slices)
                length += 5 + NalUnit.MaxEscapedLength(slice.Rbsp.Length);
            return length;
        }
    }

    /// <summary>Slices per picture (each on its own thread).</summary>
    public int SliceCount => _slices.Length;

    /// <summary>QP of the last picture.</summary>
    public int LastQp { get; private set; }

    /// <summary>Macroblocks coded as P_Skip in the last picture.</summary>
    public int LastSkippedMacroblocks { get; private set; }

    /// <summary>Macroblocks coded intra in the last picture.</summary>
    public int LastIntraMacroblocks { get; private set; }

    private static int s_warmedUp;

    /// <summary>
    /// Runs every code path once on a few tiny pictures, so a JIT-compiled process compiles them before real time
    /// matters (a live source's first pictures would otherwise wait for the compiler). Native AOT builds need
    /// nothing; later calls return at once.
    /// </summary>
    public static void WarmUp()
    {
        if (Interlocked.Exchange(ref s_warmedUp, 1) != 0)
            return;
        const int width = 48, height = 32;
        var encoder = new H264Encoder(new H264EncoderOptions(width, height, 30, 100, KeyframeInterval: 3));
        byte[] picture = new byte[YuvPlanes.I420Size(width, height)];
        var output = new ArrayBufferWriter<byte>(encoder.MaxAccessUnitLength);
        for (int frame = 0; frame < 4; frame++)
        {
            for (int i = 0; i < width * height; i++)
                picture[i] = (byte)(i * 7 + frame * 5 + (i % width) * (i / width));
            output.ResetWrittenCount();
            encoder.Encode(YuvPlanes.FromI420(picture, width, height), output);
        }
    }

    /// <summary>Makes the next picture an IDR (e.g. when a player joins and must not wait).</summary>
    public void RequestKeyframe() => _keyframeRequested = true;

    /// <summary>
    /// Encodes one picture (display size, I420) and appends one Annex B access unit to <paramref name="output"/>.
    /// </summary>
    /// <returns>True when the picture is an IDR (keyframe).</returns>
    public bool Encode(in YuvPlanes picture, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        LoadSource(picture);
        bool keyframe = _keyframeRequested || _framesSinceIdr >= KeyframeInterval;
        int frameNum = keyframe ? 0 : (_frameNum + 1) & ((1 << _log2MaxFrameNum) - 1);
        if (!keyframe && !_referenceInterpolated)
        {
            _reference.Finish(interpolate: Options.SubpixelMotion);
            _referenceInterpolated = true;
        }

        int qp = Options.ConstantQp ?? _rate.ChooseQp(keyframe);
        int length;
        for (int attempt = 0; ; attempt++)
        {
            length = EncodePicture(keyframe, frameNum, qp, allSkip: false);
            if (Options.ConstantQp is not null || _rate.Fits(8L * length) || attempt == 3 || qp >= 51)
                break;
            qp = _rate.QpToFit(8L * length, qp);
        }
        if (Options.ConstantQp is null && !keyframe && !_rate.Fits(8L * length))
            length = EncodePicture(keyframe, frameNum, qp, allSkip: true); // a repeat of the reference: a few bytes
        if (Options.ConstantQp is null)
            _rate.Commit(8L * length, qp, keyframe);
        LastQp = qp;

        if (keyframe)
        {
            WriteNalUnitWithStartCode(_sps, output);
            WriteNalUnitWithStartCode(_pps, output);
        }
        foreach (SliceCoder slice in _slices)
            WriteEscapedNalUnit(keyframe ? IdrNalHeader : SliceNalHeader, slice.Rbsp.AsSpan(0, slice.Length), output);

        _frameNum = frameNum;
        if (keyframe)
        {
            _idrPicId = (_idrPicId + 1) & 0xFFFF;
            _framesSinceIdr = 1;
            _keyframeRequested = false;
        }
        else
        {
            _framesSinceIdr++;
        }
        (_reference, _current) = (_current, _reference);
        _referenceInterpolated = false;
        // Padding is cheap and keeps the picture usable as a reference; interpolation waits for a P picture.
        _reference.Finish(interpolate: false);
        return keyframe;
    }

    /// <summary>Writes the last encoded picture, as a decoder reconstructs it, as display-size I420 (yuv420p).</summary>
    public void CopyReconstruction(Span<byte> i420)
    {
        int width = Width, height = Height;
        int needed = YuvPlanes.I420Size(width, height);
        if (i420.Length < needed)
            throw new ArgumentException($"Destination of {i420.Length} bytes is shorter than a {width}x{height} I420 picture ({needed}).", nameof(i420));
        _reference.Luma.CopyTo(i420, width, height);
        int chromaSize = width / 2 * (height / 2);
        _reference.Cb.CopyTo(i420.Slice(width * height), width / 2, height / 2);
        _reference.Cr.CopyTo(i420.Slice(width * height + chromaSize), width / 2, height / 2);
    }

    private void LoadSource(in YuvPlanes picture)
    {
        int width = Width, height = Height;
        if (picture.YStride < width || picture.UStride < width / 2 || picture.VStride < width / 2)
            throw new ArgumentException($"Plane strides {picture.YStride}/{picture.UStride}/{picture.VStride} are shorter than a {width}x{height} picture's rows.", nameof(picture));
        if (picture.Y.Length < picture.YStride * (height - 1) + width
            || picture.U.Length < picture.UStride * (height / 2 - 1) + width / 2
            || picture.V.Length < picture.VStride * (height / 2 - 1) + width / 2)
            throw new ArgumentException($"Planes are shorter than a {width}x{height} picture.", nameof(picture));
        _sourceY.Load(picture.Y, picture.YStride, width, height);
        _sourceCb.Load(picture.U, picture.UStride, width / 2, height / 2);
        _sourceCr.Load(picture.V, picture.VStride, width / 2, height / 2);
    }

    /// <summary>Codes every slice of the picture (on pool threads but the first); returns the bytes of RBSP in all.</summary>
    private int EncodePicture(bool idr, int frameNum, int qp, bool allSkip)
    {
        foreach (SliceCoder slice in _slices)
        {
            slice.Prepare(_current, _reference, idr, frameNum, _idrPicId, qp, allSkip);
            slice.Failure = null;
        }
        if (_slices.Length > 1)
        {
            _slicesPending.Reset(_slices.Length - 1);
            for (int i = 1; i < _slices.Length; i++)
                ThreadPool.UnsafeQueueUserWorkItem(_slices[i], preferLocal: false);
        }
        Exception? failure = null;
        try
        {
            _slices[0].Encode();
        }
        catch (Exception exception)
        {
            failure = exception;
        }
        if (_slices.Length > 1)
            _slicesPending.Wait();
        foreach (SliceCoder slice in _slices)
            failure ??= slice.Failure;
        if (failure is not null)
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);

        int length = 0, skipped = 0, intra = 0;
        foreach (SliceCoder slice in _slices)
        {
            length += slice.Length;
            skipped += slice.Skipped;
            intra += slice.Intra;
        }
        LastSkippedMacroblocks = skipped;
        LastIntraMacroblocks = intra;
        return length;
    }

    private static void WriteNalUnitWithStartCode(ReadOnlySpan<byte> nalUnit, IBufferWriter<byte> output)
    {
        Span<byte> destination = output.GetSpan(4 + nalUnit.Length);
        AnnexB.FourByteStartCode.CopyTo(destination);
        nalUnit.CopyTo(destination.Slice(4));
        output.Advance(4 + nalUnit.Length);
    }

    private static void WriteEscapedNalUnit(byte nalHeader, ReadOnlySpan<byte> rbsp, IBufferWriter<byte> output)
    {
        Span<byte> destination = output.GetSpan(5 + NalUnit.MaxEscapedLength(rbsp.Length));
        AnnexB.FourByteStartCode.CopyTo(destination);
        destination[4] = nalHeader;
        int length = NalUnit.InsertEmulationPrevention(rbsp, destination.Slice(5));
        output.Advance(5 + length);
    }
}
