namespace EdgeRtmp.Configuration;

/// <summary>
/// A configuration value we cannot run with. The message names the key, the value and the reason
/// (<c>Server:ChunkSize = 50: must be 128 to 65536</c>); the CLI prints it and exits with code 2.
/// </summary>
public sealed class ConfigurationException : Exception
{
    public ConfigurationException(string message)
        : base(message)
    {
    }

    public ConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ConfigurationException()
    {
    }

    /// <summary>Builds the usual <c>KEY = VALUE: reason</c> message; text values are quoted, numbers are not.</summary>
    public static ConfigurationException ForValue(string key, string? value, string reason, bool quote = true) =>
        new($"{key} = {FormatValue(value, quote)}: {reason}");

    public static string FormatValue(string? value, bool quote = true) =>
        value is null ? "(null)" : quote ? "\"" + value + "\"" : value;
}
