using EdgeRtmp.Box.Tests.Support;

namespace EdgeRtmp.Box.Tests;

/// <summary>
/// The box's kernel devices and the control channel's hardware helpers (scripts/box/README.md), as the camera, audio
/// and panel tests will use them; the service user reaches each device through its groups and the udev rule.
/// </summary>
[Collection(BoxCollection.Name)]
public sealed class HardwareTests(BoxFixture box)
{
    [Fact]
    public async Task The_camera_GPIO_chip_and_sound_card_are_there_for_the_service_user()
    {
        Assert.Contains("Driver name      : vivid", await box.Control.CheckAsync("runuser -u edgertmp -- v4l2-ctl -d /dev/video0 --info"), StringComparison.Ordinal);
        var chip = (await box.Control.CheckAsync(". /run/box/gpio-sim && echo $chip")).Trim();
        Assert.Contains($"{chip} [boxgpio] (8 lines)", await box.Control.CheckAsync("runuser -u edgertmp -- gpiodetect"), StringComparison.Ordinal);
        Assert.Contains("card 0: Loopback", await box.Control.CheckAsync("runuser -u edgertmp -- arecord -l"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Edgertmp_devices_lists_the_box_camera_sound_card_and_GPIO_chip()
    {
        var chip = (await box.Control.CheckAsync(". /run/box/gpio-sim && echo $chip")).Trim();

        var devices = await box.Control.CheckAsync("runuser -u edgertmp -- /usr/local/bin/edgertmp devices");

        Assert.Matches(@"/dev/video0 .*driver vivid", devices);
        // The capture side of the loopback, by the name `--audio alsa:` takes.
        Assert.Contains("plughw:CARD=Loopback,DEV=1 ", devices, StringComparison.Ordinal);
        Assert.Contains($"/dev/{chip}", devices, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_button_press_is_seen_on_its_line_and_a_driven_LED_is_read_back()
    {
        var chip = (await box.Control.CheckAsync(". /run/box/gpio-sim && echo $chip")).Trim();

        await box.Control.CheckAsync("box-button 4 press");
        Assert.Equal("1", (await box.Control.CheckAsync($"gpioget {chip} 4")).Trim());
        await box.Control.CheckAsync("box-button 4 release");
        Assert.Equal("0", (await box.Control.CheckAsync($"gpioget {chip} 4")).Trim());

        // A program drives line 5 high (gpioset holds it until signalled); the LED reads 1 once the request is in
        // place (polled, bounded), and 0 again once the program has let go.
        const string until = "for i in $(seq 1 300); do [ \"$(box-led 5)\" = {0} ] && break; sleep 0.1; done; box-led 5";
        Assert.Equal("1\n0", (await box.Control.CheckAsync(
            $"gpioset -m signal {chip} 5=1 & driver=$!; {string.Format(System.Globalization.CultureInfo.InvariantCulture, until, 1)}; " +
            $"kill $driver; wait $driver; {string.Format(System.Globalization.CultureInfo.InvariantCulture, until, 0)}")).Trim());
    }

    [Fact]
    public async Task A_WAV_played_into_the_loopback_card_is_captured_on_its_other_side()
    {
        // One second of a 1 kHz square wave, 48 kHz S16_LE stereo, written on the host into the shared folder.
        var wav = Path.Combine(box.ShareDirectory, "square.wav");
        await File.WriteAllBytesAsync(wav, SquareWave(48000, 1.0));

        // Capture runs first (the loopback passes on only what is played while its other side is open), then the
        // WAV is played to its end, then the capture is stopped and its samples counted. Each step has a deadline in
        // seconds (not in rounds: a fork takes long in a starved box) and says which one ran out, with the loopback's
        // own state: this test has hung in a loaded box before.
        const string State = "for f in /proc/asound/Loopback/pcm0p/sub0/status /proc/asound/Loopback/pcm1c/sub0/status; do echo \"$f:\"; cat $f; done; cat /run/box/play.log";
        var captured = await box.Control.CheckAsync(
            "rm -f /run/box/captured.raw; " +
            "arecord -q -D hw:Loopback,1,0 -f S16_LE -r 48000 -c 2 -d 600 -t raw /run/box/captured.raw </dev/null >/run/box/record.log 2>&1 & recorder=$!; " +
            // Played once the capture has written its first period: a stream merely RUNNING may not carry yet.
            // (A 2 s capture buffer, against arecord's overrun in a starved box, lost 192 frames, one 4 ms kernel
            // tick, in a quiet run: arecord's own buffer stays.)
            "until [ -s /run/box/captured.raw ] || ! kill -0 $recorder 2>/dev/null || [ $SECONDS -ge 30 ]; do sleep 0.05; done; " +
            $"[ -s /run/box/captured.raw ] || {{ echo \"no captured period after $SECONDS s: $(cat /run/box/record.log)\"; {State}; kill $recorder; exit 1; }}; " +
            "player=$(box-play /mnt/host/square.wav); " +
            "started=$SECONDS; while kill -0 $player 2>/dev/null && [ $((SECONDS - started)) -lt 30 ]; do sleep 0.1; done; " +
            $"if kill -0 $player 2>/dev/null; then echo 'the 1 s WAV still playing after 30 s'; {State}; kill $player $recorder; exit 1; fi; " +
            // The recorder may still be a period or two behind when the player ends (a loaded emulated box): it is
            // stopped once it has written another 1 s, more than its whole buffer (or after 15 s), and its samples
            // are counted once
            // (od over the file is slow in the emulated box: counting in a loop made this test take minutes).
            "size() { stat -c %s /run/box/captured.raw; }; target=$(( $(size) + 192000 )); " +
            "started=$SECONDS; while [ $(size) -lt $target ] && [ $((SECONDS - started)) -lt 15 ]; do sleep 0.1; done; " +
            "kill -TERM $recorder 2>/dev/null; started=$SECONDS; while kill -0 $recorder 2>/dev/null && [ $((SECONDS - started)) -lt 10 ]; do sleep 0.1; done; " +
            $"if kill -0 $recorder 2>/dev/null; then echo 'arecord still running 10 s after TERM'; {State}; kill -9 $recorder; exit 1; fi; " +
            "od -An -v -td2 -w4 /run/box/captured.raw | awk '$1 > 8000 { high++ } $1 < -8000 { low++ } END { print high + 0, low + 0 }'",
            TimeSpan.FromMinutes(5));

        // The 48,000 frames came through, half of them high, half low. snd-aloop copies the playback ring on a kernel
        // timer: in a starved emulated box a late player has had a stale 192-frame period copied once (24096 each) and
        // a late recorder has lost one (23904); an exact count would test the box's scheduler, not the card. Two
        // periods either way are allowed; a card that passes nothing, noise or a fraction of the wave is still caught.
        var counts = captured.Trim().Split(' ');
        Assert.True(counts.Length == 2, $"unexpected output: {captured}");
        int high = int.Parse(counts[0], System.Globalization.CultureInfo.InvariantCulture);
        int low = int.Parse(counts[1], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(high, 24000 - 384, 24000 + 384);
        Assert.InRange(low, 24000 - 384, 24000 + 384);
        Assert.InRange(high - low, -48, 48);
    }

    private static byte[] SquareWave(int rate, double seconds) =>
        Wave.Pcm16(rate, 2, (int)(rate * seconds), frame => (frame / (rate / 2000)) % 2 == 0 ? (short)16000 : (short)-16000);
}
