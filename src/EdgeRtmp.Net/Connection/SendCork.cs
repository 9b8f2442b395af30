namespace EdgeRtmp.Net.Connection;

/// <summary>
/// Holds back the inline sends a thread causes while it handles one read, then flushes each connection
/// once: the messages that arrived together leave together, in one gathered write per connection instead
/// of one per message. Thread-static and allocation-free after the first use on a thread.
/// </summary>
internal static class SendCork
{
    [ThreadStatic]
    private static List<RtmpConnection>? t_deferred;

    [ThreadStatic]
    private static int t_depth;

    public static void Enter() => t_depth++;

    /// <summary>True when a cork is active on this thread: <paramref name="connection"/> is flushed at its end.</summary>
    public static bool Defer(RtmpConnection connection)
    {
        if (t_depth == 0)
        {
            return false;
        }

        if (Interlocked.Exchange(ref connection.CorkedFlag, 1) == 0)
        {
            (t_deferred ??= new List<RtmpConnection>(64)).Add(connection);
        }

        return true;
    }

    public static void Exit()
    {
        if (--t_depth > 0 || t_deferred is not { Count: > 0 } deferred)
        {
            return;
        }

        // Flushing may not defer again (the depth is 0 now), so the list is stable while we walk it.
        for (int i = 0; i < deferred.Count; i++)
        {
            RtmpConnection connection = deferred[i];
            Volatile.Write(ref connection.CorkedFlag, 0);
            if (!connection.TryFlushInline())
            {
                connection.SignalSendLoop();
            }
        }

        deferred.Clear();
    }
}
