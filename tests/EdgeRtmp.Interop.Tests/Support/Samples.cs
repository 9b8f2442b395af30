namespace EdgeRtmp.Interop.Tests.Support;

/// <summary>Media samples that ffmpeg makes once per test run: H.264 + AAC in FLV.</summary>
public static class Samples
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static string? _directory;

    public static string Directory
    {
        get
        {
            _directory ??= CreateDirectory();
            return _directory;
        }
    }

    /// <summary>
    /// 10 s of 640×360 at 30 fps, a keyframe every second, with a 440 Hz tone: the stream ffmpeg publishes
    /// in the server tests.
    /// </summary>
    public static Task<string> H264AacAsync() => MakeAsync("h264-aac-10s.flv",
        "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100",
        "-t", "10", "-c:v", "libx264", "-preset", "veryfast", "-tune", "zerolatency", "-g", "30", "-b:v", "1M",
        "-c:a", "aac", "-b:a", "96k", "-f", "flv");

    /// <summary>
    /// 12 s of 640×360 at 30 fps with one keyframe every 10 s: a player that had to wait for the next keyframe
    /// would wait seconds, so a quick start proves the GOP cache even on a loaded machine.
    /// </summary>
    public static Task<string> LongGopAsync() => MakeAsync("h264-aac-long-gop.flv",
        "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100",
        "-t", "12", "-c:v", "libx264", "-preset", "veryfast", "-tune", "zerolatency", "-g", "300", "-keyint_min", "300", "-sc_threshold", "0",
        "-b:v", "1M", "-c:a", "aac", "-b:a", "96k", "-f", "flv");

    /// <summary>The ~4 Mbit/s sample the fan-out benchmark publishes.</summary>
    public static Task<string> FourMegabitAsync() => MakeAsync("h264-aac-4m.flv",
        "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100",
        "-t", "30", "-c:v", "libx264", "-preset", "veryfast", "-g", "60", "-b:v", "4M", "-maxrate", "4M", "-bufsize", "8M",
        "-c:a", "aac", "-b:a", "128k", "-f", "flv");

    private static async Task<string> MakeAsync(string name, params string[] arguments)
    {
        string path = Path.Combine(Directory, name);
        await Gate.WaitAsync();
        try
        {
            if (!File.Exists(path))
            {
                string partial = path + ".part";
                var (exitCode, _, stderr) = await PeerProcess.RunAsync(TimeSpan.FromMinutes(3), "ffmpeg", ["-v", "error", "-y", .. arguments, partial]);
                if (exitCode != 0)
                {
                    throw new InvalidOperationException($"ffmpeg could not make {name}: {stderr}");
                }

                File.Move(partial, path);
            }
        }
        finally
        {
            Gate.Release();
        }

        return path;
    }

    private static string CreateDirectory()
    {
        string directory = Path.Combine(Path.GetTempPath(), "edgertmp-samples");
        System.IO.Directory.CreateDirectory(directory);
        return directory;
    }
}
