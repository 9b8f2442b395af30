using System.Runtime.InteropServices;
using System.Text;
using EdgeRtmp.Devices.Tests.Native;
using EdgeRtmp.Devices.V4l2;
using static EdgeRtmp.Devices.V4l2.Native.Videodev2;

namespace EdgeRtmp.Devices.Tests.V4l2.Native;

/// <summary>
/// Every structure we mirror from linux/videodev2.h (size and each field we touch), every ioctl number and constant,
/// compared with what the C compiler makes of the kernel headers: on this machine (x86_64) and for arm64, the box's
/// ABI (aarch64-linux-gnu-gcc, run under qemu-aarch64).
/// </summary>
public sealed unsafe class Videodev2LayoutTests
{
    [Fact]
    public void StructuresIoctlsAndConstantsMatchTheX64KernelHeaders() => AssertMatches(arm64: false);

    [Fact]
    public void StructuresIoctlsAndConstantsMatchTheArm64KernelHeaders() => AssertMatches(arm64: true);

    private static void AssertMatches(bool arm64)
    {
        (string C, ulong Ours)[] checks = Checks();
        var program = new StringBuilder("""
            #include <linux/videodev2.h>
            #include <stddef.h>
            #include <stdio.h>
            int main(void) {

            """);
        for (int i = 0; i < checks.Length; i++)
        {
            program.Append("  printf(\"c").Append(i).Append(" %llu\\n\", (unsigned long long)(").Append(checks[i].C).AppendLine("));");
        }

        program.AppendLine("  return 0;\n}");
        IReadOnlyDictionary<string, ulong> kernel = KernelLayoutProbe.Run("videodev2", program.ToString(), arm64);

        var mismatches = new List<string>();
        for (int i = 0; i < checks.Length; i++)
        {
            ulong expected = kernel["c" + i];
            if (expected != checks[i].Ours)
            {
                mismatches.Add($"{checks[i].C}: kernel {expected} (0x{expected:X}), ours {checks[i].Ours} (0x{checks[i].Ours:X})");
            }
        }

        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches));
        Assert.True(checks.Length > 150, "the table covers every structure");
    }

    private static ulong Offset<T>(string field) => (ulong)Marshal.OffsetOf<T>(field);

    private static (string C, ulong Ours)[] Checks() =>
    [
        ("sizeof(struct v4l2_capability)", (ulong)sizeof(v4l2_capability)),
        ("offsetof(struct v4l2_capability, card)", Offset<v4l2_capability>("card")),
        ("offsetof(struct v4l2_capability, bus_info)", Offset<v4l2_capability>("bus_info")),
        ("offsetof(struct v4l2_capability, version)", Offset<v4l2_capability>("version")),
        ("offsetof(struct v4l2_capability, capabilities)", Offset<v4l2_capability>("capabilities")),
        ("offsetof(struct v4l2_capability, device_caps)", Offset<v4l2_capability>("device_caps")),

        ("sizeof(struct v4l2_fmtdesc)", (ulong)sizeof(v4l2_fmtdesc)),
        ("offsetof(struct v4l2_fmtdesc, type)", Offset<v4l2_fmtdesc>("type")),
        ("offsetof(struct v4l2_fmtdesc, flags)", Offset<v4l2_fmtdesc>("flags")),
        ("offsetof(struct v4l2_fmtdesc, description)", Offset<v4l2_fmtdesc>("description")),
        ("offsetof(struct v4l2_fmtdesc, pixelformat)", Offset<v4l2_fmtdesc>("pixelformat")),

        ("sizeof(struct v4l2_frmsizeenum)", (ulong)sizeof(v4l2_frmsizeenum)),
        ("offsetof(struct v4l2_frmsizeenum, pixel_format)", Offset<v4l2_frmsizeenum>("pixel_format")),
        ("offsetof(struct v4l2_frmsizeenum, type)", Offset<v4l2_frmsizeenum>("type")),
        ("offsetof(struct v4l2_frmsizeenum, discrete.width)", Offset<v4l2_frmsizeenum>("min_width")),
        ("offsetof(struct v4l2_frmsizeenum, discrete.height)", Offset<v4l2_frmsizeenum>("max_width")),
        ("offsetof(struct v4l2_frmsizeenum, stepwise.min_width)", Offset<v4l2_frmsizeenum>("min_width")),
        ("offsetof(struct v4l2_frmsizeenum, stepwise.max_width)", Offset<v4l2_frmsizeenum>("max_width")),
        ("offsetof(struct v4l2_frmsizeenum, stepwise.step_width)", Offset<v4l2_frmsizeenum>("step_width")),
        ("offsetof(struct v4l2_frmsizeenum, stepwise.min_height)", Offset<v4l2_frmsizeenum>("min_height")),
        ("offsetof(struct v4l2_frmsizeenum, stepwise.max_height)", Offset<v4l2_frmsizeenum>("max_height")),
        ("offsetof(struct v4l2_frmsizeenum, stepwise.step_height)", Offset<v4l2_frmsizeenum>("step_height")),

        ("sizeof(struct v4l2_frmivalenum)", (ulong)sizeof(v4l2_frmivalenum)),
        ("offsetof(struct v4l2_frmivalenum, width)", Offset<v4l2_frmivalenum>("width")),
        ("offsetof(struct v4l2_frmivalenum, height)", Offset<v4l2_frmivalenum>("height")),
        ("offsetof(struct v4l2_frmivalenum, type)", Offset<v4l2_frmivalenum>("type")),
        ("offsetof(struct v4l2_frmivalenum, discrete)", Offset<v4l2_frmivalenum>("min")),
        ("offsetof(struct v4l2_frmivalenum, stepwise.min)", Offset<v4l2_frmivalenum>("min")),
        ("offsetof(struct v4l2_frmivalenum, stepwise.max)", Offset<v4l2_frmivalenum>("max")),
        ("offsetof(struct v4l2_frmivalenum, stepwise.step)", Offset<v4l2_frmivalenum>("step")),

        ("sizeof(struct v4l2_pix_format)", (ulong)sizeof(v4l2_pix_format)),
        ("offsetof(struct v4l2_pix_format, pixelformat)", Offset<v4l2_pix_format>("pixelformat")),
        ("offsetof(struct v4l2_pix_format, field)", Offset<v4l2_pix_format>("field")),
        ("offsetof(struct v4l2_pix_format, bytesperline)", Offset<v4l2_pix_format>("bytesperline")),
        ("offsetof(struct v4l2_pix_format, sizeimage)", Offset<v4l2_pix_format>("sizeimage")),
        ("offsetof(struct v4l2_pix_format, flags)", Offset<v4l2_pix_format>("flags")),
        ("offsetof(struct v4l2_pix_format, xfer_func)", Offset<v4l2_pix_format>("xfer_func")),

        ("sizeof(struct v4l2_plane_pix_format)", (ulong)sizeof(v4l2_plane_pix_format)),
        ("offsetof(struct v4l2_plane_pix_format, bytesperline)", Offset<v4l2_plane_pix_format>("bytesperline")),
        ("sizeof(struct v4l2_pix_format_mplane)", (ulong)sizeof(v4l2_pix_format_mplane)),
        ("offsetof(struct v4l2_pix_format_mplane, colorspace)", Offset<v4l2_pix_format_mplane>("colorspace")),
        ("offsetof(struct v4l2_pix_format_mplane, plane_fmt)", Offset<v4l2_pix_format_mplane>("plane_fmt")),
        ("offsetof(struct v4l2_pix_format_mplane, plane_fmt[1])", Offset<v4l2_pix_format_mplane>("plane_fmt") + (ulong)sizeof(v4l2_plane_pix_format)),
        ("offsetof(struct v4l2_pix_format_mplane, num_planes)", Offset<v4l2_pix_format_mplane>("num_planes")),
        ("offsetof(struct v4l2_pix_format_mplane, flags)", Offset<v4l2_pix_format_mplane>("flags")),
        ("offsetof(struct v4l2_pix_format_mplane, xfer_func)", Offset<v4l2_pix_format_mplane>("xfer_func")),

        ("sizeof(struct v4l2_format)", (ulong)sizeof(v4l2_format)),
        ("offsetof(struct v4l2_format, fmt.pix)", Offset<v4l2_format>("pix")),
        ("offsetof(struct v4l2_format, fmt.pix_mp)", Offset<v4l2_format>("pix_mp")),

        ("sizeof(struct v4l2_fract)", (ulong)sizeof(v4l2_fract)),
        ("sizeof(struct v4l2_captureparm)", (ulong)sizeof(v4l2_captureparm)),
        ("sizeof(struct v4l2_outputparm)", (ulong)sizeof(v4l2_captureparm)),
        ("offsetof(struct v4l2_captureparm, timeperframe)", Offset<v4l2_captureparm>("timeperframe")),
        ("offsetof(struct v4l2_outputparm, timeperframe)", Offset<v4l2_captureparm>("timeperframe")),
        ("offsetof(struct v4l2_captureparm, readbuffers)", Offset<v4l2_captureparm>("readbuffers")),
        ("sizeof(struct v4l2_streamparm)", (ulong)sizeof(v4l2_streamparm)),
        ("offsetof(struct v4l2_streamparm, parm.capture)", Offset<v4l2_streamparm>("parm")),
        ("offsetof(struct v4l2_streamparm, parm.output)", Offset<v4l2_streamparm>("parm")),

        ("sizeof(struct v4l2_requestbuffers)", (ulong)sizeof(v4l2_requestbuffers)),
        ("offsetof(struct v4l2_requestbuffers, memory)", Offset<v4l2_requestbuffers>("memory")),
        ("offsetof(struct v4l2_requestbuffers, capabilities)", Offset<v4l2_requestbuffers>("capabilities")),
        ("offsetof(struct v4l2_requestbuffers, flags)", Offset<v4l2_requestbuffers>("flags")),

        ("sizeof(struct v4l2_plane)", (ulong)sizeof(v4l2_plane)),
        ("offsetof(struct v4l2_plane, length)", Offset<v4l2_plane>("length")),
        ("offsetof(struct v4l2_plane, m.mem_offset)", Offset<v4l2_plane>("mem_offset")),
        ("offsetof(struct v4l2_plane, m.fd)", Offset<v4l2_plane>("fd")),
        ("offsetof(struct v4l2_plane, data_offset)", Offset<v4l2_plane>("data_offset")),

        ("sizeof(struct v4l2_buffer)", (ulong)sizeof(v4l2_buffer)),
        ("offsetof(struct v4l2_buffer, type)", Offset<v4l2_buffer>("type")),
        ("offsetof(struct v4l2_buffer, bytesused)", Offset<v4l2_buffer>("bytesused")),
        ("offsetof(struct v4l2_buffer, flags)", Offset<v4l2_buffer>("flags")),
        ("offsetof(struct v4l2_buffer, field)", Offset<v4l2_buffer>("field")),
        ("offsetof(struct v4l2_buffer, timestamp)", Offset<v4l2_buffer>("timestamp_sec")),
        ("offsetof(struct v4l2_buffer, timestamp.tv_usec)", Offset<v4l2_buffer>("timestamp_usec")),
        ("sizeof(((struct v4l2_buffer*)0)->timestamp.tv_sec)", 8),
        ("sizeof(((struct v4l2_buffer*)0)->timestamp.tv_usec)", 8),
        ("offsetof(struct v4l2_buffer, sequence)", Offset<v4l2_buffer>("sequence")),
        ("offsetof(struct v4l2_buffer, memory)", Offset<v4l2_buffer>("memory")),
        ("offsetof(struct v4l2_buffer, m.offset)", Offset<v4l2_buffer>("offset")),
        ("offsetof(struct v4l2_buffer, m.planes)", Offset<v4l2_buffer>("planes")),
        ("offsetof(struct v4l2_buffer, length)", Offset<v4l2_buffer>("length")),
        ("offsetof(struct v4l2_buffer, request_fd)", Offset<v4l2_buffer>("request_fd")),

        ("sizeof(struct v4l2_queryctrl)", (ulong)sizeof(v4l2_queryctrl)),
        ("offsetof(struct v4l2_queryctrl, name)", Offset<v4l2_queryctrl>("name")),
        ("offsetof(struct v4l2_queryctrl, minimum)", Offset<v4l2_queryctrl>("minimum")),
        ("offsetof(struct v4l2_queryctrl, maximum)", Offset<v4l2_queryctrl>("maximum")),
        ("offsetof(struct v4l2_queryctrl, step)", Offset<v4l2_queryctrl>("step")),
        ("offsetof(struct v4l2_queryctrl, default_value)", Offset<v4l2_queryctrl>("default_value")),
        ("offsetof(struct v4l2_queryctrl, flags)", Offset<v4l2_queryctrl>("flags")),
        ("sizeof(struct v4l2_control)", (ulong)sizeof(v4l2_control)),
        ("offsetof(struct v4l2_control, value)", Offset<v4l2_control>("value")),
        ("sizeof(struct v4l2_ext_control)", (ulong)sizeof(v4l2_ext_control)),
        ("offsetof(struct v4l2_ext_control, size)", Offset<v4l2_ext_control>("size")),
        ("offsetof(struct v4l2_ext_control, value)", Offset<v4l2_ext_control>("value")),
        ("offsetof(struct v4l2_ext_control, value64)", Offset<v4l2_ext_control>("value64")),
        ("sizeof(struct v4l2_ext_controls)", (ulong)sizeof(v4l2_ext_controls)),
        ("offsetof(struct v4l2_ext_controls, which)", Offset<v4l2_ext_controls>("which")),
        ("offsetof(struct v4l2_ext_controls, count)", Offset<v4l2_ext_controls>("count")),
        ("offsetof(struct v4l2_ext_controls, error_idx)", Offset<v4l2_ext_controls>("error_idx")),
        ("offsetof(struct v4l2_ext_controls, request_fd)", Offset<v4l2_ext_controls>("request_fd")),
        ("offsetof(struct v4l2_ext_controls, controls)", Offset<v4l2_ext_controls>("controls")),

        ("sizeof(struct v4l2_encoder_cmd)", (ulong)sizeof(v4l2_encoder_cmd)),
        ("offsetof(struct v4l2_encoder_cmd, flags)", Offset<v4l2_encoder_cmd>("flags")),
        ("offsetof(struct v4l2_encoder_cmd, raw)", Offset<v4l2_encoder_cmd>("data")),
        ("sizeof(struct v4l2_event)", (ulong)sizeof(v4l2_event)),
        ("offsetof(struct v4l2_event, u)", Offset<v4l2_event>("src_change_changes")),
        ("offsetof(struct v4l2_event, u.src_change.changes)", Offset<v4l2_event>("src_change_changes")),
        ("offsetof(struct v4l2_event, pending)", Offset<v4l2_event>("pending")),
        ("offsetof(struct v4l2_event, sequence)", Offset<v4l2_event>("sequence")),
        ("offsetof(struct v4l2_event, timestamp)", Offset<v4l2_event>("timestamp_sec")),
        ("offsetof(struct v4l2_event, timestamp.tv_nsec)", Offset<v4l2_event>("timestamp_nsec")),
        ("offsetof(struct v4l2_event, id)", Offset<v4l2_event>("id")),
        ("sizeof(struct v4l2_event_subscription)", (ulong)sizeof(v4l2_event_subscription)),
        ("offsetof(struct v4l2_event_subscription, flags)", Offset<v4l2_event_subscription>("flags")),

        ("VIDIOC_QUERYCAP", VIDIOC_QUERYCAP),
        ("VIDIOC_ENUM_FMT", VIDIOC_ENUM_FMT),
        ("VIDIOC_G_FMT", VIDIOC_G_FMT),
        ("VIDIOC_S_FMT", VIDIOC_S_FMT),
        ("VIDIOC_TRY_FMT", VIDIOC_TRY_FMT),
        ("VIDIOC_REQBUFS", VIDIOC_REQBUFS),
        ("VIDIOC_QUERYBUF", VIDIOC_QUERYBUF),
        ("VIDIOC_QBUF", VIDIOC_QBUF),
        ("VIDIOC_DQBUF", VIDIOC_DQBUF),
        ("VIDIOC_STREAMON", VIDIOC_STREAMON),
        ("VIDIOC_STREAMOFF", VIDIOC_STREAMOFF),
        ("VIDIOC_G_PARM", VIDIOC_G_PARM),
        ("VIDIOC_S_PARM", VIDIOC_S_PARM),
        ("VIDIOC_G_CTRL", VIDIOC_G_CTRL),
        ("VIDIOC_S_CTRL", VIDIOC_S_CTRL),
        ("VIDIOC_QUERYCTRL", VIDIOC_QUERYCTRL),
        ("VIDIOC_G_EXT_CTRLS", VIDIOC_G_EXT_CTRLS),
        ("VIDIOC_S_EXT_CTRLS", VIDIOC_S_EXT_CTRLS),
        ("VIDIOC_ENUM_FRAMESIZES", VIDIOC_ENUM_FRAMESIZES),
        ("VIDIOC_ENUM_FRAMEINTERVALS", VIDIOC_ENUM_FRAMEINTERVALS),
        ("VIDIOC_ENCODER_CMD", VIDIOC_ENCODER_CMD),
        ("VIDIOC_TRY_ENCODER_CMD", VIDIOC_TRY_ENCODER_CMD),
        ("VIDIOC_DQEVENT", VIDIOC_DQEVENT),
        ("VIDIOC_SUBSCRIBE_EVENT", VIDIOC_SUBSCRIBE_EVENT),

        ("V4L2_CAP_VIDEO_CAPTURE", V4L2_CAP_VIDEO_CAPTURE),
        ("V4L2_CAP_VIDEO_OUTPUT", V4L2_CAP_VIDEO_OUTPUT),
        ("V4L2_CAP_VIDEO_CAPTURE_MPLANE", V4L2_CAP_VIDEO_CAPTURE_MPLANE),
        ("V4L2_CAP_VIDEO_OUTPUT_MPLANE", V4L2_CAP_VIDEO_OUTPUT_MPLANE),
        ("V4L2_CAP_VIDEO_M2M_MPLANE", V4L2_CAP_VIDEO_M2M_MPLANE),
        ("V4L2_CAP_VIDEO_M2M", V4L2_CAP_VIDEO_M2M),
        ("V4L2_CAP_META_CAPTURE", V4L2_CAP_META_CAPTURE),
        ("V4L2_CAP_STREAMING", V4L2_CAP_STREAMING),
        ("V4L2_CAP_DEVICE_CAPS", V4L2_CAP_DEVICE_CAPS),
        ("V4L2_BUF_TYPE_VIDEO_CAPTURE", V4L2_BUF_TYPE_VIDEO_CAPTURE),
        ("V4L2_BUF_TYPE_VIDEO_OUTPUT", V4L2_BUF_TYPE_VIDEO_OUTPUT),
        ("V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE", V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE),
        ("V4L2_BUF_TYPE_VIDEO_OUTPUT_MPLANE", V4L2_BUF_TYPE_VIDEO_OUTPUT_MPLANE),
        ("V4L2_MEMORY_MMAP", V4L2_MEMORY_MMAP),
        ("V4L2_FIELD_ANY", V4L2_FIELD_ANY),
        ("V4L2_FIELD_NONE", V4L2_FIELD_NONE),
        ("V4L2_FMT_FLAG_COMPRESSED", V4L2_FMT_FLAG_COMPRESSED),
        ("V4L2_FMT_FLAG_EMULATED", V4L2_FMT_FLAG_EMULATED),
        ("V4L2_FRMSIZE_TYPE_DISCRETE", V4L2_FRMSIZE_TYPE_DISCRETE),
        ("V4L2_FRMSIZE_TYPE_CONTINUOUS", V4L2_FRMSIZE_TYPE_CONTINUOUS),
        ("V4L2_FRMSIZE_TYPE_STEPWISE", V4L2_FRMSIZE_TYPE_STEPWISE),
        ("V4L2_FRMIVAL_TYPE_DISCRETE", V4L2_FRMIVAL_TYPE_DISCRETE),
        ("V4L2_FRMIVAL_TYPE_CONTINUOUS", V4L2_FRMIVAL_TYPE_CONTINUOUS),
        ("V4L2_FRMIVAL_TYPE_STEPWISE", V4L2_FRMIVAL_TYPE_STEPWISE),
        ("V4L2_CAP_TIMEPERFRAME", V4L2_CAP_TIMEPERFRAME),
        ("V4L2_BUF_FLAG_KEYFRAME", V4L2_BUF_FLAG_KEYFRAME),
        ("V4L2_BUF_FLAG_ERROR", V4L2_BUF_FLAG_ERROR),
        ("V4L2_BUF_FLAG_TIMESTAMP_MASK", V4L2_BUF_FLAG_TIMESTAMP_MASK),
        ("V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC", V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC),
        ("V4L2_BUF_FLAG_TIMESTAMP_COPY", V4L2_BUF_FLAG_TIMESTAMP_COPY),
        ("V4L2_BUF_FLAG_LAST", V4L2_BUF_FLAG_LAST),
        ("V4L2_ENC_CMD_START", V4L2_ENC_CMD_START),
        ("V4L2_ENC_CMD_STOP", V4L2_ENC_CMD_STOP),
        ("V4L2_EVENT_EOS", V4L2_EVENT_EOS),
        ("V4L2_EVENT_SOURCE_CHANGE", V4L2_EVENT_SOURCE_CHANGE),
        ("V4L2_CTRL_CLASS_CODEC", V4L2_CTRL_CLASS_CODEC),
        ("V4L2_CID_MPEG_VIDEO_GOP_SIZE", V4L2_CID_MPEG_VIDEO_GOP_SIZE),
        ("V4L2_CID_MPEG_VIDEO_BITRATE_MODE", V4L2_CID_MPEG_VIDEO_BITRATE_MODE),
        ("V4L2_CID_MPEG_VIDEO_BITRATE", V4L2_CID_MPEG_VIDEO_BITRATE),
        ("V4L2_CID_MPEG_VIDEO_REPEAT_SEQ_HEADER", V4L2_CID_MPEG_VIDEO_REPEAT_SEQ_HEADER),
        ("V4L2_CID_MPEG_VIDEO_FORCE_KEY_FRAME", V4L2_CID_MPEG_VIDEO_FORCE_KEY_FRAME),
        ("V4L2_CID_MPEG_VIDEO_H264_MIN_QP", V4L2_CID_MPEG_VIDEO_H264_MIN_QP),
        ("V4L2_CID_MPEG_VIDEO_H264_MAX_QP", V4L2_CID_MPEG_VIDEO_H264_MAX_QP),
        ("V4L2_CID_MPEG_VIDEO_H264_I_PERIOD", V4L2_CID_MPEG_VIDEO_H264_I_PERIOD),
        ("V4L2_CID_MPEG_VIDEO_H264_LEVEL", V4L2_CID_MPEG_VIDEO_H264_LEVEL),
        ("V4L2_CID_MPEG_VIDEO_H264_PROFILE", V4L2_CID_MPEG_VIDEO_H264_PROFILE),
        ("V4L2_CTRL_FLAG_DISABLED", V4L2_CTRL_FLAG_DISABLED),
        ("V4L2_CTRL_FLAG_NEXT_CTRL", V4L2_CTRL_FLAG_NEXT_CTRL),
        ("V4L2_CTRL_TYPE_INTEGER", V4L2_CTRL_TYPE_INTEGER),
        ("V4L2_CTRL_TYPE_BOOLEAN", V4L2_CTRL_TYPE_BOOLEAN),
        ("V4L2_CTRL_TYPE_MENU", V4L2_CTRL_TYPE_MENU),
        ("V4L2_CTRL_TYPE_BUTTON", V4L2_CTRL_TYPE_BUTTON),
        ("V4L2_CTRL_TYPE_CTRL_CLASS", V4L2_CTRL_TYPE_CTRL_CLASS),
        ("VIDEO_MAX_PLANES", VIDEO_MAX_PLANES),
        ("V4L2_PIX_FMT_YUYV", V4l2PixelFormat.Yuyv),
        ("V4L2_PIX_FMT_UYVY", V4l2PixelFormat.Uyvy),
        ("V4L2_PIX_FMT_NV12", V4l2PixelFormat.Nv12),
        ("V4L2_PIX_FMT_YUV420", V4l2PixelFormat.Yuv420),
        ("V4L2_PIX_FMT_H264", V4l2PixelFormat.H264),
        ("V4L2_PIX_FMT_MJPEG", V4l2PixelFormat.Mjpeg),
        ("V4L2_PIX_FMT_FWHT", V4l2PixelFormat.Fwht),
    ];
}
