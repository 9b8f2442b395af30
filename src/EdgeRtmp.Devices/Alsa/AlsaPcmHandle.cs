using EdgeRtmp.Devices.Alsa.Native;
using System.Runtime.InteropServices;

namespace EdgeRtmp.Devices.Alsa;

/// <summary>An open <c>snd_pcm_t*</c>, closed exactly once.</summary>
internal sealed class AlsaPcmHandle : SafeHandle
{
    public AlsaPcmHandle(nint pcm)
        : base(0, ownsHandle: true)
    {
        SetHandle(pcm);
    }

    public override bool IsInvalid => handle == 0;

    public nint Pcm => handle;

    protected override bool ReleaseHandle() => LibAsound.snd_pcm_close(handle) == 0;
}
