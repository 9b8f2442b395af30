namespace EdgeRtmp.Protocol.Chunking;

/// <summary>
/// Per-chunk-stream state, looked up on every chunk. Ids below 64 (the one-byte basic header form,
/// which is what every real peer uses) index an array; the rare longer ids go to a dictionary. The
/// number of entries is capped by the caller. Small on purpose: every connection has two.
/// </summary>
internal sealed class ChunkStreamTable<T>(int capacityHint) where T : class
{
    private const int DirectIds = 64;
    private readonly T?[] _direct = new T?[DirectIds];
    private Dictionary<int, T>? _high;
    private readonly List<T> _all = new(Math.Min(capacityHint, 16));

    public int Count => _all.Count;

    public T? Find(int chunkStreamId)
    {
        if ((uint)chunkStreamId < DirectIds)
        {
            return _direct[chunkStreamId];
        }

        return _high is not null && _high.TryGetValue(chunkStreamId, out T? value) ? value : null;
    }

    public void Add(int chunkStreamId, T value)
    {
        if ((uint)chunkStreamId < DirectIds)
        {
            _direct[chunkStreamId] = value;
        }
        else
        {
            (_high ??= new Dictionary<int, T>())[chunkStreamId] = value;
        }

        _all.Add(value);
    }

    public void ForEach(Action<T> action)
    {
        foreach (T value in _all)
        {
            action(value);
        }
    }

    public void Clear()
    {
        Array.Clear(_direct);
        _high?.Clear();
        _all.Clear();
    }
}
