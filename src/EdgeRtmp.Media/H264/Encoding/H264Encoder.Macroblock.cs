using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace EdgeRtmp.Media.H264.Encoding;

/// <summary>Per-macroblock state shared by intra and inter coding, and the macroblock_layer() syntax (7.3.5).</summary>
public sealed partial class H264Encoder
{
    private sealed partial class SliceCoder
    {
        private enum MacroblockKind : byte
        {
            Intra4x4,
            Intra16x16,
            Inter,
            Skip,
        }

        /// <summary>Spatial position of each 4×4 luma block in decoding order (6.4.3, luma4x4BlkIdx).</summary>
        private static ReadOnlySpan<byte> BlockX => [0, 1, 0, 1, 2, 3, 2, 3, 0, 1, 0, 1, 2, 3, 2, 3];

        private static ReadOnlySpan<byte> BlockY => [0, 0, 1, 1, 0, 0, 1, 1, 2, 2, 3, 3, 2, 2, 3, 3];

        // Kept per macroblock for the neighbours that follow (raster order of 4×4 blocks inside the macroblock),
        // shared by the slices: each writes its own macroblocks and reads only neighbours in its own slice.
        private readonly byte[] _totalCoeffLuma;      // TotalCoeff(coeff_token) of each 4×4 luma block, 16 per macroblock
        private readonly byte[] _totalCoeffChroma;    // Cb then Cr planes of 4 per macroblock
        private readonly byte[] _intra4x4Modes;       // Intra4x4PredMode, 2 (DC) for every other macroblock type
        private readonly short[] _mvX;                // quarter samples
        private readonly short[] _mvY;
        private readonly bool[] _isInter;             // refIdxL0 0; intra macroblocks have refIdxL0 −1

        private readonly H264Encoder _encoder;
        private readonly Plane _sourceY;
        private readonly Plane _sourceCb;
        private readonly Plane _sourceCr;
        private readonly int _widthInMbs;
        private ReferencePicture _current = null!;
        private ReferencePicture _reference = null!;

        public SliceCoder(H264Encoder encoder, int firstRow, int rowCount)
        {
            _encoder = encoder;
            _firstRow = firstRow;
            _rowCount = rowCount;
            _sourceY = encoder._sourceY;
            _sourceCb = encoder._sourceCb;
            _sourceCr = encoder._sourceCr;
            _widthInMbs = encoder._widthInMbs;
            _totalCoeffLuma = encoder._totalCoeffLuma;
            _totalCoeffChroma = encoder._totalCoeffChroma;
            _intra4x4Modes = encoder._intra4x4Modes;
            _mvX = encoder._mvX;
            _mvY = encoder._mvY;
            _isInter = encoder._isInter;
            Rbsp = new byte[_widthInMbs * rowCount * WorstCaseBytesPerMacroblock + 256];
        }

        private H264EncoderOptions Options => _encoder.Options;

        // The macroblock being coded.
        private readonly short[] _lumaLevels = new short[16 * 16];   // per raster 4×4 block, scan order
        private readonly short[] _lumaDcLevels = new short[16];
        private readonly short[] _chromaDcLevels = new short[8];     // Cb 4 then Cr 4
        private readonly short[] _chromaAcLevels = new short[8 * 16];
        private readonly int[] _coefficients = new int[16 * 16];
        private readonly int[] _dc = new int[16];
        private readonly byte[] _predLuma = new byte[256];
        private readonly byte[] _predScratch = new byte[256];
        private readonly byte[] _predCb = new byte[64];
        private readonly byte[] _predCr = new byte[64];
        private readonly byte[] _predChromaScratch = new byte[128];

        private int _qp;
        private int _chromaQp;
        private int _lambda;
        private int _skipSadThreshold;

        private void BeginPicture(int qp)
        {
            _qp = qp;
            _chromaQp = CavlcTables.ChromaQp[qp];
            _lambda = Lambda(qp);
            // Above this SAD the skip candidate is hardly ever all-zero after quantisation: don't try it (a speed guard).
            _skipSadThreshold = (int)(40 * 0.625 * Math.Pow(2, qp / 6.0));
        }

        /// <summary>Weight of one bit against one unit of SAD/SATD (x264's table, 0.375 · 2^((QP − 12) / 6)).</summary>
        private static int Lambda(int qp) => Math.Max(1, (int)Math.Round(0.375 * Math.Pow(2, (qp - 12) / 6.0)));

        /// <summary>Marks a macroblock's neighbour-visible state for a type without Intra_4x4 modes or coefficients.</summary>
        private void ResetMacroblockState(int mb, bool inter, int mvX, int mvY)
        {
            _intra4x4Modes.AsSpan(mb * 16, 16).Fill(IntraPredictor.Dc4);
            _isInter[mb] = inter;
            _mvX[mb] = (short)mvX;
            _mvY[mb] = (short)mvY;
        }

        /// <summary>nC of a luma block (9.2.1): the rounded mean of TotalCoeff of the available left and upper blocks.</summary>
        private int LumaContext(int mb, int mbX, int mbY, int blockX, int blockY)
        {
            bool left = blockX > 0 || mbX > 0, top = blockY > 0 || mbY > _firstRow;
            int nA = !left ? 0 : blockX > 0 ? _totalCoeffLuma[mb * 16 + blockY * 4 + blockX - 1] : _totalCoeffLuma[(mb - 1) * 16 + blockY * 4 + 3];
            int nB = !top ? 0 : blockY > 0 ? _totalCoeffLuma[mb * 16 + (blockY - 1) * 4 + blockX] : _totalCoeffLuma[(mb - _widthInMbs) * 16 + 12 + blockX];
            return left && top ? (nA + nB + 1) >> 1 : nA + nB;
        }

        private int ChromaContext(int component, int mb, int mbX, int mbY, int blockX, int blockY)
        {
            bool left = blockX > 0 || mbX > 0, top = blockY > 0 || mbY > _firstRow;
            int plane = component * 4;
            int nA = !left ? 0 : blockX > 0 ? _totalCoeffChroma[mb * 8 + plane + blockY * 2] : _totalCoeffChroma[(mb - 1) * 8 + plane + blockY * 2 + 1];
            int nB = !top ? 0 : blockY > 0 ? _totalCoeffChroma[mb * 8 + plane + blockX] : _totalCoeffChroma[(mb - _widthInMbs) * 8 + plane + 2 + blockX];
            return left && top ? (nA + nB + 1) >> 1 : nA + nB;
        }

        /// <summary>predIntra4x4PredMode (8.3.1.1): DC when a neighbour is missing, else the smaller neighbour mode.</summary>
        private int PredictedIntra4x4Mode(int mb, int mbX, int mbY, int blockX, int blockY)
        {
            if ((blockX == 0 && mbX == 0) || (blockY == 0 && mbY == _firstRow))
                return IntraPredictor.Dc4;
            int a = blockX > 0 ? _intra4x4Modes[mb * 16 + blockY * 4 + blockX - 1] : _intra4x4Modes[(mb - 1) * 16 + blockY * 4 + 3];
            int b = blockY > 0 ? _intra4x4Modes[mb * 16 + (blockY - 1) * 4 + blockX] : _intra4x4Modes[(mb - _widthInMbs) * 16 + 12 + blockX];
            return Math.Min(a, b);
        }

        /// <summary>The residual() of a macroblock (7.3.5.3) from the levels of the macroblock being coded.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void WriteResidual(ref BitWriter bits, int mb, int mbX, int mbY, bool intra16x16, int cbpLuma, int cbpChroma)
        {
            if (intra16x16)
                CavlcWriter.WriteBlock(ref bits, _lumaDcLevels, LumaContext(mb, mbX, mbY, 0, 0));
            for (int block = 0; block < 16; block++)
            {
                int blockX = BlockX[block], blockY = BlockY[block];
                int raster = blockY * 4 + blockX;
                int total = 0;
                if ((cbpLuma >> (block >> 2) & 1) != 0)
                {
                    int nC = LumaContext(mb, mbX, mbY, blockX, blockY);
                    ReadOnlySpan<short> levels = intra16x16 ? _lumaLevels.AsSpan(raster * 16 + 1, 15) : _lumaLevels.AsSpan(raster * 16, 16);
                    total = CavlcWriter.WriteBlock(ref bits, levels, nC);
                }
                _totalCoeffLuma[mb * 16 + raster] = (byte)total;
            }
            if (cbpChroma != 0)
            {
                CavlcWriter.WriteBlock(ref bits, _chromaDcLevels.AsSpan(0, 4), CavlcWriter.ChromaDcContext);
                CavlcWriter.WriteBlock(ref bits, _chromaDcLevels.AsSpan(4, 4), CavlcWriter.ChromaDcContext);
            }
            for (int component = 0; component < 2; component++)
            {
                for (int block = 0; block < 4; block++)
                {
                    int total = 0;
                    if (cbpChroma == 2)
                    {
                        int nC = ChromaContext(component, mb, mbX, mbY, block & 1, block >> 1);
                        total = CavlcWriter.WriteBlock(ref bits, _chromaAcLevels.AsSpan((component * 4 + block) * 16 + 1, 15), nC);
                    }
                    _totalCoeffChroma[mb * 8 + component * 4 + block] = (byte)total;
                }
            }
        }

        private void ClearTotalCoeff(int mb)
        {
            _totalCoeffLuma.AsSpan(mb * 16, 16).Clear();
            _totalCoeffChroma.AsSpan(mb * 8, 8).Clear();
        }

        /// <summary>
        /// Chroma residual of the macroblock against <see cref="_predCb"/>/<see cref="_predCr"/>: 2×2 DC Hadamard,
        /// AC quantisation, reconstruction. Returns CodedBlockPatternChroma (0 none, 1 DC only, 2 DC and AC).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private int EncodeChroma(int mbX, int mbY, bool intra)
        {
            int qp = _chromaQp;
            int deadzone = Transform4x4.Deadzone(qp, intra);
            int zeroLimit = Transform4x4.ZeroBlockSadLimit(qp, deadzone);
            Span<int> coefficients = _coefficients.AsSpan(0, 16);
            Span<int> dc = _dc.AsSpan(0, 8);
            bool anyAc = false, anyDc = false;
            for (int component = 0; component < 2; component++)
            {
                Plane source = component == 0 ? _sourceCb : _sourceCr;
                byte[] prediction = component == 0 ? _predCb : _predCr;
                int sourceOffset = source.Offset(mbX * 8, mbY * 8);
                int componentAcScore = 0;
                bool componentAc = false;
                for (int block = 0; block < 4; block++)
                {
                    int blockX = (block & 1) * 4, blockY = (block >> 1) * 4;
                    int sad = LoadResidual(source.Data, sourceOffset + blockY * source.Stride + blockX, source.Stride, prediction, blockY * 8 + blockX, 8, coefficients);
                    Span<short> levels = _chromaAcLevels.AsSpan((component * 4 + block) * 16, 16);
                    if (sad <= zeroLimit)
                    {
                        int sum = 0;
                        for (int i = 0; i < 16; i++)
                            sum += coefficients[i];
                        dc[component * 4 + block] = sum; // the DC basis function is all ones
                        levels.Clear();
                        continue;
                    }
                    Transform4x4.Forward(coefficients);
                    dc[component * 4 + block] = coefficients[0];
                    if (Transform4x4.Quantize(coefficients, levels, qp, deadzone, first: 1) > 0)
                    {
                        componentAc = true;
                        componentAcScore += DecimationScore(levels.Slice(1, 15));
                    }
                }
                if (!intra && componentAc && componentAcScore < 7)
                {
                    // A few scattered ±1 AC levels cost more bits than they are worth (x264's chroma decimation).
                    _chromaAcLevels.AsSpan(component * 64, 64).Clear();
                    componentAc = false;
                }
                anyAc |= componentAc;
                Span<int> componentDc = dc.Slice(component * 4, 4);
                Transform4x4.Hadamard2x2(componentDc);
                for (int i = 0; i < 4; i++)
                {
                    short level = Transform4x4.QuantizeDc(componentDc[i], qp, deadzone);
                    _chromaDcLevels[component * 4 + i] = level;
                    anyDc |= level != 0;
                }
            }
            int cbpChroma = anyAc ? 2 : anyDc ? 1 : 0;

            for (int component = 0; component < 2; component++)
            {
                Plane reconstruction = component == 0 ? _current.Cb : _current.Cr;
                byte[] prediction = component == 0 ? _predCb : _predCr;
                Span<int> f = dc.Slice(component * 4, 4);
                for (int i = 0; i < 4; i++)
                    f[i] = _chromaDcLevels[component * 4 + i];
                Transform4x4.Hadamard2x2(f);
                int reconstructionOffset = reconstruction.Offset(mbX * 8, mbY * 8);
                for (int block = 0; block < 4; block++)
                {
                    int blockX = (block & 1) * 4, blockY = (block >> 1) * 4;
                    coefficients.Clear();
                    if (cbpChroma == 2)
                        Transform4x4.Dequantize(_chromaAcLevels.AsSpan((component * 4 + block) * 16, 16), coefficients, qp, first: 1);
                    coefficients[0] = Transform4x4.ScaleChromaDc(f[block], qp);
                    Transform4x4.Inverse(coefficients);
                    StoreReconstruction(coefficients, prediction, blockY * 8 + blockX, 8, reconstruction.Data, reconstructionOffset + blockY * reconstruction.Stride + blockX, reconstruction.Stride);
                }
            }
            return cbpChroma;
        }

        /// <summary>Residual of a 4×4 block: source minus prediction, raster order. Returns its sum of absolute values.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static int LoadResidual(byte[] source, int sourceOffset, int sourceStride, ReadOnlySpan<byte> prediction, int predictionOffset, int predictionStride, Span<int> residual)
        {
            Vector128<int> sum = Vector128<int>.Zero;
            for (int y = 0; y < 4; y++)
            {
                Vector128<int> difference = Widen4(BinaryPrimitives.ReadUInt32LittleEndian(source.AsSpan(sourceOffset + y * sourceStride)))
                    - Widen4(BinaryPrimitives.ReadUInt32LittleEndian(prediction.Slice(predictionOffset + y * predictionStride)));
                difference.CopyTo(residual.Slice(y * 4, 4));
                sum += Vector128.Abs(difference);
            }
            return Vector128.Sum(sum);
        }

        /// <summary>Four bytes (little-endian in a uint) as four ints.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector128<int> Widen4(uint fourBytes) =>
            Vector128.WidenLower(Vector128.WidenLower(Vector128.CreateScalarUnsafe(fourBytes).AsByte()).AsInt16());

        /// <summary>8.5.14: reconstruction = Clip1(prediction + residual) for a 4×4 block.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void StoreReconstruction(ReadOnlySpan<int> residual, ReadOnlySpan<byte> prediction, int predictionOffset, int predictionStride, byte[] destination, int destinationOffset, int destinationStride)
        {
            for (int y = 0; y < 4; y++)
            {
                int p = predictionOffset + y * predictionStride, d = destinationOffset + y * destinationStride;
                for (int x = 0; x < 4; x++)
                    destination[d + x] = IntraPredictor.Clip(prediction[p + x] + residual[y * 4 + x]);
            }
        }

        /// <summary>
        /// How much a block of levels is worth keeping: 9 when any |level| exceeds 1, else a score from the zero runs
        /// in front of each ±1 (x264's decimate_score table).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static int DecimationScore(ReadOnlySpan<short> levels)
        {
            ReadOnlySpan<byte> runScore = [3, 2, 2, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
            int index = levels.Length - 1;
            while (index >= 0 && levels[index] == 0)
                index--;
            int score = 0;
            while (index >= 0)
            {
                if (levels[index] > 1 || levels[index] < -1)
                    return 9;
                index--;
                int run = 0;
                while (index >= 0 && levels[index] == 0)
                {
                    index--;
                    run++;
                }
                score += runScore[run];
            }
            return score;
        }

        /// <summary>Bits of se(v) for a motion vector difference component.</summary>
        private static int SignedExpGolombBits(int value)
        {
            uint codeNum = value > 0 ? (uint)(2 * value - 1) : (uint)(-2 * value);
            return 2 * (31 - System.Numerics.BitOperations.LeadingZeroCount(codeNum + 1)) + 1;
        }
    }
}
