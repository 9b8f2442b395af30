namespace EdgeRtmp.Devices.Gpio;

/// <summary>The GPIO inventory for `edgertmp devices`: every chip, its lines, which are in use and by whom.</summary>
public static class GpioChips
{
    /// <summary>
    /// Every chip this process can open. A chip that cannot be opened (permissions) is listed with no lines and the
    /// reason as its label, so the report says why instead of silently leaving it out.
    /// </summary>
    public static IReadOnlyList<GpioChipInfo> List()
    {
        var chips = new List<GpioChipInfo>();
        foreach (string path in GpioChip.DevicePaths())
        {
            try
            {
                using GpioChip chip = GpioChip.OpenPath(path);
                chips.Add(chip.Describe());
            }
            catch (DeviceException e)
            {
                chips.Add(new GpioChipInfo(path, Path.GetFileName(path), "(unavailable: " + e.Message + ")", []));
            }
        }

        return chips;
    }
}
