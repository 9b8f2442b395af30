using System.Buffers.Binary;

namespace EdgeRtmp.Media.Wav;

/// <summary>
/// The header of a PCM WAV file: where its 16-bit little-endian interleaved samples are and what they are.
/// </summary>
/// <remarks>
/// RIFF layout (Microsoft "Multimedia Programming Interface and Data Specifications 1.0", WAVEFORMATEX):
/// <code>
///  0  "RIFF"  u32 size  "WAVE"
/// 12  chunks: 4-byte id, u32 length, data padded to an even length
///     "fmt "  u16 format (1 PCM, 0xFFFE extensible), u16 channels, u32 rate, u32 bytes/s, u16 block align, u16 bits
///             [extensible: u16 cbSize, u16 valid bits, u32 channel mask, 16-byte subformat GUID, PCM = 0x0001...]
///     "data"  the samples
/// </code>
/// A "data" length of 0 or past the end of the file (a recorder that never finished, a pipe) means "to the end".
/// </remarks>
public sealed record WavFormat(int SampleRate, int Channels, int BitsPerSample, long DataOffset, long DataLength)
{
    private const ushort FormatPcm = 1;
    private const ushort FormatExtensible = 0xFFFE;

    /// <summary>How much of the file's start <see cref="Parse"/> needs at most to find the data chunk.</summary>
    public const int MaxHeaderBytes = 64 * 1024;

    public int BlockAlign => Channels * BitsPerSample / 8;

    /// <summary>Whole sample frames in the data chunk.</summary>
    public long Frames => DataLength / BlockAlign;

    /// <summary>
    /// Reads the header from the file's first bytes (<paramref name="start"/>, up to <see cref="MaxHeaderBytes"/>) of a
    /// file <paramref name="fileLength"/> long. Throws <see cref="MediaFormatException"/> naming what is wrong: not a
    /// WAV, not PCM, not 16-bit, no samples.
    /// </summary>
    public static WavFormat Parse(ReadOnlySpan<byte> start, long fileLength)
    {
        if (start.Length < 12 || !start[..4].SequenceEqual("RIFF"u8) || !start.Slice(8, 4).SequenceEqual("WAVE"u8))
        {
            MediaFormatException.Throw("not a WAV file: it does not start with RIFF....WAVE");
        }

        int position = 12;
        int channels = 0, rate = 0, bits = 0;
        while (position + 8 <= start.Length)
        {
            ReadOnlySpan<byte> id = start.Slice(position, 4);
            uint length = BinaryPrimitives.ReadUInt32LittleEndian(start.Slice(position + 4));
            int body = position + 8;
            if (id.SequenceEqual("fmt "u8))
            {
                if (length < 16 || body + 16 > start.Length)
                {
                    MediaFormatException.Throw($"WAV 'fmt ' chunk at offset {position} is {length} bytes, shorter than the 16 of a PCM format");
                }

                ushort format = BinaryPrimitives.ReadUInt16LittleEndian(start.Slice(body));
                channels = BinaryPrimitives.ReadUInt16LittleEndian(start.Slice(body + 2));
                rate = (int)Math.Min(int.MaxValue, BinaryPrimitives.ReadUInt32LittleEndian(start.Slice(body + 4)));
                bits = BinaryPrimitives.ReadUInt16LittleEndian(start.Slice(body + 14));
                if (format == FormatExtensible && length >= 40 && body + 26 <= start.Length)
                {
                    // The subformat GUID's first two bytes are the format tag it stands for.
                    format = BinaryPrimitives.ReadUInt16LittleEndian(start.Slice(body + 24));
                }

                if (format != FormatPcm)
                {
                    MediaFormatException.Throw($"WAV format tag 0x{format:X4} is not integer PCM (1): convert it with 'ffmpeg -i IN -c:a pcm_s16le OUT.wav'");
                }

                if (bits != 16)
                {
                    MediaFormatException.Throw($"WAV samples are {bits}-bit; only 16-bit PCM is supported: convert with 'ffmpeg -i IN -c:a pcm_s16le OUT.wav'");
                }

                if (channels is < 1 or > 2)
                {
                    MediaFormatException.Throw($"WAV has {channels} channels; only mono and stereo are supported");
                }

                if (rate < 8000 || rate > 96000)
                {
                    MediaFormatException.Throw($"WAV sample rate {rate} Hz is outside 8000..96000");
                }
            }
            else if (id.SequenceEqual("data"u8))
            {
                if (channels == 0)
                {
                    MediaFormatException.Throw("WAV 'data' chunk comes before any 'fmt ' chunk");
                }

                long available = fileLength - body;
                long dataLength = length == 0 || length > available ? available : length;
                int blockAlign = channels * bits / 8;
                dataLength -= dataLength % blockAlign;
                if (dataLength <= 0)
                {
                    MediaFormatException.Throw("WAV 'data' chunk holds no samples");
                }

                return new WavFormat(rate, channels, bits, body, dataLength);
            }

            position = body + (int)Math.Min(length + (length & 1), int.MaxValue - body);
        }

        MediaFormatException.Throw(channels == 0
            ? "WAV file has no 'fmt ' chunk"
            : $"WAV file has no 'data' chunk in its first {Math.Min(start.Length, MaxHeaderBytes)} bytes");
        return null!;
    }
}
