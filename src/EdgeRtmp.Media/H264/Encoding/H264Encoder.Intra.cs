using System.Runtime.CompilerServices;

namespace EdgeRtmp.Media.H264.Encoding;

/// <summary>Intra macroblocks: Intra_16x16 and Intra_4x4 luma (cheapest by SATD plus a bit estimate), chroma by SAD.</summary>
public sealed partial class H264Encoder
{
    private sealed partial class SliceCoder
    {
        private static ReadOnlySpan<byte> Intra4x4Candidates => [IntraPredictor.Dc4, IntraPredictor.Vertical4, IntraPredictor.Horizontal4, IntraPredictor.HorizontalUp4];

        private readonly byte[] _predIntra = new byte[256];
        private readonly byte[] _pred4x4 = new byte[16];
        private readonly byte[] _pred4x4Best = new byte[16];
        private int _intra16x16Mode;

        /// <summary>Codes one intra macroblock (after its mb_skip_run in a P slice) and reconstructs it.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private MacroblockKind EncodeIntraMacroblock(ref BitWriter bits, int mbX, int mbY, bool inPSlice, bool intra16x16Chosen = false)
        {
            int mb = mbY * _widthInMbs + mbX;
            int cost16 = intra16x16Chosen ? 0 : ChooseIntra16x16(mbX, mbY) + 4 * _lambda;
            bool use4x4 = false;
            int cbpLuma = 0;
            if (Options.Intra4x4 && !inPSlice && !intra16x16Chosen)
            {
                int cost4 = EncodeIntra4x4(mb, mbX, mbY, out int cbp4x4) + 6 * _lambda;
                if (cost4 < cost16)
                {
                    use4x4 = true;
                    cbpLuma = cbp4x4;
                }
            }
            if (use4x4)
            {
                _isInter[mb] = false;
                _mvX[mb] = 0;
                _mvY[mb] = 0;
            }
            else
            {
                ResetMacroblockState(mb, inter: false, 0, 0);
                cbpLuma = EncodeIntra16x16(mbX, mbY);
            }
            int chromaMode = ChooseChromaMode(mbX, mbY);
            int cbpChroma = EncodeChroma(mbX, mbY, intra: true);

            uint typeOffset = inPSlice ? 5u : 0u; // 7.4.5: intra types follow the 5 P types in P slices (Table 7-13)
            if (use4x4)
            {
                bits.WriteUe(typeOffset);                       // mb_type I_NxN
                for (int block = 0; block < 16; block++)
                {
                    int blockX = BlockX[block], blockY = BlockY[block];
                    int predicted = PredictedIntra4x4Mode(mb, mbX, mbY, blockX, blockY);
                    int mode = _intra4x4Modes[mb * 16 + blockY * 4 + blockX];
                    if (mode == predicted)
                    {
                        bits.WriteFlag(true);                   // prev_intra4x4_pred_mode_flag
                    }
                    else
                    {
                        bits.WriteFlag(false);
                        bits.WriteBits((uint)(mode < predicted ? mode : mode - 1), 3); // rem_intra4x4_pred_mode
                    }
                }
                bits.WriteUe((uint)chromaMode);                 // intra_chroma_pred_mode
                int cbp = cbpLuma | cbpChroma << 4;
                bits.WriteUe(CavlcTables.IntraCodeNumByCodedBlockPattern[cbp]); // coded_block_pattern me(v)
                if (cbp != 0)
                    bits.WriteSe(0);                            // mb_qp_delta
                WriteResidual(ref bits, mb, mbX, mbY, intra16x16: false, cbpLuma, cbpChroma);
                return MacroblockKind.Intra4x4;
            }
            // Table 7-11: 1 + prediction mode + 4 · CodedBlockPatternChroma + 12 when the luma AC is coded.
            bits.WriteUe(typeOffset + 1 + (uint)_intra16x16Mode + 4 * (uint)cbpChroma + (cbpLuma != 0 ? 12u : 0u));
            bits.WriteUe((uint)chromaMode);
            bits.WriteSe(0);
            WriteResidual(ref bits, mb, mbX, mbY, intra16x16: true, cbpLuma, cbpChroma);
            return MacroblockKind.Intra16x16;
        }

        /// <summary>The Intra_16x16 mode with the least SATD; its prediction is left in <see cref="_predIntra"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private int ChooseIntra16x16(int mbX, int mbY)
        {
            bool left = mbX > 0, top = mbY > _firstRow;
            Plane reconstruction = _current.Luma;
            int offset = reconstruction.Offset(mbX * 16, mbY * 16);
            ReadOnlySpan<byte> source = _sourceY.Data.AsSpan(_sourceY.Offset(mbX * 16, mbY * 16));
            int best = int.MaxValue;
            for (int mode = 0; mode < 4; mode++)
            {
                if (!IntraPredictor.Luma16x16Available(mode, left, top))
                    continue;
                IntraPredictor.Luma16x16(reconstruction.Data, offset, reconstruction.Stride, left, top, mode, _predScratch);
                int cost = PixelMetrics.Satd16x16(source, _sourceY.Stride, _predScratch, 16);
                if (cost < best)
                {
                    best = cost;
                    _intra16x16Mode = mode;
                    _predScratch.CopyTo(_predIntra, 0);
                }
            }
            return best;
        }

        /// <summary>Intra_16x16 residual against <see cref="_predIntra"/>; returns CodedBlockPatternLuma (0 or 15).</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private int EncodeIntra16x16(int mbX, int mbY)
        {
            int qp = _qp;
            int deadzone = Transform4x4.Deadzone(qp, intra: true);
            Plane reconstruction = _current.Luma;
            int sourceOffset = _sourceY.Offset(mbX * 16, mbY * 16);
            Span<int> dc = _dc.AsSpan(0, 16);
            bool anyAc = false;
            for (int block = 0; block < 16; block++)
            {
                int blockX = (block & 3) * 4, blockY = (block >> 2) * 4;
                Span<int> coefficients = _coefficients.AsSpan(block * 16, 16);
                LoadResidual(_sourceY.Data, sourceOffset + blockY * _sourceY.Stride + blockX, _sourceY.Stride, _predIntra, blockY * 16 + blockX, 16, coefficients);
                Transform4x4.Forward(coefficients);
                dc[block] = coefficients[0];
                anyAc |= Transform4x4.Quantize(coefficients, _lumaLevels.AsSpan(block * 16, 16), qp, deadzone, first: 1) > 0;
            }
            Transform4x4.Hadamard(dc);
            ReadOnlySpan<byte> zigzag = CavlcTables.ZigZag4x4;
            for (int k = 0; k < 16; k++)
            {
                int value = dc[zigzag[k]];
                value = value >= 0 ? (value + 1) >> 1 : -((1 - value) >> 1);
                _lumaDcLevels[k] = Transform4x4.QuantizeDc(value, qp, deadzone);
            }
            int cbpLuma = anyAc ? 15 : 0;

            // Reconstruction (8.5.2): inverse Hadamard and scaling of the DC levels, then each block with its AC.
            for (int k = 0; k < 16; k++)
                dc[zigzag[k]] = _lumaDcLevels[k];
            Transform4x4.Hadamard(dc);
            int reconstructionOffset = reconstruction.Offset(mbX * 16, mbY * 16);
            Span<int> d = _coefficients.AsSpan(0, 16);
            for (int block = 0; block < 16; block++)
            {
                int blockX = (block & 3) * 4, blockY = (block >> 2) * 4;
                d.Clear();
                if (anyAc)
                    Transform4x4.Dequantize(_lumaLevels.AsSpan(block * 16, 16), d, qp, first: 1);
                d[0] = Transform4x4.ScaleLumaDc(dc[block], qp);
                Transform4x4.Inverse(d);
                StoreReconstruction(d, _predIntra, blockY * 16 + blockX, 16, reconstruction.Data, reconstructionOffset + blockY * reconstruction.Stride + blockX, reconstruction.Stride);
            }
            return cbpLuma;
        }

        /// <summary>
        /// Codes the macroblock as Intra_4x4 block by block (each block predicts from the reconstruction of the ones
        /// before it). Returns the summed SATD-plus-mode-bits cost; the reconstruction and levels stay in place.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private int EncodeIntra4x4(int mb, int mbX, int mbY, out int cbpLuma)
        {
            int qp = _qp;
            int deadzone = Transform4x4.Deadzone(qp, intra: true);
            Plane reconstruction = _current.Luma;
            int stride = reconstruction.Stride;
            Span<int> coefficients = _coefficients.AsSpan(0, 16);
            int cost = 0;
            cbpLuma = 0;
            for (int block = 0; block < 16; block++)
            {
                int blockX = BlockX[block], blockY = BlockY[block];
                int raster = blockY * 4 + blockX;
                bool left = blockX > 0 || mbX > 0, top = blockY > 0 || mbY > _firstRow;
                int offset = reconstruction.Offset(mbX * 16 + blockX * 4, mbY * 16 + blockY * 4);
                int sourceOffset = _sourceY.Offset(mbX * 16 + blockX * 4, mbY * 16 + blockY * 4);
                ReadOnlySpan<byte> source = _sourceY.Data.AsSpan(sourceOffset);
                int predicted = PredictedIntra4x4Mode(mb, mbX, mbY, blockX, blockY);
                int bestMode = IntraPredictor.Dc4, bestCost = int.MaxValue;
                foreach (byte mode in Intra4x4Candidates)
                {
                    if ((mode == IntraPredictor.Vertical4 && !top) || ((mode == IntraPredictor.Horizontal4 || mode == IntraPredictor.HorizontalUp4) && !left))
                        continue;
                    IntraPredictor.Luma4x4(reconstruction.Data, offset, stride, left, top, mode, _pred4x4);
                    int modeCost = PixelMetrics.Satd4x4(source, _sourceY.Stride, _pred4x4, 4) + _lambda * (mode == predicted ? 1 : 4);
                    if (modeCost < bestCost)
                    {
                        bestCost = modeCost;
                        bestMode = mode;
                        _pred4x4.CopyTo(_pred4x4Best, 0);
                    }
                }
                cost += bestCost;
                _intra4x4Modes[mb * 16 + raster] = (byte)bestMode;

                LoadResidual(_sourceY.Data, sourceOffset, _sourceY.Stride, _pred4x4Best, 0, 4, coefficients);
                Transform4x4.Forward(coefficients);
                Span<short> levels = _lumaLevels.AsSpan(raster * 16, 16);
                if (Transform4x4.Quantize(coefficients, levels, qp, deadzone, first: 0) > 0)
                {
                    cbpLuma |= 1 << (block >> 2);
                    Transform4x4.Dequantize(levels, coefficients, qp, first: 0);
                    Transform4x4.Inverse(coefficients);
                }
                else
                {
                    coefficients.Clear();
                }
                StoreReconstruction(coefficients, _pred4x4Best, 0, 4, reconstruction.Data, offset, stride);
            }
            return cost;
        }

        /// <summary>The chroma mode with the least SAD over Cb and Cr; predictions left in <see cref="_predCb"/>/<see cref="_predCr"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private int ChooseChromaMode(int mbX, int mbY)
        {
            bool left = mbX > 0, top = mbY > _firstRow;
            Plane cb = _current.Cb, cr = _current.Cr;
            int offset = cb.Offset(mbX * 8, mbY * 8);
            int sourceOffset = _sourceCb.Offset(mbX * 8, mbY * 8);
            int best = int.MaxValue, bestMode = IntraPredictor.ChromaDc;
            Span<byte> predictionCb = _predChromaScratch.AsSpan(0, 64), predictionCr = _predChromaScratch.AsSpan(64, 64);
            for (int mode = 0; mode < 4; mode++)
            {
                if (!IntraPredictor.ChromaAvailable(mode, left, top))
                    continue;
                IntraPredictor.Chroma(cb.Data, offset, cb.Stride, left, top, mode, predictionCb);
                IntraPredictor.Chroma(cr.Data, offset, cr.Stride, left, top, mode, predictionCr);
                int cost = PixelMetrics.Sad8x8(_sourceCb.Data.AsSpan(sourceOffset), _sourceCb.Stride, predictionCb, 8)
                    + PixelMetrics.Sad8x8(_sourceCr.Data.AsSpan(sourceOffset), _sourceCr.Stride, predictionCr, 8);
                if (cost < best)
                {
                    best = cost;
                    bestMode = mode;
                    predictionCb.CopyTo(_predCb);
                    predictionCr.CopyTo(_predCr);
                }
            }
            return bestMode;
        }
    }
}
