namespace EdgeRtmp.Net.Streams;

// Stand-in; replaced by the real server on merge. It only exists so the app branch builds and
// tests against the agreed API (the real registry keeps one StreamHub per stream path).
public sealed class StreamRegistry
{
    public StreamRegistry()
    {
    }
}
