using System.Globalization;

namespace EdgeRtmp.Configuration;

/// <summary>
/// Every key the appliance reads, with the raw type it must have. Checked before binding so that a value the
/// binder cannot convert gets our message (<c>Server:ChunkSize = "big": expected a whole number</c>) instead of
/// the binder's exception, and so that unknown keys (a typo'd <c>Sever</c>) are found and warned about.
/// </summary>
public static class ConfigurationSchema
{
    public enum ValueKind
    {
        Text,
        Int32,
        Int64,
        Boolean,
    }

    // "*" stands for a list index. Keep in step with EdgeRtmpOptions and deploy/edgertmp.json.
    private static readonly Dictionary<string, ValueKind> s_keys = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Server:Listen"] = ValueKind.Text,
        ["Server:App"] = ValueKind.Text,
        ["Server:Stream"] = ValueKind.Text,
        ["Server:ChunkSize"] = ValueKind.Int32,
        ["Server:PublishKey"] = ValueKind.Text,
        ["Server:PlayKey"] = ValueKind.Text,
        ["Server:AllowPlay:*"] = ValueKind.Text,
        ["Server:MaxConnections"] = ValueKind.Int32,
        ["Server:HandshakeTimeout"] = ValueKind.Int32,
        ["Server:IdleTimeout"] = ValueKind.Int32,
        ["Video:Source"] = ValueKind.Text,
        ["Video:Width"] = ValueKind.Int32,
        ["Video:Height"] = ValueKind.Int32,
        ["Video:Fps"] = ValueKind.Int32,
        ["Video:BitrateKbps"] = ValueKind.Int32,
        ["Video:KeyframeInterval"] = ValueKind.Int32,
        ["Video:Device"] = ValueKind.Text,
        ["Video:Encoder"] = ValueKind.Text,
        ["Video:Command"] = ValueKind.Text,
        ["Audio:Source"] = ValueKind.Text,
        ["Audio:Device"] = ValueKind.Text,
        ["Audio:SampleRate"] = ValueKind.Int32,
        ["Audio:Channels"] = ValueKind.Int32,
        ["Audio:BitrateKbps"] = ValueKind.Int32,
        ["Push:*:Url"] = ValueKind.Text,
        ["Push:*:Enabled"] = ValueKind.Boolean,
        ["Gpio:Chip"] = ValueKind.Text,
        ["Gpio:Driver"] = ValueKind.Text,
        ["Gpio:StatusLed"] = ValueKind.Text,
        ["Gpio:ErrorLed"] = ValueKind.Text,
        ["Gpio:ViewerLed"] = ValueKind.Text,
        ["Gpio:LiveButton"] = ValueKind.Text,
        ["Gpio:RecordButton"] = ValueKind.Text,
        ["Gpio:ActiveLow"] = ValueKind.Boolean,
        ["Gpio:LongPressMs"] = ValueKind.Int32,
        ["Record:Enabled"] = ValueKind.Boolean,
        ["Record:Directory"] = ValueKind.Text,
        ["Record:SegmentSeconds"] = ValueKind.Int32,
        ["Record:MaxBytes"] = ValueKind.Int64,
        ["Record:MinFreeBytes"] = ValueKind.Int64,
    };

    // Sections and lists: a value here means a scalar where an object or a list belongs.
    private static readonly HashSet<string> s_containers = new(StringComparer.OrdinalIgnoreCase)
    {
        "Server", "Server:AllowPlay", "Video", "Audio", "Push", "Push:*", "Gpio", "Record",
    };

    public static IEnumerable<string> KnownKeys => s_keys.Keys;

    /// <summary>
    /// Checks every leaf of the merged configuration: throws for a value of the wrong type, returns one warning
    /// per unknown key. Unknown keys only warn: a config file written for newer firmware must not stop the box,
    /// and the warning (with a "did you mean") makes a typo visible in the journal.
    /// </summary>
    public static IReadOnlyList<string> Check(IEnumerable<KeyValuePair<string, string?>> leaves)
    {
        var warnings = new List<string>();
        var all = leaves.OrderBy(pair => pair.Key, StringComparer.OrdinalIgnoreCase).ToList();
        foreach (var (key, value) in all)
        {
            var pattern = ToPattern(key);
            if (s_keys.TryGetValue(pattern, out var kind))
            {
                if (value is not null)
                {
                    CheckValue(DisplayKey(key), value, kind);
                }

                continue;
            }

            if (s_containers.Contains(pattern))
            {
                // An empty JSON list or object shows up as a null (or empty) value at the container's own path.
                if (!string.IsNullOrEmpty(value))
                {
                    var expected = pattern switch
                    {
                        "Server:AllowPlay" or "Push" => "expected a list",
                        "Push:*" => "expected an object such as { \"Url\": \"rtmp://host/app/key\", \"Enabled\": true }",
                        _ => "expected a section",
                    };
                    throw ConfigurationException.ForValue(DisplayKey(key), value, expected);
                }

                continue;
            }

            if (IsInsideKnownKey(pattern))
            {
                // E.g. Server:Listen:X: a nested value under a scalar key.
                throw ConfigurationException.ForValue(DisplayKey(ParentOf(key)), "(section)", "expected a single value");
            }

            // A section's own entry (null value): known, or warned about through the keys inside it.
            if (value is null && (IsPrefixOfKnown(pattern) || all.Any(pair => pair.Key.StartsWith(key + ":", StringComparison.OrdinalIgnoreCase))))
            {
                continue;
            }

            var suggestion = Suggest(pattern);
            warnings.Add(suggestion is null
                ? $"unknown configuration key {DisplayKey(key)} (ignored)"
                : $"unknown configuration key {DisplayKey(key)} (ignored); did you mean {suggestion.Replace(":*", "[0]", StringComparison.Ordinal)}?");
        }

        return warnings;
    }

    private static void CheckValue(string key, string value, ValueKind kind)
    {
        switch (kind)
        {
            case ValueKind.Int32 when !int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _):
                throw ConfigurationException.ForValue(key, value, "expected a whole number");
            case ValueKind.Int64 when !long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _):
                throw ConfigurationException.ForValue(key, value, "expected a whole number");
            case ValueKind.Boolean when !bool.TryParse(value, out _):
                throw ConfigurationException.ForValue(key, value, "expected true or false");
        }
    }

    /// <summary><c>Push:0:Url</c> → <c>Push:*:Url</c>.</summary>
    public static string ToPattern(string key) =>
        string.Join(':', key.Split(':').Select(segment => IsIndex(segment) ? "*" : segment));

    /// <summary><c>Push:0:Url</c> → <c>Push[0]:Url</c>, as messages show it.</summary>
    public static string DisplayKey(string key)
    {
        var segments = key.Split(':');
        var builder = new System.Text.StringBuilder();
        foreach (var segment in segments)
        {
            if (IsIndex(segment) && builder.Length > 0)
            {
                builder.Append('[').Append(segment).Append(']');
            }
            else
            {
                if (builder.Length > 0)
                {
                    builder.Append(':');
                }

                builder.Append(segment);
            }
        }

        return builder.ToString();
    }

    private static bool IsIndex(string segment) => segment.Length > 0 && segment.All(char.IsAsciiDigit);

    private static string ParentOf(string key) => key[..Math.Max(0, key.LastIndexOf(':'))];

    private static bool IsInsideKnownKey(string pattern) =>
        s_keys.Keys.Any(known => pattern.StartsWith(known + ":", StringComparison.OrdinalIgnoreCase));

    private static bool IsPrefixOfKnown(string pattern) =>
        s_keys.Keys.Any(known => known.StartsWith(pattern + ":", StringComparison.OrdinalIgnoreCase));

    private static string? Suggest(string pattern)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var known in s_keys.Keys)
        {
            var distance = Distance(pattern.ToUpperInvariant(), known.ToUpperInvariant());
            if (distance < bestDistance)
            {
                bestDistance = distance;
                best = known;
            }
        }

        return bestDistance <= Math.Max(2, pattern.Length / 5) ? best : null;
    }

    // Levenshtein distance; the key list is short and this runs once at start.
    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
