using System.Runtime.InteropServices;
using EdgeRtmp.Devices.Native;

namespace EdgeRtmp.Devices.Alsa.Native;

/// <summary>
/// The libasound calls ALSA capture uses, one native call per method. The library is the versioned
/// <c>libasound.so.2</c> that every distribution's runtime package installs (the unversioned name needs the -dev
/// package). ALSA returns negative errno values instead of setting errno, so nothing here needs SetLastError.
/// Every ALSA object is an opaque pointer (<c>snd_pcm_t*</c>, <c>snd_pcm_hw_params_t*</c>): no struct layouts to
/// mirror except <c>struct pollfd</c>, shared with libc.
/// </summary>
internal static unsafe partial class LibAsound
{
    private const string Library = "libasound.so.2";

    // pcm.h: enum snd_pcm_stream_t, open mode bits.
    public const int SND_PCM_STREAM_CAPTURE = 1;
    public const int SND_PCM_NONBLOCK = 0x0001;

    // pcm.h: enum snd_pcm_access_t.
    public const int SND_PCM_ACCESS_RW_INTERLEAVED = 3;

    // pcm.h: enum snd_pcm_format_t (the little-endian signed formats a capture device offers).
    public const int SND_PCM_FORMAT_S16_LE = 2;
    public const int SND_PCM_FORMAT_S24_LE = 6;
    public const int SND_PCM_FORMAT_S32_LE = 10;
    public const int SND_PCM_FORMAT_S24_3LE = 32;

    // pcm.h: enum snd_pcm_state_t.
    public const int SND_PCM_STATE_PREPARED = 2;
    public const int SND_PCM_STATE_RUNNING = 3;
    public const int SND_PCM_STATE_XRUN = 4;
    public const int SND_PCM_STATE_DISCONNECTED = 8;

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int snd_pcm_open(out nint pcm, string name, int stream, int mode);

    [LibraryImport(Library)]
    public static partial int snd_pcm_close(nint pcm);

    [LibraryImport(Library)]
    public static partial int snd_pcm_hw_params_malloc(out nint parameters);

    [LibraryImport(Library)]
    public static partial void snd_pcm_hw_params_free(nint parameters);

    [LibraryImport(Library)]
    public static partial int snd_pcm_hw_params_any(nint pcm, nint parameters);

    [LibraryImport(Library)]
    public static partial int snd_pcm_hw_params_set_access(nint pcm, nint parameters, int access);

    [LibraryImport(Library)]
    public static partial int snd_pcm_hw_params_test_format(nint pcm, nint parameters, int format);

    [LibraryImport(Library)]
    public static partial int snd_pcm_hw_params_set_format(nint pcm, nint parameters, int format);

    [LibraryImport(Library)]
    public static partial int snd_pcm_hw_params_set_channels_near(nint pcm, nint parameters, uint* channels);

    [LibraryImport(Library)]
    public static partial int snd_pcm_hw_params_set_rate_near(nint pcm, nint parameters, uint* rate, int* direction);

    [LibraryImport(Library)]
    public static partial int snd_pcm_hw_params_set_period_size_near(nint pcm, nint parameters, nuint* frames, int* direction);

    [LibraryImport(Library)]
    public static partial int snd_pcm_hw_params_set_buffer_size_near(nint pcm, nint parameters, nuint* frames);

    [LibraryImport(Library)]
    public static partial int snd_pcm_hw_params(nint pcm, nint parameters);

    [LibraryImport(Library)]
    public static partial int snd_pcm_prepare(nint pcm);

    [LibraryImport(Library)]
    public static partial int snd_pcm_start(nint pcm);

    [LibraryImport(Library)]
    public static partial int snd_pcm_drop(nint pcm);

    [LibraryImport(Library)]
    public static partial int snd_pcm_state(nint pcm);

    /// <summary>Frames read (short reads happen), or a negative errno: -EAGAIN (nothing yet), -EPIPE (overrun), -ESTRPIPE (suspended), -ENODEV (gone).</summary>
    [LibraryImport(Library)]
    public static partial nint snd_pcm_readi(nint pcm, void* buffer, nuint frames);

    /// <summary>Frames captured and not read yet, after syncing with the hardware pointer; or a negative errno (-EPIPE: overrun).</summary>
    [LibraryImport(Library)]
    public static partial nint snd_pcm_avail(nint pcm);

    [LibraryImport(Library)]
    public static partial int snd_pcm_recover(nint pcm, int error, int silent);

    [LibraryImport(Library)]
    public static partial int snd_pcm_poll_descriptors_count(nint pcm);

    [LibraryImport(Library)]
    public static partial int snd_pcm_poll_descriptors(nint pcm, Libc.pollfd* descriptors, uint space);

    [LibraryImport(Library)]
    public static partial int snd_pcm_poll_descriptors_revents(nint pcm, Libc.pollfd* descriptors, uint count, ushort* revents);

    [LibraryImport(Library)]
    public static partial nint snd_strerror(int error);

    // control.h: device name hints (the list `arecord -L` prints).
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int snd_device_name_hint(int card, string iface, out nint hints);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint snd_device_name_get_hint(nint hint, string id);

    [LibraryImport(Library)]
    public static partial int snd_device_name_free_hint(nint hints);

    /// <summary>ALSA's message for a negative error code ("No such file or directory", "Device or resource busy").</summary>
    public static string Describe(int error) => Marshal.PtrToStringUTF8(snd_strerror(error)) ?? "error " + error;
}
