using System.Text.Json;
using Microsoft.Extensions.Configuration;

namespace EdgeRtmp.Configuration;

/// <summary>Where configuration comes from; every input is explicit so tests never touch the process environment.</summary>
public sealed record ConfigurationRequest
{
    public const string DefaultPath = "/etc/edgertmp/edgertmp.json";

    /// <summary>From <c>--config</c>: must exist.</summary>
    public string? ConfigFile { get; init; }

    /// <summary>Read when <see cref="ConfigFile"/> is not given and this file exists; built-in defaults otherwise.</summary>
    public string DefaultConfigFile { get; init; } = DefaultPath;

    /// <summary>Environment variables; those named <c>EDGERTMP__Section__Key</c> override the file.</summary>
    public IReadOnlyDictionary<string, string?> Environment { get; init; } = new Dictionary<string, string?>();

    /// <summary>CLI flags as configuration keys (<c>Server:Listen</c>); they override everything.</summary>
    public IReadOnlyDictionary<string, string?> Overrides { get; init; } = new Dictionary<string, string?>();

    /// <summary>From repeated <c>--push</c>: when non-empty, replaces the configured Push list (all enabled).</summary>
    public IReadOnlyList<string> PushUrls { get; init; } = [];
}

/// <summary>
/// Layers JSON file &lt; <c>EDGERTMP__</c> environment variables &lt; CLI flags, checks raw types and unknown keys,
/// binds with the configuration-binding source generator and validates. Any problem is one
/// <see cref="ConfigurationException"/>.
/// </summary>
public static class ConfigurationLoader
{
    public const string EnvironmentPrefix = "EDGERTMP__";

    private static readonly JsonDocumentOptions s_jsonOptions = new()
    {
        // What Microsoft.Extensions.Configuration.Json itself accepts.
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    public static AppSettings Load(ConfigurationRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var builder = new ConfigurationBuilder();

        var file = request.ConfigFile;
        if (file is not null)
        {
            if (!File.Exists(file))
            {
                throw new ConfigurationException($"--config {file}: no such file");
            }
        }
        else if (File.Exists(request.DefaultConfigFile))
        {
            file = request.DefaultConfigFile;
        }

        if (file is not null)
        {
            builder.AddJsonStream(new MemoryStream(ReadJson(file)));
        }

        builder.AddInMemoryCollection(FromEnvironment(request.Environment));
        builder.AddInMemoryCollection(request.Overrides);

        IConfigurationRoot configuration;
        try
        {
            configuration = builder.Build();
        }
        catch (FormatException exception)
        {
            // E.g. a key given twice in the file.
            throw new ConfigurationException($"{file}: {exception.Message}", exception);
        }

        var warnings = ConfigurationSchema.Check(configuration.AsEnumerable());

        var options = new EdgeRtmpOptions();
        try
        {
            configuration.Bind(options);
        }
        catch (InvalidOperationException exception)
        {
            // The schema check catches every conversion the binder could fail on; this is a safety net.
            throw new ConfigurationException(exception.Message, exception);
        }

        if (request.PushUrls.Count > 0)
        {
            options.Push = [.. request.PushUrls.Select(url => new PushTarget { Url = url, Enabled = true })];
        }

        return OptionsValidator.Validate(options, file, warnings);
    }

    private static byte[] ReadJson(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new ConfigurationException($"{path}: cannot read: {exception.Message}", exception);
        }

        try
        {
            using var document = JsonDocument.Parse(bytes, s_jsonOptions);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new ConfigurationException($"{path}: the top level must be a JSON object {{ ... }}");
            }
        }
        catch (JsonException exception)
        {
            var line = (exception.LineNumber ?? 0) + 1;
            var column = (exception.BytePositionInLine ?? 0) + 1;
            throw new ConfigurationException($"{path}: invalid JSON at line {line}, column {column}: {Reason(exception)}", exception);
        }

        return bytes;
    }

    // JsonException messages end with " LineNumber: 2 | BytePositionInLine: 4." which we already show as line/column.
    private static string Reason(JsonException exception)
    {
        var message = exception.Message;
        var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        if (cut < 0)
        {
            cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        }

        return (cut < 0 ? message : message[..cut]).TrimEnd();
    }

    /// <summary><c>EDGERTMP__Server__Listen</c> → <c>Server:Listen</c>, as the environment-variable provider does.</summary>
    public static Dictionary<string, string?> FromEnvironment(IReadOnlyDictionary<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in environment)
        {
            if (name.Length > EnvironmentPrefix.Length && name.StartsWith(EnvironmentPrefix, StringComparison.OrdinalIgnoreCase))
            {
                data[name[EnvironmentPrefix.Length..].Replace("__", ConfigurationPath.KeyDelimiter, StringComparison.Ordinal)] = value;
            }
        }

        return data;
    }
}
