using EdgeRtmp.Media;
using EdgeRtmp.Media.TestCard;
using EdgeRtmp.Media.Wav;

namespace EdgeRtmp.Pipeline.Audio;

/// <summary>The test card's tone as an <see cref="IPcmReader"/>.</summary>
public sealed class TonePcmReader(TestTone tone) : IPcmReader
{
    public void Read(Span<short> interleaved, long firstFrame) => tone.Fill(interleaved, firstFrame);

    public void Dispose()
    {
    }
}

/// <summary>A WAV file looped without a seam as an <see cref="IPcmReader"/> (it reads on, whatever frame index is asked).</summary>
public sealed class WavPcmReader(WavLoopReader reader) : IPcmReader
{
    /// <summary>Opens <paramref name="path"/> read-only and checks it is a WAV we can play (<see cref="MediaFormatException"/> otherwise).</summary>
    public static WavLoopReader Open(string path)
    {
        Microsoft.Win32.SafeHandles.SafeFileHandle file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        try
        {
            return WavLoopReader.Create(file, path);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    public void Read(Span<short> interleaved, long firstFrame) => reader.Read(interleaved);

    public void Dispose() => reader.Dispose();
}
