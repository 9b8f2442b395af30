using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using EdgeRtmp.Configuration;

namespace EdgeRtmp.Cli;

/// <summary>
/// The <c>edgertmp</c> command line (System.CommandLine 2.0). Parse errors exit with 2, not the library's 1,
/// so scripts and systemd can tell bad usage from a runtime failure.
/// </summary>
public static class CommandLine
{
    public const int Success = 0;
    public const int RuntimeFailure = 1;
    public const int UsageError = 2;

    public static async Task<int> InvokeAsync(string[] args, CliEnvironment environment, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var root = CreateRootCommand(environment);
        var parseResult = root.Parse(args);
        if (parseResult.Errors.Count > 0)
        {
            foreach (var error in parseResult.Errors)
            {
                await environment.Error.WriteLineAsync("edgertmp: " + error.Message).ConfigureAwait(false);
            }

            await environment.Error.WriteLineAsync("Run 'edgertmp --help' for usage.").ConfigureAwait(false);
            return UsageError;
        }

        var invocation = new InvocationConfiguration
        {
            Output = environment.Out,
            Error = environment.Error,

            // The host's console lifetime handles SIGINT/SIGTERM (graceful stop, then exit 0);
            // System.CommandLine's own handler would race it and force exit code 130/143.
            ProcessTerminationTimeout = null,
        };
        return await parseResult.InvokeAsync(invocation, cancellationToken).ConfigureAwait(false);
    }

    public static RootCommand CreateRootCommand(CliEnvironment environment)
    {
        var root = new RootCommand(
            "EdgeRtmp: a camera box's RTMP server and publisher.\n" +
            "Exit codes: 0 done, 1 runtime failure, 2 bad usage or configuration.");
        root.Subcommands.Add(CreateRunCommand(environment));
        root.Subcommands.Add(CreatePublishCommand(environment));
        root.Subcommands.Add(CreatePlayCommand(environment));
        root.Subcommands.Add(CreateDevicesCommand(environment));
        root.Subcommands.Add(CreateV4l2CheckCommand(environment));
        root.Subcommands.Add(CreateV4l2FeedCommand(environment));

        // The built-in action prints the entry assembly's version, which is the test host's in tests.
        foreach (var option in root.Options)
        {
            if (option is VersionOption version)
            {
                version.Action = new VersionAction(environment);
            }
        }

        return root;
    }

    private sealed class VersionAction(CliEnvironment environment) : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            environment.Out.WriteLine(RunCommand.Version);
            return Success;
        }
    }

    private static Command CreateRunCommand(CliEnvironment environment)
    {
        var config = new Option<string>("--config")
        {
            Description = $"Configuration file (default {ConfigurationRequest.DefaultPath} when it exists, else built-in defaults).",
            HelpName = "FILE",
        };
        var listen = ListenOption();
        var video = VideoOption();
        var audio = AudioOption();
        var push = new Option<string[]>("--push")
        {
            Description = "Also publish to this rtmp:// or rtmps:// URL; repeat for several. Replaces the configured Push list.",
            HelpName = "URL",
        };
        push.Validators.Add(result =>
        {
            foreach (var url in result.GetValueOrDefault<string[]>() ?? [])
            {
                if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != "rtmp" && uri.Scheme != "rtmps"))
                {
                    result.AddError($"--push \"{url}\": must be rtmp:// or rtmps://");
                }
            }
        });

        var command = new Command("run", "Serve rtmp://HOST:1935/live/cam from the camera (the box's main job).")
        {
            config, listen, video, audio, push,
        };
        command.SetAction((parseResult, cancellationToken) =>
            RunCommand.ExecuteAsync(ReadRunArguments(parseResult), environment, cancellationToken));
        return command;
    }

    /// <summary>The <c>run</c> flags of a successful parse; null for a flag that was not given.</summary>
    public static RunArguments ReadRunArguments(ParseResult parseResult)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        return new RunArguments(
            parseResult.GetValue<string>("--config"),
            parseResult.GetValue<string>("--listen"),
            parseResult.GetValue<string>("--video"),
            parseResult.GetValue<string>("--audio"),
            parseResult.GetValue<string[]>("--push") ?? []);
    }

    private static Command CreatePublishCommand(CliEnvironment environment)
    {
        var to = new Option<string>("--to")
        {
            Description = "rtmp:// or rtmps:// URL to publish to, stream key included.",
            HelpName = "URL",
            Required = true,
        };
        var command = new Command("publish", "Publish the camera (or another source) to one RTMP URL, without serving.")
        {
            to, VideoOption(), AudioOption(), DurationOption(),
        };
        command.SetAction((parseResult, cancellationToken) => PublishCommand.ExecuteAsync(
            parseResult.GetValue(to)!, parseResult.GetValue<string>("--video"), parseResult.GetValue<string>("--audio"),
            parseResult.GetValue<double?>("--duration"), environment, cancellationToken));
        return command;
    }

    private static Command CreatePlayCommand(CliEnvironment environment)
    {
        var url = new Argument<string>("URL") { Description = "rtmp:// or rtmps:// URL to play." };
        var output = new Option<string>("--out")
        {
            Description = "Write the stream as FLV to this file, or to standard output with '-'.",
            HelpName = "FILE.flv|-",
        };
        var command = new Command("play", "Play an RTMP stream and report what arrives, optionally saving it as FLV.")
        {
            url, output, DurationOption(),
        };
        command.SetAction((parseResult, cancellationToken) => PlayCommand.ExecuteAsync(
            parseResult.GetValue(url)!, parseResult.GetValue(output), parseResult.GetValue<double?>("--duration"), environment, cancellationToken));
        return command;
    }

    private static Command CreateDevicesCommand(CliEnvironment environment)
    {
        var json = new Option<bool>("--json") { Description = "Machine-readable output." };
        var command = new Command("devices", "List cameras and their formats, video encoders, audio capture devices, GPIO chips and lines.") { json };
        command.SetAction(parseResult => DevicesCommand.Execute(parseResult.GetValue(json), environment));
        return command;
    }

    // A diagnostic for the emulated box's tests and BENCHMARKS, not part of the CLI contract: hidden from --help.
    private static Command CreateV4l2CheckCommand(CliEnvironment environment)
    {
        var device = new Option<string>("--device") { Required = true, Description = "Camera node." };
        var encoder = new Option<string?>("--encoder") { Description = "M2M encoder node to feed." };
        var coded = new Option<string>("--coded") { DefaultValueFactory = _ => "H264", Description = "The encoder's output format (FWHT for vicodec)." };
        var format = new Option<string>("--format") { DefaultValueFactory = _ => "YUYV", Description = "The camera format to ask for." };
        var width = new Option<int>("--width") { DefaultValueFactory = _ => 640 };
        var height = new Option<int>("--height") { DefaultValueFactory = _ => 360 };
        var fps = new Option<int>("--fps") { DefaultValueFactory = _ => 30 };
        var frames = new Option<int>("--frames") { DefaultValueFactory = _ => 150 };
        var command = new Command("v4l2-check", "Run the capture loop for N frames and report.") { device, encoder, coded, format, width, height, fps, frames };
        command.Hidden = true;
        command.SetAction((parseResult, cancellationToken) => V4l2CheckCommand.ExecuteAsync(
            parseResult.GetValue(device)!,
            parseResult.GetValue(encoder),
            parseResult.GetValue(coded)!,
            parseResult.GetValue(format)!,
            parseResult.GetValue(width),
            parseResult.GetValue(height),
            parseResult.GetValue(fps),
            parseResult.GetValue(frames),
            environment,
            cancellationToken));
        return command;
    }

    private static Command CreateV4l2FeedCommand(CliEnvironment environment)
    {
        var device = new Option<string>("--device") { Required = true, Description = "Output node (v4l2loopback)." };
        var width = new Option<int>("--width") { DefaultValueFactory = _ => 320 };
        var height = new Option<int>("--height") { DefaultValueFactory = _ => 180 };
        var seconds = new Option<double>("--seconds") { DefaultValueFactory = _ => 60 };
        var command = new Command("v4l2-feed", "Write the test card's H.264 into an output node.") { device, width, height, seconds };
        command.Hidden = true;
        command.SetAction((parseResult, cancellationToken) => V4l2CheckCommand.FeedAsync(
            parseResult.GetValue(device)!, parseResult.GetValue(width), parseResult.GetValue(height), parseResult.GetValue(seconds), environment, cancellationToken));
        return command;
    }

    private static Option<string> ListenOption()
    {
        var option = new Option<string>("--listen")
        {
            Description = "Address and port to serve on, such as 0.0.0.0:1935 or [::]:1935 (overrides Server:Listen).",
            HelpName = "ADDR:PORT",
        };
        option.Validators.Add(result =>
        {
            var value = result.GetValueOrDefault<string>();
            if (!ListenAddress.TryParse(value, out _))
            {
                result.AddError($"--listen \"{value}\": {ListenAddress.Expected}");
            }
        });
        return option;
    }

    private static Option<string> VideoOption()
    {
        var option = new Option<string>("--video")
        {
            Description = "Video source: " + VideoSourceSpec.Syntax + " (overrides Video:Source).",
            HelpName = "SRC",
        };
        option.Validators.Add(result =>
        {
            var value = result.GetValueOrDefault<string>();
            if (!VideoSourceSpec.TryParse(value, out _, out var error))
            {
                result.AddError($"--video \"{value}\": {error}");
            }
        });
        return option;
    }

    private static Option<string> AudioOption()
    {
        var option = new Option<string>("--audio")
        {
            Description = "Audio source: " + AudioSourceSpec.Syntax + " (overrides Audio:Source).",
            HelpName = "SRC",
        };
        option.Validators.Add(result =>
        {
            var value = result.GetValueOrDefault<string>();
            if (!AudioSourceSpec.TryParse(value, out _, out var error))
            {
                result.AddError($"--audio \"{value}\": {error}");
            }
        });
        return option;
    }

    private static Option<double?> DurationOption()
    {
        var option = new Option<double?>("--duration")
        {
            Description = "Stop after this many seconds (default: until interrupted).",
            HelpName = "SECONDS",
        };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<double?>() is { } seconds && !(seconds > 0))
            {
                result.AddError("--duration: must be more than 0 seconds");
            }
        });
        return option;
    }
}
