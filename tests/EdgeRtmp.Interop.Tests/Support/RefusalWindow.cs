using System.Diagnostics;

namespace EdgeRtmp.Interop.Tests.Support;

/// <summary>
/// The publisher takes a close within 1 s of going live for the server's refusal (<c>RtmpPublisher.RefusalWindow</c>:
/// nginx's "deny publish" answers and closes at once) and then waits 30 s before trying again. A test of an upstream
/// outage kills the upstream after that window: a real-time one, so the wait is on the real clock, counted from when
/// the test saw the publisher live (never earlier than the publisher's own count starts).
/// </summary>
public static class RefusalWindow
{
    private static readonly TimeSpan s_past = TimeSpan.FromSeconds(1.5);

    public static async Task PassAsync(Stopwatch sinceLive)
    {
        TimeSpan left = s_past - sinceLive.Elapsed;
        if (left > TimeSpan.Zero)
        {
            await Task.Delay(left);
        }
    }
}
