using System.Runtime.CompilerServices;

namespace EdgeRtmp.Media.H264.Encoding;

public sealed partial class H264Encoder
{
    /// <summary>
    /// One slice: a band of whole macroblock rows coded into its own RBSP, on its own thread when the picture has
    /// several. Neighbours in other slices count as not available (6.4.8), so slices never read each other's
    /// macroblocks and can run at once.
    /// </summary>
    private sealed partial class SliceCoder : IThreadPoolWorkItem
    {
        private readonly int _firstRow;
        private readonly int _rowCount;
        private bool _idr;
        private int _frameNum;
        private int _idrPicId;
        private bool _allSkip;

        public byte[] Rbsp { get; }

        /// <summary>Bytes of RBSP the last <see cref="Encode"/> wrote.</summary>
        public int Length { get; private set; }

        public int Skipped { get; private set; }

        public int Intra { get; private set; }

        /// <summary>What a pool thread's run threw, for the encoding thread to rethrow.</summary>
        public Exception? Failure { get; set; }

        public void Prepare(ReferencePicture current, ReferencePicture reference, bool idr, int frameNum, int idrPicId, int qp, bool allSkip)
        {
            _current = current;
            _reference = reference;
            _idr = idr;
            _frameNum = frameNum;
            _idrPicId = idrPicId;
            _allSkip = allSkip;
            BeginPicture(qp);
        }

        /// <summary>Runs on a pool thread; the encoder waits for every slice.</summary>
        public void Execute()
        {
            try
            {
                Encode();
            }
            catch (Exception exception)
            {
                Failure = exception;
            }
            finally
            {
                _encoder._slicesPending.Signal();
            }
        }

        /// <summary>slice_layer_without_partitioning_rbsp() into <see cref="Rbsp"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Encode()
        {
            var bits = new BitWriter(Rbsp);
            WriteSliceHeader(ref bits);
            int skipRun = 0;
            int skipped = 0, intra = 0;
            for (int mbY = _firstRow; mbY < _firstRow + _rowCount; mbY++)
            {
                for (int mbX = 0; mbX < _widthInMbs; mbX++)
                {
                    MacroblockKind kind;
                    if (_idr)
                        kind = EncodeIntraMacroblock(ref bits, mbX, mbY, inPSlice: false);
                    else if (_allSkip)
                        kind = RepeatMacroblock(ref bits, mbX, mbY, ref skipRun);
                    else
                        kind = EncodeInterMacroblock(ref bits, mbX, mbY, ref skipRun);
                    if (kind == MacroblockKind.Skip)
                        skipped++;
                    else if (kind != MacroblockKind.Inter)
                        intra++;
                }
            }
            if (skipRun > 0)
                bits.WriteUe((uint)skipRun);
            bits.WriteTrailingBits();
            bits.Flush();
            Length = bits.Length;
            Skipped = skipped;
            Intra = intra;
        }

        /// <summary>slice_header(), 7.3.3, for our SPS/PPS: frame coding, POC type 2, CAVLC.</summary>
        private void WriteSliceHeader(ref BitWriter bits)
        {
            bits.WriteUe((uint)(_firstRow * _widthInMbs));          // first_mb_in_slice
            bits.WriteUe(_idr ? 7u : 5u);                           // slice_type: I or P, and so are all slices of the picture (Table 7-6)
            bits.WriteUe(0);                                        // pic_parameter_set_id
            bits.WriteBits((uint)_frameNum, _encoder._log2MaxFrameNum); // frame_num
            if (_idr)
                bits.WriteUe((uint)_idrPicId);                      // idr_pic_id: consecutive IDRs differ
            if (!_idr)
            {
                bits.WriteFlag(false);                              // num_ref_idx_active_override_flag: one reference
                bits.WriteFlag(false);                              // ref_pic_list_modification_flag_l0
            }
            if (_idr)
            {
                bits.WriteFlag(false);                              // no_output_of_prior_pics_flag
                bits.WriteFlag(false);                              // long_term_reference_flag
            }
            else
            {
                bits.WriteFlag(false);                              // adaptive_ref_pic_marking_mode_flag: sliding window
            }
            bits.WriteSe(_qp - 26);                                 // slice_qp_delta
            bits.WriteUe(1);                                        // disable_deblocking_filter_idc
        }
    }
}
