using System.Buffers.Binary;
using EdgeRtmp.Devices.Alsa.Native;
using EdgeRtmp.Devices.Native;

namespace EdgeRtmp.Devices.Alsa;

/// <summary>What a caller asks of a capture device; the device may answer with the nearest values it supports.</summary>
/// <param name="PeriodFrames">Frames per period: one AAC frame (1024) so each wake-up feeds one encode.</param>
/// <param name="BufferPeriods">Periods in the ring buffer: how long a stall the reader survives before an overrun.</param>
public sealed record AlsaCaptureRequest(int SampleRate, int Channels, int PeriodFrames = 1024, int BufferPeriods = 8);

/// <summary>
/// One ALSA capture stream over libasound.so.2: opened non-blocking, interleaved, negotiated to 16-bit (or 32/24-bit,
/// converted), the rate and channel count nearest to what was asked. <see cref="Read"/> blocks its caller's thread in
/// <c>poll()</c> on the device's descriptors and an eventfd that <see cref="Stop"/> signals; an overrun (-EPIPE) is
/// recovered with <c>snd_pcm_recover</c> and counted in <see cref="Overruns"/>; a device that went away (-ENODEV,
/// unplugged) throws a <see cref="DeviceException"/> with <see cref="DeviceException.IsDeviceGone"/> set.
/// One thread reads; any thread may call <see cref="Stop"/>.
/// </summary>
public sealed unsafe class AlsaCapture : IDisposable
{
    private const int MaxPollDescriptors = 8;

    /// <summary>"File descriptor in bad state" (asm-generic/errno.h): ALSA's answer on a stream whose device was removed.</summary>
    private const int EBADFD = 77;

    private readonly AlsaPcmHandle _pcm;
    private readonly FileDescriptorHandle _wake;
    private readonly byte[] _raw;
    private readonly int _bytesPerSample;
    private long _overruns;
    private int _stopped;
    private int _backlogFrames;

    private AlsaCapture(string device, AlsaPcmHandle pcm, FileDescriptorHandle wake, AlsaSampleFormat format, int rate, int channels, int periodFrames, int bufferFrames)
    {
        Device = device;
        _pcm = pcm;
        _wake = wake;
        Format = format;
        SampleRate = rate;
        Channels = channels;
        PeriodFrames = periodFrames;
        BufferFrames = bufferFrames;
        _bytesPerSample = format switch
        {
            AlsaSampleFormat.S16 => 2,
            AlsaSampleFormat.S24Packed => 3,
            _ => 4,
        };
        _raw = format == AlsaSampleFormat.S16 ? [] : new byte[periodFrames * channels * _bytesPerSample];
    }

    /// <summary>The ALSA name it was opened with ("default", "plughw:CARD=Loopback,DEV=1").</summary>
    public string Device { get; }

    /// <summary>The sample format the device delivers (reads always return 16-bit samples).</summary>
    public AlsaSampleFormat Format { get; }

    /// <summary>The rate the device agreed to, which may differ from the one asked for.</summary>
    public int SampleRate { get; }

    /// <summary>The channel count the device agreed to, which may differ from the one asked for.</summary>
    public int Channels { get; }

    public int PeriodFrames { get; }

    public int BufferFrames { get; }

    /// <summary>
    /// Frames the device had already captured after the last sample <see cref="Read"/> returned, when it returned: a
    /// reader that woke late finds them waiting. The last sample was captured this many frames before the read
    /// returned, which lets a caller stamp blocks by capture time rather than by when its thread got to run.
    /// </summary>
    public int BacklogFrames => _backlogFrames;

    /// <summary>Overruns recovered so far (samples were lost: the reader was late by more than the buffer).</summary>
    public long Overruns => Interlocked.Read(ref _overruns);

    /// <summary>
    /// Opens <paramref name="device"/> for capture and negotiates the format. Throws <see cref="DeviceException"/> naming
    /// the device and the reason: missing (ENOENT), busy (EBUSY), no 16/24/32-bit interleaved format, no such rate.
    /// </summary>
    public static AlsaCapture Open(string device, AlsaCaptureRequest request)
    {
        ArgumentException.ThrowIfNullOrEmpty(device);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentOutOfRangeException.ThrowIfLessThan(request.SampleRate, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(request.Channels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(request.PeriodFrames, 32);
        ArgumentOutOfRangeException.ThrowIfLessThan(request.BufferPeriods, 2);

        int error = LibAsound.snd_pcm_open(out nint pcmPointer, device, LibAsound.SND_PCM_STREAM_CAPTURE, LibAsound.SND_PCM_NONBLOCK);
        if (error < 0)
        {
            string why = -error switch
            {
                Errno.ENOENT or Errno.ENODEV or Errno.ENXIO => "no such capture device (see 'edgertmp devices' or 'arecord -L')",
                Errno.EBUSY => "the device is busy: another program is capturing from it",
                Errno.EACCES or Errno.EPERM => "permission denied: the service user needs the 'audio' group",
                _ => LibAsound.Describe(error),
            };
            throw new DeviceException($"ALSA capture device '{device}': {why} ({LibAsound.Describe(error)})", -error);
        }

        var pcm = new AlsaPcmHandle(pcmPointer);
        nint parameters = 0;
        try
        {
            Check(LibAsound.snd_pcm_hw_params_malloc(out parameters), device, "allocate hardware parameters");
            Check(LibAsound.snd_pcm_hw_params_any(pcmPointer, parameters), device, "read its hardware parameters");
            Check(LibAsound.snd_pcm_hw_params_set_access(pcmPointer, parameters, LibAsound.SND_PCM_ACCESS_RW_INTERLEAVED), device, "set interleaved read access");

            AlsaSampleFormat format = ChooseFormat(pcmPointer, parameters, device);
            Check(LibAsound.snd_pcm_hw_params_set_format(pcmPointer, parameters, NativeFormat(format)), device, $"set format {format}");

            uint channels = (uint)request.Channels;
            Check(LibAsound.snd_pcm_hw_params_set_channels_near(pcmPointer, parameters, &channels), device, $"set {request.Channels} channel(s)");
            uint rate = (uint)request.SampleRate;
            int direction = 0;
            Check(LibAsound.snd_pcm_hw_params_set_rate_near(pcmPointer, parameters, &rate, &direction), device, $"set rate {request.SampleRate} Hz");

            nuint period = (nuint)request.PeriodFrames;
            direction = 0;
            Check(LibAsound.snd_pcm_hw_params_set_period_size_near(pcmPointer, parameters, &period, &direction), device, $"set period {request.PeriodFrames} frames");
            nuint buffer = period * (nuint)request.BufferPeriods;
            Check(LibAsound.snd_pcm_hw_params_set_buffer_size_near(pcmPointer, parameters, &buffer), device, $"set buffer {buffer} frames");
            Check(LibAsound.snd_pcm_hw_params(pcmPointer, parameters), device, "apply hardware parameters");

            int wakeFd = Libc.eventfd(0, Libc.EFD_CLOEXEC | Libc.EFD_NONBLOCK);
            if (wakeFd < 0)
            {
                throw new DeviceException($"ALSA capture device '{device}': eventfd: {Errno.Describe(Errno.Last)}", Errno.Last);
            }

            var capture = new AlsaCapture(device, pcm, new FileDescriptorHandle(wakeFd), format, (int)rate, (int)channels, (int)period, (int)buffer);
            if (LibAsound.snd_pcm_poll_descriptors_count(pcmPointer) is < 1 or > MaxPollDescriptors)
            {
                capture.Dispose();
                throw new DeviceException($"ALSA capture device '{device}': unexpected number of poll descriptors");
            }

            return capture;
        }
        catch
        {
            pcm.Dispose();
            throw;
        }
        finally
        {
            if (parameters != 0)
            {
                LibAsound.snd_pcm_hw_params_free(parameters);
            }
        }
    }

    /// <summary>
    /// Fills <paramref name="interleaved"/> (whole frames of <see cref="Channels"/> 16-bit samples), blocking until it
    /// is full. Returns the frames read: all of them, or fewer (possibly 0) once <see cref="Stop"/> was called.
    /// Allocation-free.
    /// </summary>
    public int Read(Span<short> interleaved)
    {
        if (interleaved.Length % Channels != 0)
        {
            throw new ArgumentException($"the buffer must hold whole frames of {Channels} samples", nameof(interleaved));
        }

        ObjectDisposedException.ThrowIf(_pcm.IsClosed, this);
        int wanted = interleaved.Length / Channels;
        int done = 0;
        bool pcmAdded = false, wakeAdded = false;
        try
        {
            _pcm.DangerousAddRef(ref pcmAdded);
            _wake.DangerousAddRef(ref wakeAdded);
            nint pcm = _pcm.Pcm;
            Libc.pollfd* descriptors = stackalloc Libc.pollfd[MaxPollDescriptors + 1];
            int count = LibAsound.snd_pcm_poll_descriptors(pcm, descriptors, MaxPollDescriptors);
            if (count is -Errno.EPIPE or -Errno.ESTRPIPE)
            {
                // Plugins such as dsnoop (the usual "default") refuse this while overrun (seen in the emulated box):
                // recover as a read would, then ask again.
                Recover(pcm, count);
                count = LibAsound.snd_pcm_poll_descriptors(pcm, descriptors, MaxPollDescriptors);
            }

            if (count < 1)
            {
                throw Failure("read its poll descriptors", count);
            }

            descriptors[count] = new Libc.pollfd { fd = _wake.Fd, events = Libc.POLLIN };
            EnsureRunning(pcm);
            while (done < wanted && Volatile.Read(ref _stopped) == 0)
            {
                for (int i = 0; i <= count; i++)
                {
                    descriptors[i].revents = 0;
                }

                int ready = Libc.Poll(descriptors, count + 1, -1);
                if (ready < 0)
                {
                    throw new DeviceException($"ALSA capture device '{Device}': poll: {Errno.Describe(-ready)}", -ready);
                }

                if (descriptors[count].revents != 0)
                {
                    break;
                }

                ushort revents;
                int error = LibAsound.snd_pcm_poll_descriptors_revents(pcm, descriptors, (uint)count, &revents);
                if (error < 0)
                {
                    throw Failure("poll", error);
                }

                if ((revents & (Libc.POLLIN | Libc.POLLERR)) == 0)
                {
                    if ((revents & (Libc.POLLHUP | Libc.POLLNVAL)) != 0)
                    {
                        // Hung up with nothing to read: the device went away (poll would report it again at once, forever).
                        throw new DeviceException($"ALSA capture device '{Device}' hung up (unplugged?)", Errno.ENODEV);
                    }

                    continue;
                }

                int frames = ReadAvailable(pcm, interleaved.Slice(done * Channels), wanted - done);
                done += frames;
            }

            // What is still waiting once the block is full (an error here, such as an overrun that just began, is
            // the next read's business).
            nint backlog = done == wanted ? LibAsound.snd_pcm_avail(pcm) : 0;
            _backlogFrames = backlog > 0 ? (int)Math.Min(backlog, BufferFrames) : 0;
        }
        finally
        {
            if (wakeAdded)
            {
                _wake.DangerousRelease();
            }

            if (pcmAdded)
            {
                _pcm.DangerousRelease();
            }
        }

        return done;
    }

    /// <summary>Makes a blocked or future <see cref="Read"/> return. Safe from any thread, any number of times.</summary>
    public void Stop()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0 || _wake.IsClosed)
        {
            return;
        }

        bool added = false;
        try
        {
            _wake.DangerousAddRef(ref added);
            ulong one = 1;
            _ = Libc.write(_wake.Fd, &one, sizeof(ulong));
        }
        finally
        {
            if (added)
            {
                _wake.DangerousRelease();
            }
        }
    }

    /// <summary>Stops the stream and closes the device. Call once the reading thread has left <see cref="Read"/>.</summary>
    public void Dispose()
    {
        Volatile.Write(ref _stopped, 1);
        if (!_pcm.IsClosed)
        {
            _ = LibAsound.snd_pcm_drop(_pcm.Pcm);
        }

        _pcm.Dispose();
        _wake.Dispose();
    }

    /// <summary>
    /// One non-blocking read of what the device has (up to <paramref name="maxFrames"/>), converted into
    /// <paramref name="destination"/>. Overruns are recovered and counted; returns the frames stored (0 when none were ready).
    /// </summary>
    private int ReadAvailable(nint pcm, Span<short> destination, int maxFrames)
    {
        nint result;
        if (Format == AlsaSampleFormat.S16)
        {
            fixed (short* target = destination)
            {
                result = LibAsound.snd_pcm_readi(pcm, target, (nuint)maxFrames);
            }
        }
        else
        {
            fixed (byte* raw = _raw)
            {
                result = LibAsound.snd_pcm_readi(pcm, raw, (nuint)Math.Min(maxFrames, PeriodFrames));
            }
        }

        if (result >= 0)
        {
            int frames = (int)result;
            if (Format != AlsaSampleFormat.S16)
            {
                ConvertTo16(Format, _raw.AsSpan(0, frames * Channels * _bytesPerSample), destination.Slice(0, frames * Channels));
            }

            return frames;
        }

        int error = (int)result;
        if (error == -Errno.EAGAIN)
        {
            return 0;
        }

        if (error is -Errno.EPIPE or -Errno.ESTRPIPE or -Errno.EINTR)
        {
            Recover(pcm, error);
            return 0;
        }

        throw Failure("read", error);
    }

    /// <summary>Recovers from an overrun or a suspend (<c>snd_pcm_recover</c>, counted) or an interrupted call, and restarts capture.</summary>
    private void Recover(nint pcm, int error)
    {
        if (error != -Errno.EINTR)
        {
            Interlocked.Increment(ref _overruns);
        }

        int recovered = LibAsound.snd_pcm_recover(pcm, error, 1);
        if (recovered < 0)
        {
            throw Failure("recover from an overrun", recovered);
        }

        EnsureRunning(pcm);
    }

    /// <summary>A prepared capture stream only starts on a read; poll would wait on it forever, so start it first.</summary>
    private void EnsureRunning(nint pcm)
    {
        int state = LibAsound.snd_pcm_state(pcm);
        if (state == LibAsound.SND_PCM_STATE_DISCONNECTED)
        {
            throw new DeviceException($"ALSA capture device '{Device}' was disconnected", Errno.ENODEV);
        }

        if (state == LibAsound.SND_PCM_STATE_PREPARED)
        {
            int error = LibAsound.snd_pcm_start(pcm);
            if (error < 0)
            {
                throw Failure("start capturing", error);
            }
        }
    }

    /// <summary>Converts 24- or 32-bit little-endian samples to 16-bit by keeping the top 16 bits (truncation: below a 16-bit step).</summary>
    internal static void ConvertTo16(AlsaSampleFormat format, ReadOnlySpan<byte> source, Span<short> destination)
    {
        switch (format)
        {
            case AlsaSampleFormat.S32:
                for (int i = 0; i < destination.Length; i++)
                {
                    destination[i] = (short)(BinaryPrimitives.ReadInt32LittleEndian(source.Slice(i * 4)) >> 16);
                }

                break;
            case AlsaSampleFormat.S24:
                for (int i = 0; i < destination.Length; i++)
                {
                    // The sample sits in the low 24 bits; shift it to the top to sign-extend, then keep the top 16.
                    destination[i] = (short)((BinaryPrimitives.ReadInt32LittleEndian(source.Slice(i * 4)) << 8) >> 16);
                }

                break;
            case AlsaSampleFormat.S24Packed:
                for (int i = 0; i < destination.Length; i++)
                {
                    destination[i] = (short)(source[(i * 3) + 1] | (source[(i * 3) + 2] << 8));
                }

                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(format), format, "not a format that needs converting");
        }
    }

    private static AlsaSampleFormat ChooseFormat(nint pcm, nint parameters, string device)
    {
        ReadOnlySpan<AlsaSampleFormat> preference = [AlsaSampleFormat.S16, AlsaSampleFormat.S32, AlsaSampleFormat.S24, AlsaSampleFormat.S24Packed];
        foreach (AlsaSampleFormat format in preference)
        {
            if (LibAsound.snd_pcm_hw_params_test_format(pcm, parameters, NativeFormat(format)) == 0)
            {
                return format;
            }
        }

        throw new DeviceException(
            $"ALSA capture device '{device}': unsupported format: it offers none of S16_LE, S32_LE, S24_LE, S24_3LE interleaved " +
            "(try the 'plughw:' name of the card, which converts)",
            Errno.EINVAL);
    }

    private static int NativeFormat(AlsaSampleFormat format) => format switch
    {
        AlsaSampleFormat.S16 => LibAsound.SND_PCM_FORMAT_S16_LE,
        AlsaSampleFormat.S32 => LibAsound.SND_PCM_FORMAT_S32_LE,
        AlsaSampleFormat.S24 => LibAsound.SND_PCM_FORMAT_S24_LE,
        _ => LibAsound.SND_PCM_FORMAT_S24_3LE,
    };

    private static void Check(int error, string device, string what)
    {
        if (error < 0)
        {
            throw new DeviceException($"ALSA capture device '{device}': cannot {what}: {LibAsound.Describe(error)}", -error);
        }
    }

    private DeviceException Failure(string what, int error)
    {
        // ENODEV/ENOTTY/EBADFD from a read are what an unplugged USB device gives: report it as gone.
        int errno = error is -Errno.ENOTTY or -EBADFD ? Errno.ENODEV : -error;
        return new DeviceException($"ALSA capture device '{Device}': cannot {what}: {LibAsound.Describe(error)}", errno);
    }
}
