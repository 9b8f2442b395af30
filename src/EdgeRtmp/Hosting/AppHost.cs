using EdgeRtmp.Cli;
using EdgeRtmp.Configuration;
using EdgeRtmp.Net.Streams;
using EdgeRtmp.Panel;
using EdgeRtmp.Recording;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace EdgeRtmp.Hosting;

/// <summary>
/// The Generic Host for <c>edgertmp run</c>. Built from an empty builder (no appsettings, no host environment
/// variables, no reflection-bound logging configuration): our configuration is loaded and validated before
/// the host exists, and the host only gets the result.
/// </summary>
public static class AppHost
{
    public static IHost Build(AppSettings settings, CliEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(environment);
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());

        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        if (environment.UnderSystemd)
        {
            // "<6>Category[id] message": journald keeps the severity; it adds its own timestamps.
            builder.Logging.AddSystemdConsole(options => options.IncludeScopes = false);
        }
        else
        {
            builder.Logging.AddSimpleConsole(options =>
            {
                options.SingleLine = true;
                options.TimestampFormat = "HH:mm:ss ";
            });
        }

        // Under systemd (the package's test: our parent is named systemd and NOTIFY_SOCKET is set) SystemdLifetime
        // sends READY=1 once the host has started and STOPPING=1 when it stops; elsewhere ConsoleLifetime. Either
        // turns SIGTERM into a graceful stop; we log our own start and stop lines.
        if (environment.SystemdNotifier is { } systemd)
        {
            // A notifier given by the caller (tests in-process, whose parent is not systemd): the same lifetime over it.
            builder.Services.AddSingleton(systemd);
            builder.Services.AddSingleton<IHostLifetime, SystemdLifetime>();
        }
        else
        {
            builder.Services.AddSystemd();
        }

        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);
        builder.Services.Configure<ConsoleLifetimeOptions>(options => options.SuppressStatusMessages = true);
        builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = TimeSpan.FromSeconds(15));

        builder.Services.AddSingleton(settings);

        // Every timeout, stall watch and timer runs on this clock; tests put a fake one in its place.
        builder.Services.TryAddSingleton(environment.Time ?? TimeProvider.System);
        builder.Services.AddSingleton<IServiceNotifier>(services =>
            new ServiceNotifier(services.GetService<ISystemdNotifier>(), environment.Variables, environment.ProcessId));
        builder.Services.AddSingleton<ServiceHealth>();
        builder.Services.AddSingleton<StartupGate>();

        // One registry: the server's sessions and the in-process video source meet in the same hubs.
        builder.Services.AddSingleton(new StreamRegistry());
        builder.Services.AddHostedService<ServerHostedService>();

        // After the server: hosted services start in order (the source publishes once players can connect) and stop
        // in reverse (the source stops before the sessions close).
        builder.Services.AddSingleton<MediaPipelineService>();
        builder.Services.AddHostedService(services => services.GetRequiredService<MediaPipelineService>());

        // Upstream publishers subscribe to the same hub; they wait for the source and stop before it does.
        builder.Services.AddSingleton(services => new PushService(
            services.GetRequiredService<StreamRegistry>(), settings.App, settings.Stream, settings.Options.Push,
            services.GetRequiredService<ILoggerFactory>(), () => services.GetRequiredService<MediaPipelineService>().Pipeline));
        builder.Services.AddHostedService(services => services.GetRequiredService<PushService>());

        // The recorder and the panel (both silent unless configured); the panel last, so it sees the others running.
        builder.Services.AddSingleton<RecorderService>();
        builder.Services.AddHostedService(services => services.GetRequiredService<RecorderService>());
        builder.Services.AddSingleton(services => new PanelService(
            settings, services.GetRequiredService<StreamRegistry>(), services.GetRequiredService<PushService>(),
            services.GetRequiredService<RecorderService>(), services.GetRequiredService<ILoggerFactory>(),
            () => services.GetRequiredService<MediaPipelineService>().Pipeline));
        builder.Services.AddHostedService(services => services.GetRequiredService<PanelService>());
        builder.Services.AddHostedService<WatchdogService>();

        // Last: holds the host's start (and so READY=1) until the server listens and the source produces.
        builder.Services.AddHostedService(services => services.GetRequiredService<StartupGate>());
        return builder.Build();
    }
}
