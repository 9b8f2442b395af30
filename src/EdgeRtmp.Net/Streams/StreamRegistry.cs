namespace EdgeRtmp.Net.Streams;

/// <summary>
/// The hubs by stream path ("live/cam"). A hub exists while anyone uses it — a publisher, a
/// subscriber, or an in-process source that holds it — so names players ask for do not pile up.
/// </summary>
public sealed class StreamRegistry
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Entry> _hubs = new(StringComparer.Ordinal);
    private readonly TimeSpan _audioHold;
    private readonly TimeProvider _time;

    /// <param name="audioHold">The hubs' audio hold (<see cref="StreamHub"/>); null: <see cref="StreamHub.DefaultAudioHold"/>.</param>
    /// <param name="time">The clock of the hubs' audio hold.</param>
    public StreamRegistry(TimeSpan? audioHold = null, TimeProvider? time = null)
    {
        _audioHold = audioHold ?? StreamHub.DefaultAudioHold;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>The hub for <paramref name="path"/>, created if needed; pair with <see cref="Release"/>.</summary>
    public StreamHub Acquire(string path)
    {
        lock (_gate)
        {
            if (!_hubs.TryGetValue(path, out Entry? entry))
            {
                entry = new Entry(new StreamHub(path, audioHold: _audioHold, time: _time));
                _hubs.Add(path, entry);
            }

            entry.Users++;
            return entry.Hub;
        }
    }

    public void Release(StreamHub hub)
    {
        lock (_gate)
        {
            if (_hubs.TryGetValue(hub.Name, out Entry? entry) && ReferenceEquals(entry.Hub, hub) && --entry.Users == 0)
            {
                _hubs.Remove(hub.Name);
            }
        }
    }

    public StreamHub? Find(string path)
    {
        lock (_gate)
        {
            return _hubs.TryGetValue(path, out Entry? entry) ? entry.Hub : null;
        }
    }

    /// <summary>Subscribers over every hub: the local players watching now.</summary>
    public int SubscriberCount
    {
        get
        {
            lock (_gate)
            {
                int count = 0;
                foreach (Entry entry in _hubs.Values)
                {
                    count += entry.Hub.SubscriberCount;
                }

                return count;
            }
        }
    }

    private sealed class Entry(StreamHub hub)
    {
        public StreamHub Hub { get; } = hub;
        public int Users;
    }
}
