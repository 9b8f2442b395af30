using EdgeRtmp.Media;
using EdgeRtmp.Protocol;

namespace EdgeRtmp.Fuzz;

/// <summary>One harness: a name (also its corpus directory) and the code that reads one input.</summary>
internal sealed record Target(string Name, string Description, FuzzAction Run);

internal delegate void FuzzAction(ReadOnlySpan<byte> data);

internal static class Targets
{
    // A new parser of outside input gets an entry here, a seed directory under corpus/, and a line in FuzzSmokeTests.
    public static IReadOnlyList<Target> All { get; } =
    [
        new("handshake-server", "RtmpHandshake as a server: the bytes are C0 C1 C2 from a client", HandshakeTargets.Server),
        new("handshake-client", "RtmpHandshake as a client: the bytes are S0 S1 S2 from a server", HandshakeTargets.Client),
        new("chunks", "ChunkReader over a chunk stream, each message through the typed readers", ChunkTarget.Run),
        new("amf0", "AMF0 values read as trees and skipped", AmfTargets.Amf0),
        new("amf3", "AMF3 values with shared reference tables", AmfTargets.Amf3),
        new("commands", "command and data message bodies through the command models", AmfTargets.Commands),
        new("flv", "FlvReader over a file or stream, tag bodies classified", FlvTarget.Run),
        new("annexb", "Annex-B byte stream: NAL units, SPS, PPS, slices, access units", H264Targets.AnnexB),
        new("avcc", "AVC decoder configuration record and its parameter sets", static data => H264Targets.ConfigurationRecord(data)),
        new("adts", "ADTS byte stream: frame headers and payloads", AacTargets.Adts),
        new("aac-config", "AudioSpecificConfig of an AAC sequence header", AacTargets.Config),
    ];

    public static Target? Find(string name) => All.FirstOrDefault(t => t.Name == name);

    /// <summary>
    /// Runs one input. The parsers' own exceptions are how they refuse bad input; anything else escapes and is a
    /// finding (a crash for AFL, a failure for the smoke run).
    /// </summary>
    public static void RunOne(Target target, ReadOnlySpan<byte> data)
    {
        try
        {
            target.Run(data);
        }
        catch (RtmpProtocolException)
        {
        }
        catch (MediaFormatException)
        {
        }
    }
}
