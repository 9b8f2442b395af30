using System.Runtime.InteropServices;

namespace EdgeRtmp.Devices.Tests.Alsa;

/// <summary>
/// A host ALSA configuration for capture tests without a sound card: the system's alsa.conf plus our own file of
/// <c>type file</c> PCMs over the <c>null</c> slave, whose <c>infile</c> is a raw sample file (shared/LINUX-FACTS.md).
/// libasound reads <c>ALSA_CONFIG_PATH</c> with getenv(), and .NET's Environment.SetEnvironmentVariable does not reach
/// the native environment on Linux, hence setenv(). The null slave is not paced in real time: reads return at once.
/// </summary>
internal static partial class AlsaTestConfiguration
{
    /// <summary>Stereo 48 kHz S16_LE: a ramp, frame n = (n, -n) as 16-bit values.</summary>
    public const string RampDevice = "edgertmp_test_ramp";

    public const int RampFrames = 48_000;

    private static readonly Lazy<string> s_directory = new(Create);

    /// <summary>Installs the configuration (once per test process); returns its directory.</summary>
    public static string Install() => s_directory.Value;

    public static short RampLeft(int frame) => unchecked((short)frame);

    public static short RampRight(int frame) => unchecked((short)-frame);

    private static string Create()
    {
        string directory = Path.Combine(Path.GetTempPath(), "edgertmp-alsa-" + Environment.ProcessId);
        Directory.CreateDirectory(directory);
        string ramp = Path.Combine(directory, "ramp.raw");
        var samples = new byte[RampFrames * 4];
        for (int n = 0; n < RampFrames; n++)
        {
            BitConverter.TryWriteBytes(samples.AsSpan(n * 4), RampLeft(n));
            BitConverter.TryWriteBytes(samples.AsSpan((n * 4) + 2), RampRight(n));
        }

        File.WriteAllBytes(ramp, samples);
        string configuration = Path.Combine(directory, "asound.conf");
        File.WriteAllText(configuration, $$"""
            pcm.{{RampDevice}} {
                type file
                slave.pcm "null"
                file "/dev/null"
                infile "{{ramp}}"
                format "raw"
            }

            """);
        if (setenv("ALSA_CONFIG_PATH", "/usr/share/alsa/alsa.conf:" + configuration, 1) != 0)
        {
            throw new InvalidOperationException("setenv ALSA_CONFIG_PATH failed");
        }

        return directory;
    }

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int setenv(string name, string value, int overwrite);
}
