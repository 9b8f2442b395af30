using EdgeRtmp.Media.Aac;

namespace EdgeRtmp.Media.Tests.Aac;

public class AacMdctTests
{
    [Theory]
    [InlineData(256)]
    [InlineData(2048)]
    public void Matches_the_definition(int length)
    {
        var random = new Random(length);
        float[] block = new float[length];
        for (int i = 0; i < length; i++)
            block[i] = (float)(random.NextDouble() * 2 - 1) * 1000;
        float[] fast = new float[length / 2];
        new AacMdct(length).Forward(block, fast);

        double n0 = length / 4.0 + 0.5;
        double maxError = 0, maxValue = 0;
        for (int k = 0; k < length / 2; k++)
        {
            double sum = 0;
            for (int n = 0; n < length; n++)
                sum += block[n] * Math.Cos(2 * Math.PI / length * (n + n0) * (k + 0.5));
            sum *= 2;
            maxError = Math.Max(maxError, Math.Abs(sum - fast[k]));
            maxValue = Math.Max(maxValue, Math.Abs(sum));
        }
        Assert.True(maxError < maxValue * 1e-5, $"largest error {maxError} against largest value {maxValue}");
    }
}
