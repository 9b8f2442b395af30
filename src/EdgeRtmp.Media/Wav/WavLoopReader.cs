using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace EdgeRtmp.Media.Wav;

/// <summary>
/// Reads a 16-bit PCM WAV file's samples round and round: at the end of the data the same read goes on from its start,
/// so a loop has no seam (no gap, no repeated or missing sample). Positioned reads into the caller's buffer: no
/// allocation per read. Not thread-safe.
/// </summary>
public sealed class WavLoopReader : IDisposable
{
    private readonly SafeFileHandle _file;
    private long _position;

    private WavLoopReader(string path, SafeFileHandle file, WavFormat format)
    {
        Path = path;
        _file = file;
        Format = format;
    }

    public string Path { get; }

    public WavFormat Format { get; }

    /// <summary>Times the data has wrapped to its start.</summary>
    public long Loops { get; private set; }

    /// <summary>
    /// Checks the WAV in <paramref name="file"/> (opened by the caller: Media never opens files) and reads it from then on;
    /// disposing the reader closes the handle. <see cref="MediaFormatException"/> (prefixed with <paramref name="path"/>)
    /// when it is not a usable WAV; the handle is then left to the caller.
    /// </summary>
    public static WavLoopReader Create(SafeFileHandle file, string path)
    {
        ArgumentNullException.ThrowIfNull(file);
        long length = RandomAccess.GetLength(file);
        var header = new byte[(int)Math.Min(length, WavFormat.MaxHeaderBytes)];
        int read = RandomAccess.Read(file, header, 0);
        WavFormat format;
        try
        {
            format = WavFormat.Parse(header.AsSpan(0, read), length);
        }
        catch (MediaFormatException error)
        {
            throw new MediaFormatException($"{path}: {error.Message}");
        }

        return new WavLoopReader(path, file, format);
    }

    /// <summary>Fills <paramref name="interleaved"/> (whole frames) with the next samples, wrapping at the end of the data.</summary>
    public void Read(Span<short> interleaved)
    {
        if (interleaved.Length % Format.Channels != 0)
        {
            throw new ArgumentException($"the buffer must hold whole frames of {Format.Channels} samples", nameof(interleaved));
        }

        // WAV samples are little-endian, as are x86-64 and arm64: read them straight into the shorts.
        Span<byte> bytes = MemoryMarshal.AsBytes(interleaved);
        int filled = 0;
        int emptyReads = 0;
        while (filled < bytes.Length)
        {
            long left = Format.DataLength - _position;
            int want = (int)Math.Min(bytes.Length - filled, left);
            int read = RandomAccess.Read(_file, bytes.Slice(filled, want), Format.DataOffset + _position);
            if (read == 0)
            {
                // The file shrank under us: start over, but do not spin on an emptied file.
                if (++emptyReads > 2)
                {
                    throw new MediaFormatException($"{Path}: the file ended at {Format.DataOffset + _position} bytes, before its {Format.DataLength} data bytes");
                }

                _position = Format.DataLength;
            }

            filled += read;
            _position += read;
            if (_position >= Format.DataLength)
            {
                _position = 0;
                Loops++;
            }
        }

        if (!BitConverter.IsLittleEndian)
        {
            for (int i = 0; i < interleaved.Length; i++)
            {
                interleaved[i] = System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(interleaved[i]);
            }
        }
    }

    public void Dispose() => _file.Dispose();
}
