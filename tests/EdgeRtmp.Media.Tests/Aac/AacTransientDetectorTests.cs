using EdgeRtmp.Media.Aac;

namespace EdgeRtmp.Media.Tests.Aac;

public class AacTransientDetectorTests
{
    private static float[] Tone(int frame, double amplitude) =>
        Enumerable.Range(0, AacEncoder.FrameSamples)
            .Select(i => (float)(amplitude * Math.Sin(2 * Math.PI * 440 * (frame * 1024 + i) / 48000.0))).ToArray();

    [Fact]
    public void A_steady_tone_and_silence_have_no_attacks()
    {
        var detector = new AacTransientDetector();
        detector.Examine(Tone(0, 10000));
        for (int frame = 1; frame < 50; frame++)
            Assert.Equal(AttackPlace.None, detector.Examine(Tone(frame, 10000)));
        var quiet = new AacTransientDetector();
        for (int frame = 0; frame < 10; frame++)
            Assert.Equal(AttackPlace.None, quiet.Examine(new float[AacEncoder.FrameSamples]));
    }

    [Theory]
    [InlineData(100, (int)AttackPlace.Early)]
    [InlineData(450, (int)(AttackPlace.Early | AttackPlace.Late))]
    [InlineData(900, (int)AttackPlace.Late)]
    internal void A_click_is_placed_early_or_late_in_its_frame(int position, int expected)
    {
        var detector = new AacTransientDetector();
        for (int frame = 0; frame < 5; frame++)
            detector.Examine(Tone(frame, 300));
        float[] clicked = Tone(5, 300);
        for (int i = position; i < position + 20; i++)
            clicked[i] += i % 2 == 0 ? 15000 : -15000;
        Assert.Equal((AttackPlace)expected, detector.Examine(clicked));
    }

    [Fact]
    public void A_click_quieter_than_a_few_lsb_is_not_an_attack()
    {
        var detector = new AacTransientDetector();
        detector.Examine(new float[AacEncoder.FrameSamples]);
        float[] frame = new float[AacEncoder.FrameSamples];
        frame[500] = 3;
        Assert.Equal(AttackPlace.None, detector.Examine(frame));
    }
}
