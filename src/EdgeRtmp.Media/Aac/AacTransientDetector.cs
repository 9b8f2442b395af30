namespace EdgeRtmp.Media.Aac;

/// <summary>
/// Finds attacks that would smear into pre-echo over a long window: the energy of the high-passed signal in each
/// 128-sample block of a new frame against the mean of the eight blocks before it. A block that rises more than
/// <see cref="AttackRatio"/> above that mean, and above a floor a few LSB high, is an attack.
/// </summary>
internal sealed class AacTransientDetector
{
    private const int BlockLength = 128;
    private const int Blocks = AacEncoder.FrameSamples / BlockLength;

    /// <summary>10 dB: claps, plosives and drum hits pass it; vibrato and note changes of a sustained tone do not.</summary>
    public const float AttackRatio = 10f;

    /// <summary>Energy of a block of 128 high-passed samples about 8 LSB in amplitude: quieter "attacks" cannot be heard as pre-echo.</summary>
    private const float EnergyFloor = BlockLength * 64f;

    private readonly float[] _recentEnergies = new float[Blocks];
    private float _previousSample;

    /// <summary>Energies of the eight blocks of the last frame examined (for grouping short windows).</summary>
    public ReadOnlySpan<float> BlockEnergies => _recentEnergies;

    /// <summary>
    /// Examines one frame of samples. Returns where it holds attacks: <see cref="AttackPlace.Early"/> for the first
    /// 640 samples (short windows of the block that ends with this frame reach 576 into it),
    /// <see cref="AttackPlace.Late"/> for the samples from 384 on (those of the block that begins with it start at 448).
    /// </summary>
    public AttackPlace Examine(ReadOnlySpan<float> frame)
    {
        Span<float> energies = stackalloc float[Blocks];
        float previous = _previousSample;
        for (int block = 0; block < Blocks; block++)
        {
            float energy = 0;
            ReadOnlySpan<float> samples = frame.Slice(block * BlockLength, BlockLength);
            for (int i = 0; i < samples.Length; i++)
            {
                // A first difference: +6 dB per octave, so the attack's wideband edge stands out over bass.
                float highPassed = samples[i] - previous;
                previous = samples[i];
                energy += highPassed * highPassed;
            }
            energies[block] = energy;
        }
        _previousSample = previous;

        AttackPlace attack = AttackPlace.None;
        float sum = 0;
        for (int i = 0; i < Blocks; i++)
            sum += _recentEnergies[i];
        for (int block = 0; block < Blocks; block++)
        {
            float mean = sum / Blocks;
            if (energies[block] > EnergyFloor && energies[block] > AttackRatio * mean)
                attack |= (block <= 4 ? AttackPlace.Early : 0) | (block >= 3 ? AttackPlace.Late : 0);
            // Slide the window of eight blocks by one.
            sum += energies[block] - _recentEnergies[block];
        }
        energies.CopyTo(_recentEnergies);
        return attack;
    }
}

[Flags]
internal enum AttackPlace
{
    None = 0,
    Early = 1,
    Late = 2,
}
