namespace EdgeRtmp.Devices.Alsa;

/// <summary>The interleaved sample formats capture accepts from a device; anything wider than 16 bits is converted to 16.</summary>
public enum AlsaSampleFormat
{
    /// <summary>S16_LE: what the encoder takes, read straight into the caller's buffer.</summary>
    S16,

    /// <summary>S32_LE: the top 16 bits are kept (I²S microphones often offer only this).</summary>
    S32,

    /// <summary>S24_LE: 24 bits in the low three bytes of a 32-bit word.</summary>
    S24,

    /// <summary>S24_3LE: 24 bits packed in three bytes (some USB microphones).</summary>
    S24Packed,
}
