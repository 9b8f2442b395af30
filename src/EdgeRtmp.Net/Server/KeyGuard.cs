using System.Net;

namespace EdgeRtmp.Net.Server;

/// <summary>What to do about one wrong or missing key: how long to wait before answering, and whether to log it.</summary>
/// <param name="Delay">How long to hold the refusal: nothing for the first few failures, then doubling to <see cref="KeyGuard.MaxDelay"/>.</param>
/// <param name="Log">True for the first failure from an address in a minute; the others are counted, not logged.</param>
/// <param name="Unlogged">Failures from this address that were not logged since its last line (shown in this one).</param>
public readonly record struct KeyFailureVerdict(TimeSpan Delay, bool Log, int Unlogged);

/// <summary>
/// Slows down key guessing and keeps it out of the log: failures are counted per address; after
/// <see cref="FreeFailures"/> within <see cref="Window"/> each refusal is held back, doubling up to <see cref="MaxDelay"/>,
/// and an address is logged at most once per <see cref="LogInterval"/> with how many failures it hid. A right key clears
/// the address. The table is bounded (<see cref="MaxAddresses"/>): the quietest entry makes room. Thread-safe; time is
/// passed in (milliseconds of a monotonic clock) so tests drive it.
/// </summary>
public sealed class KeyGuard
{
    public const int FreeFailures = 3;
    public const int MaxAddresses = 1024;
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(10);
    public static readonly TimeSpan LogInterval = TimeSpan.FromMinutes(1);
    public static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(8);

    private readonly Lock _gate = new();
    private readonly Dictionary<IPAddress, Entry> _entries = [];

    public int TrackedAddresses
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count;
            }
        }
    }

    public KeyFailureVerdict Failure(IPAddress address, long nowMs)
    {
        lock (_gate)
        {
            if (!_entries.TryGetValue(address, out Entry? entry) || nowMs - entry.LastFailureMs > (long)Window.TotalMilliseconds)
            {
                if (entry is null && _entries.Count >= MaxAddresses)
                {
                    Evict();
                }

                entry = new Entry { LastLogMs = long.MinValue };
                _entries[address] = entry;
            }

            entry.Failures++;
            entry.LastFailureMs = nowMs;
            TimeSpan delay = entry.Failures <= FreeFailures
                ? TimeSpan.Zero
                : TimeSpan.FromMilliseconds(Math.Min(MaxDelay.TotalMilliseconds, 500.0 * (1L << Math.Min(entry.Failures - FreeFailures - 1, 10))));
            if (entry.LastLogMs != long.MinValue && nowMs - entry.LastLogMs < (long)LogInterval.TotalMilliseconds)
            {
                entry.Unlogged++;
                return new KeyFailureVerdict(delay, Log: false, Unlogged: entry.Unlogged);
            }

            int unlogged = entry.Unlogged;
            entry.Unlogged = 0;
            entry.LastLogMs = nowMs;
            return new KeyFailureVerdict(delay, Log: true, Unlogged: unlogged);
        }
    }

    public void Success(IPAddress address)
    {
        lock (_gate)
        {
            _entries.Remove(address);
        }
    }

    private void Evict()
    {
        IPAddress? quietest = null;
        long oldest = long.MaxValue;
        foreach ((IPAddress address, Entry entry) in _entries)
        {
            if (entry.LastFailureMs < oldest)
            {
                oldest = entry.LastFailureMs;
                quietest = address;
            }
        }

        if (quietest is not null)
        {
            _entries.Remove(quietest);
        }
    }

    private sealed class Entry
    {
        public int Failures;
        public int Unlogged;
        public long LastFailureMs;
        public long LastLogMs;
    }
}
