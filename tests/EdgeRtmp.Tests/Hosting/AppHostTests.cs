using System.Net;
using EdgeRtmp.Cli;
using EdgeRtmp.Configuration;
using EdgeRtmp.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace EdgeRtmp.Tests.Hosting;

public class AppHostTests
{
    private static AppSettings Defaults() => OptionsValidator.Validate(new EdgeRtmpOptions());

    [Theory]
    [InlineData("INVOCATION_ID", ConsoleFormatterNames.Systemd)]
    [InlineData("JOURNAL_STREAM", ConsoleFormatterNames.Systemd)]
    [InlineData("HOME", ConsoleFormatterNames.Simple)]
    public void Logs_use_the_systemd_formatter_only_under_systemd(string variable, string formatter)
    {
        var environment = new CliEnvironment { Variables = new Dictionary<string, string?> { [variable] = "1" } };
        using var host = AppHost.Build(Defaults(), environment);

        Assert.Equal(formatter, host.Services.GetRequiredService<IOptionsMonitor<ConsoleLoggerOptions>>().CurrentValue.FormatterName);
    }

    [Fact]
    public void Server_options_come_from_the_configuration()
    {
        var options = new EdgeRtmpOptions();
        options.Server.Listen = "[::]:1940";
        options.Server.App = "door";
        options.Server.ChunkSize = 128;
        options.Server.PublishKey = "pub";
        options.Server.PlayKey = "play";
        options.Server.AllowPlay = ["192.168.0.0/16"];
        options.Server.MaxConnections = 7;
        options.Server.HandshakeTimeout = 3;
        options.Server.IdleTimeout = 30;

        var server = ServerHostedService.CreateServerOptions(OptionsValidator.Validate(options));

        Assert.Equal(new IPEndPoint(IPAddress.IPv6Any, 1940), server.Listen);
        Assert.Equal("door", server.App);
        Assert.Equal(128, server.ChunkSize);
        Assert.Equal("pub", server.PublishKey);
        Assert.Equal("play", server.PlayKey);
        Assert.Equal([IPNetwork.Parse("192.168.0.0/16")], server.AllowPlay);
        Assert.Equal(7, server.MaxConnections);
        Assert.Equal(TimeSpan.FromSeconds(3), server.HandshakeTimeout);
        Assert.Equal(TimeSpan.FromSeconds(30), server.IdleTimeout);
    }

    [Fact]
    public void Without_keys_publishing_is_refused_and_playing_is_open()
    {
        var server = ServerHostedService.CreateServerOptions(Defaults());

        Assert.Null(server.PublishKey);
        Assert.Null(server.PlayKey);
        Assert.Empty(server.AllowPlay);
    }
}
