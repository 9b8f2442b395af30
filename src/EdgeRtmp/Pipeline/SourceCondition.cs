namespace EdgeRtmp.Pipeline;

/// <summary>The media source as a whole, as the panel's error and status LEDs show it (<see cref="MediaPipeline.Condition"/>).</summary>
public enum SourceCondition : byte
{
    /// <summary>Opening, or running but no frame yet (also after a restart on request).</summary>
    Starting,
    Producing,

    /// <summary>Failed (device gone, command exited, stalled) and no frame since; the pipeline retries it.</summary>
    Failed,
}
