using System.Buffers;
using BenchmarkDotNet.Attributes;
using EdgeRtmp.Media.Flv;

namespace EdgeRtmp.Benchmarks;

/// <summary>
/// 1000 FLV tags (a 25 fps H.264-like mix: a 40 KB keyframe every 25, 4 KB inter frames, 300 B AAC frames
/// between them) parsed from and written to memory. Per tag = mean / 1000.
/// </summary>
[MemoryDiagnoser]
public class FlvBenchmarks
{
    private const int TagCount = 1000;
    private readonly byte[] _keyframe = new byte[40_000];
    private readonly byte[] _interFrame = new byte[4_000];
    private readonly byte[] _audioFrame = new byte[300];
    private byte[] _file = [];
    private MemoryStream _input = null!;
    private FlvFileReader _fileReader = null!;
    private ArrayBufferWriter<byte> _output = null!;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(11);
        random.NextBytes(_keyframe);
        random.NextBytes(_interFrame);
        random.NextBytes(_audioFrame);
        _keyframe[0] = 0x17;
        _interFrame[0] = 0x27;
        _audioFrame[0] = 0xAF;
        _output = new ArrayBufferWriter<byte>(2 * 1024 * 1024);
        WriteTags();
        _file = _output.WrittenSpan.ToArray();
        _input = new MemoryStream(_file, writable: false);
        _fileReader = new FlvFileReader(_input, leaveOpen: true);
    }

    [GlobalCleanup]
    public void Cleanup() => _fileReader.Dispose();

    /// <summary>The synchronous parser over one contiguous buffer, counting keyframes as a consumer would.</summary>
    [Benchmark]
    public int ReadTags()
    {
        var reader = new FlvReader();
        var buffer = new ReadOnlySequence<byte>(_file);
        reader.TryReadHeader(ref buffer, out _);
        int keyframes = 0;
        while (reader.TryReadTag(ref buffer, out FlvTag tag))
        {
            if (tag.TagType == FlvTagType.Video && FlvPayload.IsVideoKeyframe(tag.Payload.FirstSpan))
            {
                keyframes++;
            }
        }

        return keyframes;
    }

    /// <summary>The async file reader over a MemoryStream: buffer refills and copies included.</summary>
    [Benchmark]
    public async Task<int> ReadTagsFromStream()
    {
        _fileReader.Rewind();
        int tags = 0;
        while (await _fileReader.ReadTagAsync())
        {
            tags++;
        }

        return tags;
    }

    [Benchmark]
    public int WriteTags()
    {
        _output.ResetWrittenCount();
        FlvWriter.WriteHeader(_output, hasAudio: true, hasVideo: true);
        for (int i = 0; i < TagCount; i++)
        {
            uint timestamp = (uint)(i * 20);
            if (i % 2 == 1)
            {
                FlvWriter.WriteTag(_output, FlvTagType.Audio, timestamp, _audioFrame);
            }
            else
            {
                FlvWriter.WriteTag(_output, FlvTagType.Video, timestamp, i % 50 == 0 ? _keyframe : _interFrame);
            }
        }

        return _output.WrittenCount;
    }
}
