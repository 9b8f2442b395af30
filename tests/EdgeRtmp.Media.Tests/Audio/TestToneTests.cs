using EdgeRtmp.Media.TestCard;

namespace EdgeRtmp.Media.Tests.Audio;

public sealed class TestToneTests
{
    [Fact]
    public void SamplesDoNotDependOnHowTheyAreCut()
    {
        var tone = new TestTone(48_000, 2);
        var whole = new short[3 * 48_000 * 2];
        tone.Fill(whole, 0);
        var pieces = new short[whole.Length];
        int frame = 0;
        foreach (int size in Enumerable.Repeat(new[] { 1024, 7, 4000, 1 }, 100).SelectMany(s => s))
        {
            int frames = Math.Min(size, (whole.Length / 2) - frame);
            if (frames == 0)
            {
                break;
            }

            tone.Fill(pieces.AsSpan(frame * 2, frames * 2), frame);
            frame += frames;
        }

        tone.Fill(pieces.AsSpan(frame * 2), frame);
        Assert.Equal(whole, pieces);
    }

    [Fact]
    public void BeepsForTheFirstTenthOfEverySecond()
    {
        var tone = new TestTone(48_000, 1);
        var samples = new short[2 * 48_000];
        tone.Fill(samples, 0);
        for (int second = 0; second < 2; second++)
        {
            double beep = Rms(samples.AsSpan((second * 48_000) + 960, 2880));
            double quiet = Rms(samples.AsSpan((second * 48_000) + 10_000, 20_000));
            Assert.InRange(beep, 0.4 * short.MaxValue * 0.65, 0.4 * short.MaxValue * 0.75);
            Assert.InRange(quiet, 0.1 * short.MaxValue * 0.65, 0.1 * short.MaxValue * 0.75);
        }

        // No click: neighbouring samples never differ by more than the beep's steepest slope allows.
        int maxStep = 0;
        for (int i = 1; i < samples.Length; i++)
        {
            maxStep = Math.Max(maxStep, Math.Abs(samples[i] - samples[i - 1]));
        }

        Assert.True(maxStep < 0.4 * short.MaxValue * 2 * Math.PI * 1000 / 48_000 * 1.05, $"step {maxStep}");
    }

    private static double Rms(ReadOnlySpan<short> samples)
    {
        double sum = 0;
        foreach (short s in samples)
        {
            sum += (double)s * s;
        }

        return Math.Sqrt(sum / samples.Length);
    }
}
