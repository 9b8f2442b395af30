using System.Buffers;
using EdgeRtmp.Media.H264;
using EdgeRtmp.Media.H264.Encoding;

namespace EdgeRtmp.Media.TestCard;

/// <summary>
/// Encodes the test card as H.264 Constrained Baseline. By default (<see cref="TestCardCoding.H264"/>) the rendered
/// pictures go through our <see cref="H264Encoder"/> at the configured bitrate. With <see cref="TestCardCoding.Pcm"/>
/// there is no transform coding: every macroblock that is
/// coded at all is I_PCM (raw samples, lossless), and in P pictures macroblocks that did not change since the
/// previous picture are skipped (P_Skip with a zero motion vector copies them from the reference).
/// Only the sweeping box, the clock and the counter change, so P pictures are small and cheap; IDR pictures
/// are the raw picture plus a few bytes per macroblock.
/// </summary>
/// <remarks>
/// Output is one Annex B access unit per call (4-byte start codes): SPS, PPS, IDR slice for a keyframe, else
/// one P slice. It can go straight into <see cref="AvccWriter"/>. Nothing is allocated per frame.
/// </remarks>
public sealed class TestCardEncoder
{
    private const int MbTypeIPcmInISlice = 25;         // Table 7-11
    private const int MbTypeIPcmInPSlice = 5 + 25;     // 7.4.5: intra types follow the 5 P types (Table 7-13)
    private const uint SliceTypeP = 0;                 // Table 7-6
    private const uint SliceTypeI = 2;
    private const int PcmBytesPerMacroblock = 256 + 2 * 64;

    private readonly TestCardRenderer _renderer;
    private readonly YuvFrame _current;   // the picture being encoded
    private readonly YuvFrame _reference; // what a decoder holds after the last picture
    private readonly bool[] _candidate;   // macroblocks the dynamic overlays touched since the last picture
    private readonly byte[] _rbsp;
    private readonly byte[] _sps;
    private readonly byte[] _pps;
    private readonly int _log2MaxFrameNum;
    private readonly H264Encoder? _h264;

    private bool _started;
    private bool _keyframeRequested = true;
    private int _framesSinceIdr;
    private int _frameNum;
    private int _idrPicId;
    private PixelRect _lastBox;

    public TestCardEncoder(TestCardOptions? options = null)
    {
        Options = options ?? new TestCardOptions();
        _renderer = new TestCardRenderer(Options);
        _current = new YuvFrame(_renderer.WidthInMbs, _renderer.HeightInMbs);
        _reference = new YuvFrame(_renderer.WidthInMbs, _renderer.HeightInMbs);
        MacroblockCount = _renderer.WidthInMbs * _renderer.HeightInMbs;
        _candidate = new bool[MacroblockCount];
        // Worst case: every macroblock I_PCM with its skip run, mb_type and alignment, plus the slice header.
        _rbsp = Options.Coding == TestCardCoding.Pcm ? new byte[MacroblockCount * (PcmBytesPerMacroblock + 8) + 64] : [];

        KeyframeInterval = Options.EffectiveKeyframeInterval;
        _log2MaxFrameNum = ParameterSetWriter.Log2MaxFrameNum(KeyframeInterval);
        LevelIdc = ParameterSetWriter.ChooseLevel(MacroblockCount, Options.FramesPerSecond);
        if (Options.Coding == TestCardCoding.H264)
        {
            H264Encoder.WarmUp();
            _h264 = new H264Encoder(new H264EncoderOptions(Width, Height, Options.FramesPerSecond, Options.BitrateKbps, KeyframeInterval));
            _sps = _h264.SequenceParameterSet.ToArray();
            _pps = _h264.PictureParameterSet.ToArray();
            LevelIdc = _h264.LevelIdc;
        }
        else
        {
            _sps = ParameterSetWriter.BuildSequenceParameterSet(_current.WidthInMbs, _current.HeightInMbs, Width, Height, FramesPerSecond, LevelIdc, _log2MaxFrameNum);
            _pps = ParameterSetWriter.BuildPictureParameterSet();
        }
    }

    public TestCardOptions Options { get; }
    public int Width => Options.Width;
    public int Height => Options.Height;
    public int FramesPerSecond => Options.FramesPerSecond;
    public int KeyframeInterval { get; }
    public int MacroblockCount { get; }

    /// <summary>level_idc written in the SPS (e.g. 30 for 3.0), the lowest level whose frame size and macroblock rate fit.</summary>
    public byte LevelIdc { get; }

    /// <summary>The SPS NAL unit (header byte, emulation prevention applied, no start code).</summary>
    public ReadOnlySpan<byte> SequenceParameterSet => _sps;

    /// <summary>The PPS NAL unit (header byte, emulation prevention applied, no start code).</summary>
    public ReadOnlySpan<byte> PictureParameterSet => _pps;

    /// <summary>Macroblocks coded (not skipped) in the last picture.</summary>
    public int LastCodedMacroblocks { get; private set; }

    /// <summary>Bytes of one display-size I420 picture, for <see cref="CopyLastPicture"/>.</summary>
    public int FrameSize => _renderer.FrameSize;

    public TestCardRenderer Renderer => _renderer;

    /// <summary>Makes the next picture an IDR (e.g. when a player joins and must not wait).</summary>
    public void RequestKeyframe() => _keyframeRequested = true;

    /// <summary>
    /// Renders and encodes one picture showing <paramref name="frameIndex"/> and <paramref name="timestamp"/>,
    /// appending one Annex B access unit to <paramref name="output"/>.
    /// </summary>
    /// <returns>True when the picture is an IDR (keyframe).</returns>
    public bool EncodeFrame(long frameIndex, TimeSpan timestamp, IBufferWriter<byte> output)
    {
        if (_h264 is not null)
            return EncodeWithH264(frameIndex, timestamp, output);
        bool keyframe = _keyframeRequested || _framesSinceIdr >= KeyframeInterval;
        UpdatePicture(frameIndex, timestamp);

        if (keyframe)
        {
            WriteNalUnitWithStartCode(_sps, output);
            WriteNalUnitWithStartCode(_pps, output);
            _frameNum = 0;
            int length = WriteIdrSlice();
            WriteEscapedNalUnit(nalHeader: 0x65, length, output); // nal_ref_idc 3, nal_unit_type 5
            _current.CopyTo(_reference);
            Array.Clear(_candidate);
            _idrPicId = (_idrPicId + 1) & 0xFFFF;
            _framesSinceIdr = 1;
            _keyframeRequested = false;
            LastCodedMacroblocks = MacroblockCount;
        }
        else
        {
            _frameNum = (_frameNum + 1) & ((1 << _log2MaxFrameNum) - 1);
            int length = WritePSlice();
            WriteEscapedNalUnit(nalHeader: 0x41, length, output); // nal_ref_idc 2, nal_unit_type 1
            _framesSinceIdr++;
        }
        return keyframe;
    }

    /// <summary>Writes the last encoded picture (what a decoder shows) as display-size I420 (yuv420p).</summary>
    public void CopyLastPicture(Span<byte> i420)
    {
        if (_h264 is not null)
            _h264.CopyReconstruction(i420);
        else
            _reference.CopyDisplayTo(Width, Height, i420);
    }

    private bool EncodeWithH264(long frameIndex, TimeSpan timestamp, IBufferWriter<byte> output)
    {
        UpdatePicture(frameIndex, timestamp);
        Array.Clear(_candidate);
        if (_keyframeRequested)
            _h264!.RequestKeyframe();
        _keyframeRequested = false;
        var picture = new YuvPlanes(_current.Luma, _current.Width, _current.Cb, _current.ChromaWidth, _current.Cr, _current.ChromaWidth);
        bool keyframe = _h264!.Encode(picture, output);
        LastCodedMacroblocks = MacroblockCount - _h264.LastSkippedMacroblocks;
        return keyframe;
    }

    /// <summary>
    /// Brings <see cref="_current"/> to the new picture by redrawing only what moves, marking the macroblocks touched.
    /// </summary>
    private void UpdatePicture(long frameIndex, TimeSpan timestamp)
    {
        if (!_started)
        {
            _renderer.RenderFull(_current, frameIndex, timestamp);
            _started = true;
        }
        else
        {
            _renderer.RestoreBackground(_current, _lastBox);
            MarkCandidates(_lastBox);
            _renderer.DrawDynamic(_current, frameIndex, timestamp);
        }
        _lastBox = _renderer.GetBoxRect(frameIndex);
        MarkCandidates(_lastBox);
        MarkCandidates(_renderer.ClockRect);
        MarkCandidates(_renderer.CounterRect);
    }

    private void MarkCandidates(in PixelRect rect)
    {
        int widthInMbs = _current.WidthInMbs;
        for (int mbY = rect.Y / 16; mbY <= (rect.Bottom - 1) / 16; mbY++)
            _candidate.AsSpan(mbY * widthInMbs + rect.X / 16, (rect.Right - 1) / 16 - rect.X / 16 + 1).Fill(true);
    }

    /// <summary>slice_layer_without_partitioning_rbsp() of an IDR picture: every macroblock I_PCM.</summary>
    private int WriteIdrSlice()
    {
        var bits = new BitWriter(_rbsp);
        WriteSliceHeader(ref bits, idr: true);
        for (int mbY = 0; mbY < _current.HeightInMbs; mbY++)
        {
            for (int mbX = 0; mbX < _current.WidthInMbs; mbX++)
            {
                bits.WriteUe(MbTypeIPcmInISlice);
                WritePcmSamples(ref bits, mbX, mbY);
            }
        }
        bits.WriteTrailingBits();
        bits.Flush();
        return bits.Length;
    }

    /// <summary>
    /// A P slice (7.3.4 slice_data with CAVLC): mb_skip_run before each coded macroblock; a run that reaches the
    /// end of the picture is followed directly by the RBSP trailing bits (more_rbsp_data() is then false).
    /// </summary>
    private int WritePSlice()
    {
        var bits = new BitWriter(_rbsp);
        WriteSliceHeader(ref bits, idr: false);
        int widthInMbs = _current.WidthInMbs;
        uint skipRun = 0;
        int coded = 0;
        for (int mb = 0; mb < MacroblockCount; mb++)
        {
            int mbX = mb % widthInMbs, mbY = mb / widthInMbs;
            if (!_candidate[mb] || _current.MacroblockEquals(_reference, mbX, mbY))
            {
                skipRun++;
                continue;
            }
            bits.WriteUe(skipRun);
            skipRun = 0;
            bits.WriteUe(MbTypeIPcmInPSlice);
            WritePcmSamples(ref bits, mbX, mbY);
            _reference.CopyMacroblock(_current, mbX, mbY);
            coded++;
        }
        if (skipRun > 0)
            bits.WriteUe(skipRun);
        bits.WriteTrailingBits();
        bits.Flush();
        Array.Clear(_candidate);
        LastCodedMacroblocks = coded;
        return bits.Length;
    }

    /// <summary>macroblock_layer() for I_PCM after mb_type: pcm_alignment_zero_bits, 256 luma then 64 Cb and 64 Cr samples in raster order.</summary>
    private void WritePcmSamples(ref BitWriter bits, int mbX, int mbY)
    {
        bits.AlignWithZeros();
        Span<byte> destination = bits.ReserveAlignedBytes(PcmBytesPerMacroblock);
        int stride = _current.Width;
        ReadOnlySpan<byte> luma = _current.Luma.AsSpan(mbY * 16 * stride + mbX * 16);
        for (int row = 0; row < 16; row++)
            luma.Slice(row * stride, 16).CopyTo(destination.Slice(row * 16));
        int chromaStride = _current.ChromaWidth;
        int chromaOffset = mbY * 8 * chromaStride + mbX * 8;
        ReadOnlySpan<byte> cb = _current.Cb.AsSpan(chromaOffset);
        ReadOnlySpan<byte> cr = _current.Cr.AsSpan(chromaOffset);
        for (int row = 0; row < 8; row++)
        {
            cb.Slice(row * chromaStride, 8).CopyTo(destination.Slice(256 + row * 8));
            cr.Slice(row * chromaStride, 8).CopyTo(destination.Slice(320 + row * 8));
        }
    }

    /// <summary>slice_header(), 7.3.3, for our SPS/PPS: frame coding, POC type 2, CAVLC, one slice per picture.</summary>
    private void WriteSliceHeader(ref BitWriter bits, bool idr)
    {
        bits.WriteUe(0);                                    // first_mb_in_slice
        bits.WriteUe(idr ? SliceTypeI : SliceTypeP);      // slice_type
        bits.WriteUe(0);                                    // pic_parameter_set_id
        bits.WriteBits((uint)_frameNum, _log2MaxFrameNum);  // frame_num
        if (idr)
            bits.WriteUe((uint)_idrPicId);                  // idr_pic_id: consecutive IDRs differ
        // pic_order_cnt_type 2: no POC syntax. Not redundant, not B.
        if (!idr)
        {
            bits.WriteFlag(false);                          // num_ref_idx_active_override_flag
            bits.WriteFlag(false);                          // ref_pic_list_modification_flag_l0
        }
        // dec_ref_pic_marking(), 7.3.3.3 (nal_ref_idc != 0)
        if (idr)
        {
            bits.WriteFlag(false);                          // no_output_of_prior_pics_flag
            bits.WriteFlag(false);                          // long_term_reference_flag
        }
        else
        {
            bits.WriteFlag(false);                          // adaptive_ref_pic_marking_mode_flag: sliding window
        }
        bits.WriteSe(0);                                    // slice_qp_delta
        bits.WriteUe(1);                                    // disable_deblocking_filter_idc: keep I_PCM samples exact
    }

    private static void WriteNalUnitWithStartCode(ReadOnlySpan<byte> nalUnit, IBufferWriter<byte> output)
    {
        Span<byte> destination = output.GetSpan(4 + nalUnit.Length);
        AnnexB.FourByteStartCode.CopyTo(destination);
        nalUnit.CopyTo(destination.Slice(4));
        output.Advance(4 + nalUnit.Length);
    }

    private void WriteEscapedNalUnit(byte nalHeader, int rbspLength, IBufferWriter<byte> output)
    {
        Span<byte> destination = output.GetSpan(5 + NalUnit.MaxEscapedLength(rbspLength));
        AnnexB.FourByteStartCode.CopyTo(destination);
        destination[4] = nalHeader;
        int length = NalUnit.InsertEmulationPrevention(_rbsp.AsSpan(0, rbspLength), destination.Slice(5));
        output.Advance(5 + length);
    }
}
