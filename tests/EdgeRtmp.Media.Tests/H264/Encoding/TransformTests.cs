using EdgeRtmp.Media.H264.Encoding;

namespace EdgeRtmp.Media.Tests.H264.Encoding;

public sealed class TransformTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    [InlineData(12)]
    public void Forward_quantise_dequantise_inverse_returns_the_residual_at_low_qp(int qp)
    {
        var random = new Random(qp);
        int[] block = new int[16], original = new int[16];
        short[] levels = new short[16];
        for (int iteration = 0; iteration < 200; iteration++)
        {
            for (int i = 0; i < 16; i++)
                original[i] = block[i] = random.Next(-255, 256);
            Transform4x4.Forward(block);
            Transform4x4.Quantize(block, levels, qp, Transform4x4.Deadzone(qp, intra: true), first: 0);
            Transform4x4.Dequantize(levels, block, qp, first: 0);
            Transform4x4.Inverse(block);
            for (int i = 0; i < 16; i++)
                Assert.InRange(block[i] - original[i], -(1 + qp / 3), 1 + qp / 3);
        }
    }

    [Fact]
    public void Inverse_follows_the_standard_on_a_known_block()
    {
        // A lone DC of 64 is a flat block of (64 + 32) >> 6 = 1; a lone d[0][1] of 64 gives the odd basis, halves rounded as 8.5.12.2.
        int[] d = new int[16];
        d[0] = 64;
        Transform4x4.Inverse(d);
        Assert.All(d, value => Assert.Equal(1, value));
        d = new int[16];
        d[1] = 128;
        Transform4x4.Inverse(d);
        Assert.Equal(new[] { 2, 1, -1, -2 }, d.Take(4).ToArray());
        Assert.Equal(d.Take(4).ToArray(), d.Skip(12).Take(4).ToArray());
    }

    [Fact]
    public void Hadamard_twice_scales_by_sixteen_and_two_by_two_by_four()
    {
        var random = new Random(7);
        int[] block = Enumerable.Range(0, 16).Select(_ => random.Next(-1000, 1000)).ToArray();
        int[] copy = (int[])block.Clone();
        Transform4x4.Hadamard(block);
        Transform4x4.Hadamard(block);
        Assert.Equal(copy.Select(v => 16 * v), block);
        int[] chroma = [5, -3, 7, 11];
        Transform4x4.Hadamard2x2(chroma);
        Transform4x4.Hadamard2x2(chroma);
        Assert.Equal(new[] { 20, -12, 28, 44 }, chroma);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(17)]
    [InlineData(26)]
    [InlineData(51)]
    public void Dc_scaling_follows_8_5_10_and_8_5_11(int qp)
    {
        int[] v0 = [10, 11, 13, 14, 16, 18];
        int levelScale = 16 * v0[qp % 6];
        int expectedLuma = qp >= 36 ? (3 * levelScale) << (qp / 6 - 6) : (3 * levelScale + (1 << (5 - qp / 6))) >> (6 - qp / 6);
        Assert.Equal(expectedLuma, Transform4x4.ScaleLumaDc(3, qp));
        Assert.Equal(((-3 * levelScale) << (qp / 6)) >> 5, Transform4x4.ScaleChromaDc(-3, qp));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(20)]
    [InlineData(30)]
    [InlineData(51)]
    public void Blocks_below_the_zero_sad_limit_quantise_to_zero(int qp)
    {
        int deadzone = Transform4x4.Deadzone(qp, intra: false);
        int limit = Transform4x4.ZeroBlockSadLimit(qp, deadzone);
        var random = new Random(qp);
        int[] block = new int[16];
        short[] levels = new short[16];
        for (int iteration = 0; iteration < 500; iteration++)
        {
            // Put the whole SAD budget where the transform gains most: the worst case for the bound.
            Array.Clear(block);
            int budget = limit;
            while (budget > 0)
            {
                int position = random.Next(16), amount = Math.Min(budget, random.Next(1, 64));
                block[position] += random.Next(2) == 0 ? amount : -amount;
                budget -= amount;
            }
            Transform4x4.Forward(block);
            Assert.Equal(0, Transform4x4.Quantize(block, levels, qp, deadzone, first: 0));
        }
    }
}
