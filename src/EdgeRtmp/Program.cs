using EdgeRtmp.Cli;

return await CommandLine.InvokeAsync(args, CliEnvironment.FromProcess(), CancellationToken.None).ConfigureAwait(false);
