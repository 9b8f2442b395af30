using System.Globalization;

namespace EdgeRtmp.Devices.Alsa;

/// <summary>A capture PCM of a sound card, as the kernel lists it.</summary>
/// <param name="Name">The ALSA name to open it with, converting formats and rates: <c>plughw:CARD=Loopback,DEV=1</c>.</param>
/// <param name="Card">The card's index (<c>hw:N</c>).</param>
/// <param name="CardId">The card's stable id (<c>Loopback</c>, <c>Device</c> for most USB microphones).</param>
/// <param name="Device">The PCM device number on the card.</param>
/// <param name="Description">The card's and device's names for people.</param>
public sealed record AlsaCaptureDevice(string Name, int Card, string CardId, int Device, string Description);

/// <summary>
/// The capture devices of this machine, read from <c>/proc/asound</c> (the kernel's list: what exists, whatever an
/// ALSA configuration adds on top). A card without a capture PCM (HDMI, a headphone jack) is not listed.
/// </summary>
public static class AlsaDevices
{
    /// <summary>Every capture PCM of every card, in card order; empty when there is no sound card (or no /proc/asound).</summary>
    public static IReadOnlyList<AlsaCaptureDevice> ListCapture(string procAsound = "/proc/asound")
    {
        string pcmList = Path.Combine(procAsound, "pcm");
        if (!File.Exists(pcmList))
        {
            return [];
        }

        string text;
        try
        {
            text = File.ReadAllText(pcmList);
        }
        catch (IOException)
        {
            return [];
        }
        catch (UnauthorizedAccessException)
        {
            return [];
        }

        return ParsePcmList(text, card => ReadCardId(procAsound, card));
    }

    /// <summary>
    /// Reads the kernel's <c>/proc/asound/pcm</c>, one line per PCM device:
    /// <c>01-00: USB Audio : USB Audio : capture 1</c> (card-device, id, name, then "playback N" and/or "capture N").
    /// </summary>
    internal static IReadOnlyList<AlsaCaptureDevice> ParsePcmList(string text, Func<int, string?> cardId)
    {
        var devices = new List<AlsaCaptureDevice>();
        foreach (string rawLine in text.Split('\n'))
        {
            string line = rawLine.Trim();
            string[] fields = line.Split(':');
            if (fields.Length < 3 || !fields.Skip(1).Any(f => f.Trim().StartsWith("capture ", StringComparison.Ordinal)))
            {
                continue;
            }

            string[] numbers = fields[0].Trim().Split('-');
            if (numbers.Length != 2
                || !int.TryParse(numbers[0], NumberStyles.None, CultureInfo.InvariantCulture, out int card)
                || !int.TryParse(numbers[1], NumberStyles.None, CultureInfo.InvariantCulture, out int device))
            {
                continue;
            }

            string id = cardId(card) ?? card.ToString(CultureInfo.InvariantCulture);
            string name = fields[2].Trim();
            string description = fields[1].Trim() == name ? name : $"{fields[1].Trim()}, {name}";
            devices.Add(new AlsaCaptureDevice($"plughw:CARD={id},DEV={device}", card, id, device, description));
        }

        return devices;
    }

    private static string? ReadCardId(string procAsound, int card)
    {
        try
        {
            string path = Path.Combine(procAsound, "card" + card.ToString(CultureInfo.InvariantCulture), "id");
            return File.Exists(path) ? File.ReadAllText(path).Trim() : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
