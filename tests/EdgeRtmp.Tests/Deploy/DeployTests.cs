using System.Diagnostics;
using EdgeRtmp.Configuration;
using EdgeRtmp.Tests.TestSupport;

namespace EdgeRtmp.Tests.Deploy;

/// <summary>The files in deploy/: the unit passes <c>systemd-analyze verify</c> and the default config is valid.</summary>
public class DeployTests
{
    private static string DeployFile(string name) => Path.Combine(RepositoryRoot.Path, "deploy", name);

    [Fact]
    public async Task The_unit_passes_systemd_analyze_verify()
    {
        var analyze = FindOnPath("systemd-analyze")
            ?? throw new InvalidOperationException("systemd-analyze is not installed; scripts/test.sh installs it (Debian package systemd)");

        // verify fails when ExecStart's binary is missing, and /usr/local/bin/edgertmp is not installed on a build
        // machine: check a temp copy whose ExecStart points at a binary that exists, with the same arguments.
        using var directory = new TempDirectory();
        var unit = await File.ReadAllLinesAsync(DeployFile("edgertmp.service"));
        Assert.Contains("ExecStart=/usr/local/bin/edgertmp run --config /etc/edgertmp/edgertmp.json", unit);
        var rewritten = unit.Select(line => line.StartsWith("ExecStart=", StringComparison.Ordinal)
            ? "ExecStart=/bin/true run --config /etc/edgertmp/edgertmp.json"
            : line);
        var copy = directory.File("edgertmp.service");
        await File.WriteAllLinesAsync(copy, rewritten);

        var start = new ProcessStartInfo(analyze, ["verify", copy])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["SYSTEMD_LOG_LEVEL"] = "notice";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        var messages = (await output + await error).Trim();

        Assert.True(process.ExitCode == 0, $"systemd-analyze verify exited {process.ExitCode}:\n{messages}");
        // verify also prints warnings (unknown directives, bad values) without failing: none allowed about our unit.
        // Lines about other units (the machine's own, pulled in as dependencies) are not ours to judge.
        var aboutOurs = messages.Split('\n').Where(line => line.Contains("edgertmp", StringComparison.Ordinal)).ToList();
        Assert.True(aboutOurs.Count == 0, "systemd-analyze verify complained:\n" + messages);
    }

    [Fact]
    public void The_unit_has_the_agreed_settings()
    {
        var unit = File.ReadAllLines(DeployFile("edgertmp.service"));

        foreach (var line in new[]
                 {
                     "Type=notify", "WatchdogSec=30", "User=edgertmp", "SupplementaryGroups=video audio gpio", "Restart=on-failure",
                     "NoNewPrivileges=yes", "ProtectSystem=strict", "ProtectHome=yes", "PrivateTmp=yes",
                     "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6", "DeviceAllow=char-video4linux rw",
                     "DeviceAllow=char-gpiochip rw", "DeviceAllow=char-alsa rw",
                 })
        {
            Assert.Contains(line, unit);
        }

        Assert.DoesNotContain(unit, line => line.StartsWith("AmbientCapabilities=CAP", StringComparison.Ordinal));
    }

    [Fact]
    public void The_default_configuration_validates_with_the_apps_own_loader()
    {
        var settings = ConfigurationLoader.Load(new ConfigurationRequest { ConfigFile = DeployFile("edgertmp.json") });

        Assert.Empty(settings.Warnings);
        Assert.Equal("0.0.0.0:1935", ListenAddress.Format(settings.Listen));
    }

    private static string? FindOnPath(string name) =>
        (System.Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin")
        .Split(':', StringSplitOptions.RemoveEmptyEntries)
        .Select(directory => Path.Combine(directory, name))
        .FirstOrDefault(File.Exists);
}
