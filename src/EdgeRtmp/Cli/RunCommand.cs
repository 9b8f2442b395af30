using System.Reflection;
using System.Runtime.InteropServices;
using EdgeRtmp.Configuration;
using EdgeRtmp.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeRtmp.Cli;

/// <summary><c>edgertmp run</c>: load and validate configuration (exit 2 on any problem), then host the server until stopped.</summary>
public static class RunCommand
{
    public static async Task<int> ExecuteAsync(RunArguments arguments, CliEnvironment environment, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(environment);

        AppSettings settings;
        try
        {
            settings = ConfigurationLoader.Load(new ConfigurationRequest
            {
                ConfigFile = arguments.ConfigFile,
                DefaultConfigFile = environment.DefaultConfigFile,
                Environment = environment.Variables,
                Overrides = arguments.ToOverrides(),
                PushUrls = arguments.Push,
            });
        }
        catch (ConfigurationException exception)
        {
            await environment.Error.WriteLineAsync("edgertmp: configuration error: " + exception.Message).ConfigureAwait(false);
            return CommandLine.UsageError;
        }

        try
        {
            using var host = AppHost.Build(settings, environment);

            // Under systemd the package's lifetime stops gracefully on SIGTERM only; SIGINT (Ctrl+C on a unit run by
            // hand with systemd-run --pty) should too. Outside systemd ConsoleLifetime handles both; once is enough.
            var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
            using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, context =>
            {
                context.Cancel = true;
                lifetime.StopApplication();
            });
            LogStart(host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("EdgeRtmp"), settings);
            var health = host.Services.GetRequiredService<ServiceHealth>();
            await host.RunAsync(cancellationToken).ConfigureAwait(false);
            if (health.StartFailure is { } failure)
            {
                await environment.Error.WriteLineAsync("edgertmp: " + failure).ConfigureAwait(false);
                return CommandLine.RuntimeFailure;
            }

            return CommandLine.Success;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped while still starting.
            return CommandLine.Success;
        }
        catch (Exception exception)
        {
            await environment.Error.WriteLineAsync("edgertmp: failed: " + exception.Message).ConfigureAwait(false);
            return CommandLine.RuntimeFailure;
        }
    }

    public static string Version =>
        typeof(RunCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    private static void LogStart(ILogger logger, AppSettings settings)
    {
        HostingLog.Starting(logger, Version, settings.ConfigFile ?? "built-in defaults");
        foreach (var warning in settings.Warnings)
        {
            HostingLog.ConfigurationWarning(logger, warning);
        }
    }
}
