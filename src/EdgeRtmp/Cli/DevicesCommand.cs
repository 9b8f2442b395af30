using System.Globalization;
using System.Text;
using System.Text.Json;
using EdgeRtmp.Devices.V4l2;

namespace EdgeRtmp.Cli;

/// <summary>
/// <c>edgertmp devices [--json]</c>: cameras (card, driver, bus, formats with sizes and rates), M2M codecs with their
/// controls' ranges, what <c>auto</c> would choose and why each other path is not taken, audio capture devices, GPIO
/// chips. With none of them it says so and exits 0. The JSON is written by hand (Utf8JsonWriter): AOT-safe.
/// </summary>
public static class DevicesCommand
{
    public static int Execute(bool json, CliEnvironment environment, DeviceReportSources? sources = null)
    {
        ArgumentNullException.ThrowIfNull(environment);
        DeviceReport report = DeviceReport.Collect(sources ?? new DeviceReportSources(), new Configuration.VideoOptions());
        environment.Out.Write(json ? ToJson(report) : ToText(report));
        return CommandLine.Success;
    }

    public static string ToText(DeviceReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var text = new StringBuilder();
        if (report.IsEmpty)
        {
            text.AppendLine("No cameras, video encoders, audio capture devices or GPIO chips found.");
        }

        V4l2Inventory video = report.Video.Inventory;
        text.AppendLine("Cameras (V4L2):");
        if (video.Cameras.Count == 0)
        {
            text.AppendLine("  none");
        }

        foreach (V4l2CameraInfo camera in video.Cameras)
        {
            text.Append(CultureInfo.InvariantCulture, $"  {camera.Path}  '{camera.Card}'  driver {camera.Driver}, bus {camera.BusInfo}");
            text.AppendLine(camera.IsMultiPlanar ? ", multi-planar" : "");
            foreach (V4l2CameraFormat format in camera.Formats)
            {
                text.Append(CultureInfo.InvariantCulture, $"    {format.FourCc,-4}  {format.Description}");
                text.Append(format.IsCompressed ? " (compressed)" : "").Append(format.IsEmulated ? " (emulated)" : "").Append(": ");
                text.AppendLine(string.Join(", ", format.Sizes.Select(size => $"{size.Size}@{string.Join("/", size.Rates)}")));
            }
        }

        text.AppendLine("Video codecs (V4L2 memory-to-memory):");
        if (video.Codecs.Count == 0)
        {
            text.AppendLine("  none");
        }

        foreach (V4l2CodecInfo codec in video.Codecs)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  {codec.Path}  '{codec.Card}'  driver {codec.Driver}, bus {codec.BusInfo}: {Formats(codec.InputFormats)} -> {Formats(codec.OutputFormats)}");
            foreach (V4l2ControlInfo control in codec.Controls)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"    {control.Name}: {control.Minimum}..{control.Maximum} step {control.Step}, default {control.Default}");
            }
        }

        foreach (V4l2NodeProblem problem in video.Problems)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  not used: {problem.Reason}");
        }

        text.AppendLine("Video source auto:");
        text.AppendLine("  " + report.Auto.Chosen.Reason);
        foreach (string reason in report.Auto.NotTaken)
        {
            text.AppendLine("  not taken: " + reason);
        }

        text.AppendLine("Audio capture (ALSA):");
        if (report.Audio.Entries.Count == 0)
        {
            text.AppendLine("  none");
        }

        foreach (AudioCaptureEntry audio in report.Audio.Entries)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  {audio.Name}  {audio.Description}");
        }

        text.AppendLine("GPIO chips:");
        if (report.Gpio.Entries.Count == 0)
        {
            text.AppendLine("  none");
        }

        foreach (GpioChipEntry chip in report.Gpio.Entries)
        {
            string label = chip.Label.Length == 0 ? "" : $" [{chip.Label}]";
            string lines = chip.Lines == 0 ? "" : string.Create(CultureInfo.InvariantCulture, $", {chip.Lines} lines");
            string used = chip.LinesInUse is null ? "" : string.Create(CultureInfo.InvariantCulture, $", {chip.LinesInUse.Count} in use");
            text.AppendLine(CultureInfo.InvariantCulture, $"  {chip.Path}  {chip.Name}{label}{lines}{used}");
            foreach (GpioLineEntry line in chip.LinesInUse ?? [])
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"    line {line.Offset} {line.Name}: used by {line.Consumer}");
            }
        }

        if (report.Gpio.Limitation is { } limitation)
        {
            text.AppendLine("  (" + limitation + ")");
        }

        return text.ToString();
    }

    public static string ToJson(DeviceReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteBoolean("empty", report.IsEmpty);
            json.WriteStartArray("cameras");
            foreach (V4l2CameraInfo camera in report.Video.Inventory.Cameras)
            {
                json.WriteStartObject();
                json.WriteString("path", camera.Path);
                json.WriteString("card", camera.Card);
                json.WriteString("driver", camera.Driver);
                json.WriteString("bus", camera.BusInfo);
                json.WriteBoolean("multiPlanar", camera.IsMultiPlanar);
                json.WriteStartArray("formats");
                foreach (V4l2CameraFormat format in camera.Formats)
                {
                    json.WriteStartObject();
                    json.WriteString("fourcc", format.FourCc);
                    json.WriteString("description", format.Description);
                    json.WriteBoolean("compressed", format.IsCompressed);
                    json.WriteStartArray("sizes");
                    foreach (V4l2CameraSize size in format.Sizes)
                    {
                        json.WriteStartObject();
                        json.WriteNumber("width", size.Size.Width);
                        json.WriteNumber("height", size.Size.Height);
                        if (!size.Size.IsDiscrete)
                        {
                            json.WriteNumber("maxWidth", size.Size.MaxWidth);
                            json.WriteNumber("maxHeight", size.Size.MaxHeight);
                        }

                        json.WriteStartArray("fps");
                        foreach (V4l2FrameRate rate in size.Rates)
                        {
                            json.WriteNumberValue(Math.Round(rate.FramesPerSecond, 3));
                        }

                        json.WriteEndArray();
                        json.WriteEndObject();
                    }

                    json.WriteEndArray();
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartArray("codecs");
            foreach (V4l2CodecInfo codec in report.Video.Inventory.Codecs)
            {
                json.WriteStartObject();
                json.WriteString("path", codec.Path);
                json.WriteString("card", codec.Card);
                json.WriteString("driver", codec.Driver);
                json.WriteString("bus", codec.BusInfo);
                WriteStrings(json, "inputs", codec.InputFormats.Select(V4l2PixelFormat.ToString));
                WriteStrings(json, "outputs", codec.OutputFormats.Select(V4l2PixelFormat.ToString));
                json.WriteStartArray("controls");
                foreach (V4l2ControlInfo control in codec.Controls)
                {
                    json.WriteStartObject();
                    json.WriteString("name", control.Name);
                    json.WriteString("id", "0x" + control.Id.ToString("X8", CultureInfo.InvariantCulture));
                    json.WriteNumber("min", control.Minimum);
                    json.WriteNumber("max", control.Maximum);
                    json.WriteNumber("step", control.Step);
                    json.WriteNumber("default", control.Default);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            WriteStrings(json, "videoProblems", report.Video.Inventory.Problems.Select(p => p.Reason));
            json.WriteStartObject("auto");
            json.WriteString("route", report.Auto.Chosen.Route.ToString());
            json.WriteString("reason", report.Auto.Chosen.Reason);
            WriteStrings(json, "notTaken", report.Auto.NotTaken);
            json.WriteEndObject();
            json.WriteStartArray("audioCapture");
            foreach (AudioCaptureEntry audio in report.Audio.Entries)
            {
                json.WriteStartObject();
                json.WriteString("name", audio.Name);
                json.WriteString("description", audio.Description);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartArray("gpioChips");
            foreach (GpioChipEntry chip in report.Gpio.Entries)
            {
                json.WriteStartObject();
                json.WriteString("path", chip.Path);
                json.WriteString("name", chip.Name);
                json.WriteString("label", chip.Label);
                json.WriteNumber("lines", chip.Lines);
                if (chip.LinesInUse is { } used)
                {
                    json.WriteStartArray("linesInUse");
                    foreach (GpioLineEntry line in used)
                    {
                        json.WriteStartObject();
                        json.WriteNumber("offset", line.Offset);
                        json.WriteString("name", line.Name);
                        json.WriteString("consumer", line.Consumer);
                        json.WriteEndObject();
                    }

                    json.WriteEndArray();
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray()) + Environment.NewLine;
    }

    private static string Formats(IReadOnlyList<uint> formats) => string.Join(", ", formats.Select(V4l2PixelFormat.ToString));

    private static void WriteStrings(Utf8JsonWriter json, string name, IEnumerable<string> values)
    {
        json.WriteStartArray(name);
        foreach (string value in values)
        {
            json.WriteStringValue(value);
        }

        json.WriteEndArray();
    }
}
