namespace EdgeRtmp.Recording;

/// <summary>The <c>Record</c> section as the recorder uses it.</summary>
public sealed record RecorderOptions(string Directory, TimeSpan SegmentLength, long MaxBytes, long MinFreeBytes, bool Enabled)
{
    /// <summary>How often an open segment is fsync'ed: at most this much is lost with the power.</summary>
    public TimeSpan SyncInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How often a recorder stopped on the free-space floor looks again.</summary>
    public TimeSpan FloorRecheckInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Frames queued for the disk before video is dropped until the next keyframe.</summary>
    public int QueueCapacity { get; init; } = 2048;
}
