using Microsoft.Extensions.Logging;

namespace EdgeRtmp.Tests.TestSupport;

/// <summary>Keeps every line logged (event id, level, message), Debug included, for tests that count them.</summary>
public sealed class ListLogger : ILogger
{
    private readonly List<(int EventId, LogLevel Level, string Message)> _lines = [];

    public IReadOnlyList<(int EventId, LogLevel Level, string Message)> Lines
    {
        get
        {
            lock (_lines)
            {
                return [.. _lines];
            }
        }
    }

    public int Count(int eventId) => Lines.Count(line => line.EventId == eventId);

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        lock (_lines)
        {
            _lines.Add((eventId.Id, logLevel, formatter(state, exception)));
        }
    }
}
