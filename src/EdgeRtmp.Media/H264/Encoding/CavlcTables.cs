namespace EdgeRtmp.Media.H264.Encoding;

/// <summary>
/// The variable-length code tables of CAVLC (H.264 9.2), as code lengths and code values (the value's low
/// <c>length</c> bits are the code word, MSB first).
/// </summary>
internal static class CavlcTables
{
    /// <summary>Table 9-5, coeff_token for 0 ≤ nC &lt; 2, 2 ≤ nC &lt; 4, 4 ≤ nC &lt; 8 and 8 ≤ nC; index TotalCoeff * 4 + TrailingOnes.</summary>
    public static ReadOnlySpan<byte> CoeffTokenLength =>
    [
        // 0 <= nC < 2
        1, 0, 0, 0,
        6, 2, 0, 0,     8, 6, 3, 0,     9, 8, 7, 5,    10, 9, 8, 6,
        11, 10, 9, 7,   13, 11, 10, 8,  13, 13, 11, 9,  13, 13, 13, 10,
        14, 14, 13, 11, 14, 14, 14, 13, 15, 15, 14, 14, 15, 15, 15, 14,
        16, 15, 15, 15, 16, 16, 16, 15, 16, 16, 16, 16, 16, 16, 16, 16,
        // 2 <= nC < 4
        2, 0, 0, 0,
        6, 2, 0, 0,     6, 5, 3, 0,     7, 6, 6, 4,     8, 6, 6, 4,
        8, 7, 7, 5,     9, 8, 8, 6,     11, 9, 9, 6,    11, 11, 11, 7,
        12, 11, 11, 9,  12, 12, 12, 11, 12, 12, 12, 11, 13, 13, 13, 12,
        13, 13, 13, 13, 13, 14, 13, 13, 14, 14, 14, 13, 14, 14, 14, 14,
        // 4 <= nC < 8
        4, 0, 0, 0,
        6, 4, 0, 0,     6, 5, 4, 0,     6, 5, 5, 4,     7, 5, 5, 4,
        7, 5, 5, 4,     7, 6, 6, 4,     7, 6, 6, 4,     8, 7, 7, 5,
        8, 8, 7, 6,     9, 8, 8, 7,     9, 9, 8, 8,     9, 9, 9, 8,
        10, 9, 9, 9,    10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10,
        // 8 <= nC: a 6-bit fixed-length code
        6, 0, 0, 0,
        6, 6, 0, 0,     6, 6, 6, 0,     6, 6, 6, 6,     6, 6, 6, 6,
        6, 6, 6, 6,     6, 6, 6, 6,     6, 6, 6, 6,     6, 6, 6, 6,
        6, 6, 6, 6,     6, 6, 6, 6,     6, 6, 6, 6,     6, 6, 6, 6,
        6, 6, 6, 6,     6, 6, 6, 6,     6, 6, 6, 6,     6, 6, 6, 6,
    ];

    public static ReadOnlySpan<byte> CoeffTokenCode =>
    [
        1, 0, 0, 0,
        5, 1, 0, 0,     7, 4, 1, 0,     7, 6, 5, 3,     7, 6, 5, 3,
        7, 6, 5, 4,     15, 6, 5, 4,    11, 14, 5, 4,   8, 10, 13, 4,
        15, 14, 9, 4,   11, 10, 13, 12, 15, 14, 9, 12,  11, 10, 13, 8,
        15, 1, 9, 12,   11, 14, 13, 8,  7, 10, 9, 12,   4, 6, 5, 8,

        3, 0, 0, 0,
        11, 2, 0, 0,    7, 7, 3, 0,     7, 10, 9, 5,    7, 6, 5, 4,
        4, 6, 5, 6,     7, 6, 5, 8,     15, 6, 5, 4,    11, 14, 13, 4,
        15, 10, 9, 4,   11, 14, 13, 12, 8, 10, 9, 8,    15, 14, 13, 12,
        11, 10, 9, 12,  7, 11, 6, 8,    9, 8, 10, 1,    7, 6, 5, 4,

        15, 0, 0, 0,
        15, 14, 0, 0,   11, 15, 13, 0,  8, 12, 14, 12,  15, 10, 11, 11,
        11, 8, 9, 10,   9, 14, 13, 9,   8, 10, 9, 8,    15, 14, 13, 13,
        11, 14, 10, 12, 15, 10, 13, 12, 11, 14, 9, 12,  8, 10, 13, 8,
        13, 7, 9, 12,   9, 12, 11, 10,  5, 8, 7, 6,     1, 4, 3, 2,

        3, 0, 0, 0,
        0, 1, 0, 0,     4, 5, 6, 0,     8, 9, 10, 11,   12, 13, 14, 15,
        16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31,
        32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47,
        48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63,
    ];

    /// <summary>Table 9-5, coeff_token for chroma DC in 4:2:0 (nC = −1); index TotalCoeff * 4 + TrailingOnes.</summary>
    public static ReadOnlySpan<byte> ChromaDcCoeffTokenLength => [2, 0, 0, 0, 6, 1, 0, 0, 6, 6, 3, 0, 6, 7, 7, 6, 6, 8, 8, 7];

    public static ReadOnlySpan<byte> ChromaDcCoeffTokenCode => [1, 0, 0, 0, 7, 1, 0, 0, 4, 6, 1, 0, 3, 3, 2, 5, 2, 3, 2, 0];

    /// <summary>Tables 9-7 and 9-8, total_zeros for 4×4 blocks; index (TotalCoeff − 1) * 16 + total_zeros.</summary>
    public static ReadOnlySpan<byte> TotalZerosLength =>
    [
        1, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 9,
        3, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 6, 6, 6, 6, 0,
        4, 3, 3, 3, 4, 4, 3, 3, 4, 5, 5, 6, 5, 6, 0, 0,
        5, 3, 4, 4, 3, 3, 3, 4, 3, 4, 5, 5, 5, 0, 0, 0,
        4, 4, 4, 3, 3, 3, 3, 3, 4, 5, 4, 5, 0, 0, 0, 0,
        6, 5, 3, 3, 3, 3, 3, 3, 4, 3, 6, 0, 0, 0, 0, 0,
        6, 5, 3, 3, 3, 2, 3, 4, 3, 6, 0, 0, 0, 0, 0, 0,
        6, 4, 5, 3, 2, 2, 3, 3, 6, 0, 0, 0, 0, 0, 0, 0,
        6, 6, 4, 2, 2, 3, 2, 5, 0, 0, 0, 0, 0, 0, 0, 0,
        5, 5, 3, 2, 2, 2, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        4, 4, 3, 3, 1, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        4, 4, 2, 1, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        3, 3, 1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        2, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    ];

    public static ReadOnlySpan<byte> TotalZerosCode =>
    [
        1, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 1,
        7, 6, 5, 4, 3, 5, 4, 3, 2, 3, 2, 3, 2, 1, 0, 0,
        5, 7, 6, 5, 4, 3, 4, 3, 2, 3, 2, 1, 1, 0, 0, 0,
        3, 7, 5, 4, 6, 5, 4, 3, 3, 2, 2, 1, 0, 0, 0, 0,
        5, 4, 3, 7, 6, 5, 4, 3, 2, 1, 1, 0, 0, 0, 0, 0,
        1, 1, 7, 6, 5, 4, 3, 2, 1, 1, 0, 0, 0, 0, 0, 0,
        1, 1, 5, 4, 3, 3, 2, 1, 1, 0, 0, 0, 0, 0, 0, 0,
        1, 1, 1, 3, 3, 2, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0,
        1, 0, 1, 3, 2, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0,
        1, 0, 1, 3, 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 1, 1, 2, 1, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    ];

    /// <summary>Table 9-9 (a), total_zeros for 4:2:0 chroma DC; index (TotalCoeff − 1) * 4 + total_zeros.</summary>
    public static ReadOnlySpan<byte> ChromaDcTotalZerosLength => [1, 2, 3, 3, 1, 2, 2, 0, 1, 1, 0, 0];

    public static ReadOnlySpan<byte> ChromaDcTotalZerosCode => [1, 1, 1, 0, 1, 1, 0, 0, 1, 0, 0, 0];

    /// <summary>Table 9-10, run_before; index (min(zerosLeft, 7) − 1) * 16 + run_before.</summary>
    public static ReadOnlySpan<byte> RunBeforeLength =>
    [
        1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        1, 2, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        2, 2, 2, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        2, 2, 2, 3, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        2, 2, 3, 3, 3, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        2, 3, 3, 3, 3, 3, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        3, 3, 3, 3, 3, 3, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0,
    ];

    public static ReadOnlySpan<byte> RunBeforeCode =>
    [
        1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        3, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        3, 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        3, 2, 3, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        3, 0, 1, 3, 2, 5, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        7, 6, 5, 4, 3, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0,
    ];

    /// <summary>Table 9-4 (chroma_format_idc 1 or 2): codeNum of coded_block_pattern for intra (Intra_4x4) macroblocks, by codeNum.</summary>
    public static ReadOnlySpan<byte> IntraCodedBlockPatternByCodeNum =>
    [
        47, 31, 15, 0, 23, 27, 29, 30, 7, 11, 13, 14, 39, 43, 45, 46,
        16, 3, 5, 10, 12, 19, 21, 26, 28, 35, 37, 42, 44, 1, 2, 4,
        8, 17, 18, 20, 24, 6, 9, 22, 25, 32, 33, 34, 36, 40, 38, 41,
    ];

    /// <summary>Table 9-4: coded_block_pattern of inter macroblocks, by codeNum.</summary>
    public static ReadOnlySpan<byte> InterCodedBlockPatternByCodeNum =>
    [
        0, 16, 1, 2, 4, 8, 32, 3, 5, 10, 12, 15, 47, 7, 11, 13,
        14, 6, 9, 31, 35, 37, 42, 44, 33, 34, 36, 40, 39, 43, 45, 46,
        17, 18, 20, 24, 19, 21, 26, 28, 23, 27, 29, 30, 22, 25, 38, 41,
    ];

    /// <summary>8.5.6, Table 8-13 (frame macroblocks): zig-zag scan position → raster index in the 4×4 block.</summary>
    public static ReadOnlySpan<byte> ZigZag4x4 => [0, 1, 4, 8, 5, 2, 3, 6, 9, 12, 13, 10, 7, 11, 14, 15];

    /// <summary>Table 8-15: QPc as a function of qPI (the chroma QP for luma QP plus chroma_qp_index_offset).</summary>
    public static ReadOnlySpan<byte> ChromaQp =>
    [
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29,
        29, 30, 31, 32, 32, 33, 34, 34, 35, 35, 36, 36, 37, 37, 37, 38, 38, 38, 39, 39, 39, 39,
    ];

    /// <summary>The inverse of <see cref="IntraCodedBlockPatternByCodeNum"/>: codeNum by coded_block_pattern.</summary>
    public static readonly byte[] IntraCodeNumByCodedBlockPattern = Invert(IntraCodedBlockPatternByCodeNum);

    public static readonly byte[] InterCodeNumByCodedBlockPattern = Invert(InterCodedBlockPatternByCodeNum);

    private static byte[] Invert(ReadOnlySpan<byte> byCodeNum)
    {
        var inverse = new byte[48];
        for (int codeNum = 0; codeNum < byCodeNum.Length; codeNum++)
            inverse[byCodeNum[codeNum]] = (byte)codeNum;
        return inverse;
    }
}
