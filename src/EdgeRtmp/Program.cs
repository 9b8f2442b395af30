using EdgeRtmp.Cli;

// Socket completions run on the socket engine's thread instead of hopping to a thread-pool worker: a relay
// wakes a worker for every read of the publisher otherwise, and those futex wake-ups cost more than the
// relaying (docs/BENCHMARKS.md). Our receive handlers never block (they only parse and queue or start
// non-blocking sends), which is what this mode requires. Read once, when the first socket is created.
if (Environment.GetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS") is null)
{
    Environment.SetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "1");
}

return await CommandLine.InvokeAsync(args, CliEnvironment.FromProcess(), CancellationToken.None).ConfigureAwait(false);
