using EdgeRtmp.Pipeline;

namespace EdgeRtmp.Panel;

/// <summary>
/// Shows a <see cref="MediaPipeline"/>'s <see cref="MediaPipeline.Condition"/> on a <see cref="BoxPanel"/> from the
/// moment it is made: a source that failed before the panel opened (its very first run) lights the error LED at once,
/// and later changes follow. The hub cannot tell this: the pipeline holds its stream for its whole life, failed
/// sources included.
/// </summary>
public sealed class PipelineSourceFeed : IDisposable
{
    private readonly Lock _gate = new();
    private readonly MediaPipeline _pipeline;
    private readonly BoxPanel _panel;
    private readonly Action<SourceCondition> _changed;
    private bool _disposed;

    public PipelineSourceFeed(MediaPipeline pipeline, BoxPanel panel)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentNullException.ThrowIfNull(panel);
        _pipeline = pipeline;
        _panel = panel;
        _changed = _ => Show();

        // Subscribed before the first read, so no change falls between the two.
        pipeline.ConditionChanged += _changed;
        Show();
    }

    public void Dispose()
    {
        _pipeline.ConditionChanged -= _changed;
        lock (_gate)
        {
            _disposed = true;
        }
    }

    /// <summary>Reads the condition under the lock: two changes racing on two threads cannot leave the older one shown.</summary>
    private void Show()
    {
        lock (_gate)
        {
            if (!_disposed)
            {
                _panel.SetSource(_pipeline.Condition);
            }
        }
    }
}
