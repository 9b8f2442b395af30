namespace EdgeRtmp.Devices.Gpio;

/// <summary>One line of a chip as the kernel reports it: its name, whether it is in use and by whom.</summary>
public readonly record struct GpioLineInfo(int Offset, string Name, string Consumer, bool Used, bool Output, bool ActiveLow);

/// <summary>A GPIO chip: its device node, kernel name, label (pinctrl-rp1 on a Pi 5) and lines.</summary>
public sealed record GpioChipInfo(string Path, string Name, string Label, IReadOnlyList<GpioLineInfo> Lines)
{
    public int LinesInUse => Lines.Count(line => line.Used);
}
