using System.Runtime.CompilerServices;

namespace EdgeRtmp.Media.H264.Encoding;

/// <summary>
/// P macroblocks: P_Skip when the predicted vector leaves nothing worth coding, else P_L0_16x16 with a vector
/// from a small diamond search refined to half and quarter samples, or intra when that is cheaper.
/// </summary>
public sealed partial class H264Encoder
{
    private sealed partial class SliceCoder
    {
        private const int MaxDiamondSteps = 32;

        private readonly int[] _blockScore = new int[16];
        private readonly bool[] _blockHasLevels = new bool[16];

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private MacroblockKind EncodeInterMacroblock(ref BitWriter bits, int mbX, int mbY, ref int skipRun)
        {
            int mb = mbY * _widthInMbs + mbX;
            int x = mbX * 16, y = mbY * 16;
            PredictMotionVector(mb, mbX, mbY, out int mvpX, out int mvpY);
            SkipMotionVector(mb, mbX, mbY, mvpX, mvpY, out int skipX, out int skipY);
            bool skipAllowed = InReach(mbX, mbY, skipX, skipY);
            ReadOnlySpan<byte> source = _sourceY.Data.AsSpan(_sourceY.Offset(x, y));
            int sourceStride = _sourceY.Stride;

            if (skipAllowed)
            {
                _reference.PredictLuma(x, y, skipX, skipY, _predLuma);
                int sad = PixelMetrics.Sad16x16(source, sourceStride, _predLuma, 16);
                if (sad < _skipSadThreshold)
                {
                    _reference.PredictChroma(mbX * 8, mbY * 8, skipX, skipY, _predCb, _predCr);
                    if (EncodeInterLuma(mbX, mbY) == 0 && EncodeChroma(mbX, mbY, intra: false) == 0)
                    {
                        MarkSkipped(mb, skipX, skipY);
                        skipRun++;
                        return MacroblockKind.Skip;
                    }
                }
            }

            int interCost = SearchMotion(mb, mbX, mbY, mvpX, mvpY, out int mvX, out int mvY);
            int intraCost = ChooseIntra16x16(mbX, mbY) + 8 * _lambda;
            if (intraCost < interCost)
            {
                bits.WriteUe((uint)skipRun);                    // mb_skip_run
                skipRun = 0;
                return EncodeIntraMacroblock(ref bits, mbX, mbY, inPSlice: true, intra16x16Chosen: true);
            }

            _reference.PredictChroma(mbX * 8, mbY * 8, mvX, mvY, _predCb, _predCr);
            int cbpLuma = EncodeInterLuma(mbX, mbY);
            int cbpChroma = EncodeChroma(mbX, mbY, intra: false);
            if (cbpLuma == 0 && cbpChroma == 0 && skipAllowed && mvX == skipX && mvY == skipY)
            {
                MarkSkipped(mb, skipX, skipY);
                skipRun++;
                return MacroblockKind.Skip;
            }

            bits.WriteUe((uint)skipRun);                        // mb_skip_run
            skipRun = 0;
            WriteInterMacroblock(ref bits, mb, mbX, mbY, mvX - mvpX, mvY - mvpY, cbpLuma, cbpChroma);
            ResetMacroblockState(mb, inter: true, mvX, mvY);
            return MacroblockKind.Inter;
        }

        /// <summary>
        /// The whole picture must repeat the reference (rate control found no other way to fit the buffer): P_Skip,
        /// or a zero-residual P_L0_16x16 with a zero vector where the skip vector reaches too far for our padded reference.
        /// </summary>
        private MacroblockKind RepeatMacroblock(ref BitWriter bits, int mbX, int mbY, ref int skipRun)
        {
            int mb = mbY * _widthInMbs + mbX;
            PredictMotionVector(mb, mbX, mbY, out int mvpX, out int mvpY);
            SkipMotionVector(mb, mbX, mbY, mvpX, mvpY, out int skipX, out int skipY);
            bool skip = InReach(mbX, mbY, skipX, skipY);
            int mvX = skip ? skipX : 0, mvY = skip ? skipY : 0;
            _reference.PredictLuma(mbX * 16, mbY * 16, mvX, mvY, _predLuma);
            _reference.PredictChroma(mbX * 8, mbY * 8, mvX, mvY, _predCb, _predCr);
            CopyPrediction(mbX, mbY);
            if (skip)
            {
                MarkSkipped(mb, skipX, skipY);
                skipRun++;
                return MacroblockKind.Skip;
            }
            bits.WriteUe((uint)skipRun);
            skipRun = 0;
            WriteInterMacroblock(ref bits, mb, mbX, mbY, -mvpX, -mvpY, 0, 0);
            ResetMacroblockState(mb, inter: true, 0, 0);
            return MacroblockKind.Inter;
        }

        private void WriteInterMacroblock(ref BitWriter bits, int mb, int mbX, int mbY, int mvdX, int mvdY, int cbpLuma, int cbpChroma)
        {
            bits.WriteUe(0);                                    // mb_type P_L0_16x16 (ref_idx_l0 absent: one reference)
            bits.WriteSe(mvdX);                                 // mvd_l0
            bits.WriteSe(mvdY);
            int cbp = cbpLuma | cbpChroma << 4;
            bits.WriteUe(CavlcTables.InterCodeNumByCodedBlockPattern[cbp]);
            if (cbp != 0)
                bits.WriteSe(0);                                // mb_qp_delta
            WriteResidual(ref bits, mb, mbX, mbY, intra16x16: false, cbpLuma, cbpChroma);
        }

        private void MarkSkipped(int mb, int mvX, int mvY)
        {
            ResetMacroblockState(mb, inter: true, mvX, mvY);
            ClearTotalCoeff(mb);
        }

        private void CopyPrediction(int mbX, int mbY)
        {
            Plane luma = _current.Luma, cb = _current.Cb, cr = _current.Cr;
            for (int row = 0; row < 16; row++)
                _predLuma.AsSpan(row * 16, 16).CopyTo(luma.Data.AsSpan(luma.Offset(mbX * 16, mbY * 16 + row)));
            for (int row = 0; row < 8; row++)
            {
                _predCb.AsSpan(row * 8, 8).CopyTo(cb.Data.AsSpan(cb.Offset(mbX * 8, mbY * 8 + row)));
                _predCr.AsSpan(row * 8, 8).CopyTo(cr.Data.AsSpan(cr.Offset(mbX * 8, mbY * 8 + row)));
            }
        }

        /// <summary>
        /// Luma residual against <see cref="_predLuma"/> in 4×4 blocks; 8×8 quadrants (and the whole macroblock) whose
        /// levels are a few scattered ±1 are dropped. Returns CodedBlockPatternLuma; the reconstruction is written.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private int EncodeInterLuma(int mbX, int mbY)
        {
            int qp = _qp;
            int deadzone = Transform4x4.Deadzone(qp, intra: false);
            int zeroLimit = Transform4x4.ZeroBlockSadLimit(qp, deadzone);
            int sourceOffset = _sourceY.Offset(mbX * 16, mbY * 16);
            int totalScore = 0;
            for (int block = 0; block < 16; block++)
            {
                int blockX = (block & 3) * 4, blockY = (block >> 2) * 4;
                Span<int> coefficients = _coefficients.AsSpan(block * 16, 16);
                int sad = LoadResidual(_sourceY.Data, sourceOffset + blockY * _sourceY.Stride + blockX, _sourceY.Stride, _predLuma, blockY * 16 + blockX, 16, coefficients);
                Span<short> levels = _lumaLevels.AsSpan(block * 16, 16);
                if (sad <= zeroLimit)
                {
                    levels.Clear();
                    _blockScore[block] = 0;
                    _blockHasLevels[block] = false;
                    continue;
                }
                Transform4x4.Forward(coefficients);
                bool hasLevels = Transform4x4.Quantize(coefficients, levels, qp, deadzone, first: 0) > 0;
                int score = hasLevels ? DecimationScore(levels) : 0;
                _blockScore[block] = score;
                _blockHasLevels[block] = hasLevels;
                totalScore += score;
            }
            int cbpLuma = 0;
            if (totalScore >= 6)
            {
                for (int quadrant = 0; quadrant < 4; quadrant++)
                {
                    int first = (quadrant & 1) * 2 + (quadrant >> 1) * 8; // raster index of the quadrant's top-left block
                    int score = _blockScore[first] + _blockScore[first + 1] + _blockScore[first + 4] + _blockScore[first + 5];
                    if (score >= 4)
                        cbpLuma |= 1 << quadrant;
                }
            }

            Plane reconstruction = _current.Luma;
            int reconstructionOffset = reconstruction.Offset(mbX * 16, mbY * 16);
            for (int block = 0; block < 16; block++)
            {
                int blockX = (block & 3) * 4, blockY = (block >> 2) * 4;
                int quadrant = (blockY >> 3) * 2 + (blockX >> 3);
                Span<int> coefficients = _coefficients.AsSpan(block * 16, 16);
                Span<short> levels = _lumaLevels.AsSpan(block * 16, 16);
                int destination = reconstructionOffset + blockY * reconstruction.Stride + blockX;
                if ((cbpLuma >> quadrant & 1) != 0 && _blockHasLevels[block])
                {
                    Transform4x4.Dequantize(levels, coefficients, qp, first: 0);
                    Transform4x4.Inverse(coefficients);
                    StoreReconstruction(coefficients, _predLuma, blockY * 16 + blockX, 16, reconstruction.Data, destination, reconstruction.Stride);
                }
                else
                {
                    if ((cbpLuma >> quadrant & 1) == 0)
                        levels.Clear();
                    for (int row = 0; row < 4; row++)
                        _predLuma.AsSpan((blockY + row) * 16 + blockX, 4).CopyTo(reconstruction.Data.AsSpan(destination + row * reconstruction.Stride));
                }
            }
            return cbpLuma;
        }

        /// <summary>
        /// Integer diamond search from the best of the predicted vector, zero and the neighbours' vectors, then
        /// half- and quarter-sample refinement. Leaves the chosen prediction in <see cref="_predLuma"/> and returns its
        /// SATD plus the vector's bit cost.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private int SearchMotion(int mb, int mbX, int mbY, int mvpX, int mvpY, out int bestX, out int bestY)
        {
            int x = mbX * 16, y = mbY * 16;
            int minX = -ReferencePicture.MaxReach - x, maxX = _sourceY.Width + ReferencePicture.MaxReach - 16 - x;
            int minY = -ReferencePicture.MaxReach - y, maxY = _sourceY.Height + ReferencePicture.MaxReach - 16 - y;
            ReadOnlySpan<byte> source = _sourceY.Data.AsSpan(_sourceY.Offset(x, y));
            int sourceStride = _sourceY.Stride;
            int lambda = _lambda;

            var window = new SearchWindow(x, y, minX, maxX, minY, maxY, mvpX, mvpY);
            int fullX = Math.Clamp((mvpX + 2) >> 2, minX, maxX), fullY = Math.Clamp((mvpY + 2) >> 2, minY, maxY);
            int bestCost = FullSampleCost(source, window, fullX, fullY);
            TryFull(source, window, 0, 0, ref bestCost, ref fullX, ref fullY);
            if (mbX > 0 && _isInter[mb - 1])
                TryFull(source, window, (_mvX[mb - 1] + 2) >> 2, (_mvY[mb - 1] + 2) >> 2, ref bestCost, ref fullX, ref fullY);
            if (mbY > _firstRow && _isInter[mb - _widthInMbs])
                TryFull(source, window, (_mvX[mb - _widthInMbs] + 2) >> 2, (_mvY[mb - _widthInMbs] + 2) >> 2, ref bestCost, ref fullX, ref fullY);

            for (int step = 0; step < MaxDiamondSteps; step++)
            {
                int centerX = fullX, centerY = fullY;
                TryFull(source, window, centerX - 1, centerY, ref bestCost, ref fullX, ref fullY);
                TryFull(source, window, centerX + 1, centerY, ref bestCost, ref fullX, ref fullY);
                TryFull(source, window, centerX, centerY - 1, ref bestCost, ref fullX, ref fullY);
                TryFull(source, window, centerX, centerY + 1, ref bestCost, ref fullX, ref fullY);
                if (fullX == centerX && fullY == centerY)
                    break;
            }

            bestX = fullX * 4;
            bestY = fullY * 4;
            if (Options.SubpixelMotion)
            {
                for (int step = 2; step >= 1; step >>= 1)
                {
                    int centerX = bestX, centerY = bestY;
                    for (int dy = -step; dy <= step; dy += step)
                    {
                        for (int dx = -step; dx <= step; dx += step)
                        {
                            int mvX = centerX + dx, mvY = centerY + dy;
                            if ((dx == 0 && dy == 0) || (mvX >> 2) < minX || (mvX >> 2) > maxX || (mvY >> 2) < minY || (mvY >> 2) > maxY)
                                continue;
                            _reference.PredictLuma(x, y, mvX, mvY, _predScratch);
                            int cost = PixelMetrics.Sad16x16(source, sourceStride, _predScratch, 16) + lambda * (SignedExpGolombBits(mvX - mvpX) + SignedExpGolombBits(mvY - mvpY));
                            if (cost < bestCost)
                            {
                                bestCost = cost;
                                bestX = mvX;
                                bestY = mvY;
                            }
                        }
                    }
                }
            }
            _reference.PredictLuma(x, y, bestX, bestY, _predLuma);
            return PixelMetrics.Satd16x16(source, sourceStride, _predLuma, 16) + lambda * (SignedExpGolombBits(bestX - mvpX) + SignedExpGolombBits(bestY - mvpY));
        }

        private readonly record struct SearchWindow(int X, int Y, int MinX, int MaxX, int MinY, int MaxY, int PredictedX, int PredictedY);

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private int FullSampleCost(ReadOnlySpan<byte> source, in SearchWindow window, int mvX, int mvY)
        {
            Plane reference = _reference.Luma;
            return PixelMetrics.Sad16x16(source, _sourceY.Stride, reference.Data.AsSpan(reference.Offset(window.X + mvX, window.Y + mvY)), reference.Stride)
                + _lambda * (SignedExpGolombBits(4 * mvX - window.PredictedX) + SignedExpGolombBits(4 * mvY - window.PredictedY));
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void TryFull(ReadOnlySpan<byte> source, in SearchWindow window, int mvX, int mvY, ref int bestCost, ref int bestX, ref int bestY)
        {
            if (mvX < window.MinX || mvX > window.MaxX || mvY < window.MinY || mvY > window.MaxY)
                return;
            int cost = FullSampleCost(source, window, mvX, mvY);
            if (cost < bestCost)
            {
                bestCost = cost;
                bestX = mvX;
                bestY = mvY;
            }
        }

        /// <summary>Whether a vector keeps the block within the padded, interpolated reference.</summary>
        private bool InReach(int mbX, int mbY, int mvX, int mvY)
        {
            int x = mbX * 16 + (mvX >> 2), y = mbY * 16 + (mvY >> 2);
            return x >= -ReferencePicture.MaxReach && x <= _sourceY.Width + ReferencePicture.MaxReach - 16
                && y >= -ReferencePicture.MaxReach && y <= _sourceY.Height + ReferencePicture.MaxReach - 16;
        }

        /// <summary>8.4.1.3: the median prediction of a 16×16 partition's vector from neighbours A, B and C (or D).</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void PredictMotionVector(int mb, int mbX, int mbY, out int mvpX, out int mvpY)
        {
            bool availableA = mbX > 0, availableB = mbY > _firstRow;
            int neighbourC = mbY > _firstRow && mbX < _widthInMbs - 1 ? mb - _widthInMbs + 1 : mbY > _firstRow && mbX > 0 ? mb - _widthInMbs - 1 : -1;
            bool availableC = neighbourC >= 0;
            Neighbour(availableA, mb - 1, out int refA, out int ax, out int ay);
            Neighbour(availableB, mb - _widthInMbs, out int refB, out int bx, out int by);
            Neighbour(availableC, neighbourC, out int refC, out int cx, out int cy);
            if (!availableB && !availableC && availableA)
            {
                (refB, bx, by) = (refA, ax, ay);
                (refC, cx, cy) = (refA, ax, ay);
            }
            int matches = (refA == 0 ? 1 : 0) + (refB == 0 ? 1 : 0) + (refC == 0 ? 1 : 0);
            if (matches == 1)
            {
                (mvpX, mvpY) = refA == 0 ? (ax, ay) : refB == 0 ? (bx, by) : (cx, cy);
                return;
            }
            mvpX = Median(ax, bx, cx);
            mvpY = Median(ay, by, cy);
        }

        /// <summary>8.4.1.1: the P_Skip vector is zero at the picture's top or left edge or next to a still neighbour.</summary>
        private void SkipMotionVector(int mb, int mbX, int mbY, int mvpX, int mvpY, out int skipX, out int skipY)
        {
            skipX = 0;
            skipY = 0;
            if (mbX == 0 || mbY == _firstRow)
                return;
            int a = mb - 1, b = mb - _widthInMbs;
            if ((_isInter[a] && _mvX[a] == 0 && _mvY[a] == 0) || (_isInter[b] && _mvX[b] == 0 && _mvY[b] == 0))
                return;
            skipX = mvpX;
            skipY = mvpY;
        }

        private void Neighbour(bool available, int mb, out int refIdx, out int mvX, out int mvY)
        {
            if (available && _isInter[mb])
            {
                refIdx = 0;
                mvX = _mvX[mb];
                mvY = _mvY[mb];
            }
            else
            {
                refIdx = -1;
                mvX = 0;
                mvY = 0;
            }
        }

        private static int Median(int a, int b, int c) => Math.Max(Math.Min(a, b), Math.Min(Math.Max(a, b), c));
    }
}
