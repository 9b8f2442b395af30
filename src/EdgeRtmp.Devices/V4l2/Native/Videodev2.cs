using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace EdgeRtmp.Devices.V4l2.Native;

/// <summary>
/// The parts of linux/videodev2.h and linux/v4l2-controls.h we use: structures mirrored byte for byte for the 64-bit
/// ABI (x86_64 and arm64 share it), ioctl request numbers and constants. Every size, offset and number here is checked
/// against the kernel headers by the layout tests (gcc on x64, aarch64-linux-gnu-gcc under qemu for arm64).
/// </summary>
internal static class Videodev2
{
    // ioctl requests, 64-bit: _IOC(dir, 'V', nr, sizeof(argument)). The size is part of the number, so on 32-bit ARM
    // several of these differ (timeval, pointers): we target 64-bit only.
    public const nuint VIDIOC_QUERYCAP = 0x80685600;
    public const nuint VIDIOC_ENUM_FMT = 0xC0405602;
    public const nuint VIDIOC_G_FMT = 0xC0D05604;
    public const nuint VIDIOC_S_FMT = 0xC0D05605;
    public const nuint VIDIOC_REQBUFS = 0xC0145608;
    public const nuint VIDIOC_QUERYBUF = 0xC0585609;
    public const nuint VIDIOC_QBUF = 0xC058560F;
    public const nuint VIDIOC_DQBUF = 0xC0585611;
    public const nuint VIDIOC_STREAMON = 0x40045612;
    public const nuint VIDIOC_STREAMOFF = 0x40045613;
    public const nuint VIDIOC_G_PARM = 0xC0CC5615;
    public const nuint VIDIOC_S_PARM = 0xC0CC5616;
    public const nuint VIDIOC_G_CTRL = 0xC008561B;
    public const nuint VIDIOC_S_CTRL = 0xC008561C;
    public const nuint VIDIOC_QUERYCTRL = 0xC0445624;
    public const nuint VIDIOC_TRY_FMT = 0xC0D05640;
    public const nuint VIDIOC_G_EXT_CTRLS = 0xC0205647;
    public const nuint VIDIOC_S_EXT_CTRLS = 0xC0205648;
    public const nuint VIDIOC_ENUM_FRAMESIZES = 0xC02C564A;
    public const nuint VIDIOC_ENUM_FRAMEINTERVALS = 0xC034564B;
    public const nuint VIDIOC_ENCODER_CMD = 0xC028564D;
    public const nuint VIDIOC_TRY_ENCODER_CMD = 0xC028564E;
    public const nuint VIDIOC_DQEVENT = 0x80885659;
    public const nuint VIDIOC_SUBSCRIBE_EVENT = 0x4020565A;

    // v4l2_capability.capabilities / device_caps
    public const uint V4L2_CAP_VIDEO_CAPTURE = 0x00000001;
    public const uint V4L2_CAP_VIDEO_OUTPUT = 0x00000002;
    public const uint V4L2_CAP_VIDEO_CAPTURE_MPLANE = 0x00001000;
    public const uint V4L2_CAP_VIDEO_OUTPUT_MPLANE = 0x00002000;
    public const uint V4L2_CAP_VIDEO_M2M_MPLANE = 0x00004000;
    public const uint V4L2_CAP_VIDEO_M2M = 0x00008000;
    public const uint V4L2_CAP_META_CAPTURE = 0x00800000;
    public const uint V4L2_CAP_STREAMING = 0x04000000;
    public const uint V4L2_CAP_DEVICE_CAPS = 0x80000000;

    // enum v4l2_buf_type
    public const uint V4L2_BUF_TYPE_VIDEO_CAPTURE = 1;
    public const uint V4L2_BUF_TYPE_VIDEO_OUTPUT = 2;
    public const uint V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE = 9;
    public const uint V4L2_BUF_TYPE_VIDEO_OUTPUT_MPLANE = 10;

    public const uint V4L2_MEMORY_MMAP = 1;
    public const uint V4L2_FIELD_ANY = 0;
    public const uint V4L2_FIELD_NONE = 1;

    public const uint V4L2_FMT_FLAG_COMPRESSED = 0x0001;
    public const uint V4L2_FMT_FLAG_EMULATED = 0x0002;

    public const uint V4L2_FRMSIZE_TYPE_DISCRETE = 1;
    public const uint V4L2_FRMSIZE_TYPE_CONTINUOUS = 2;
    public const uint V4L2_FRMSIZE_TYPE_STEPWISE = 3;
    public const uint V4L2_FRMIVAL_TYPE_DISCRETE = 1;
    public const uint V4L2_FRMIVAL_TYPE_CONTINUOUS = 2;
    public const uint V4L2_FRMIVAL_TYPE_STEPWISE = 3;

    public const uint V4L2_CAP_TIMEPERFRAME = 0x1000;

    // v4l2_buffer.flags
    public const uint V4L2_BUF_FLAG_KEYFRAME = 0x00000008;
    public const uint V4L2_BUF_FLAG_ERROR = 0x00000040;
    public const uint V4L2_BUF_FLAG_TIMESTAMP_MASK = 0x0000E000;
    public const uint V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC = 0x00002000;
    public const uint V4L2_BUF_FLAG_TIMESTAMP_COPY = 0x00004000;
    public const uint V4L2_BUF_FLAG_LAST = 0x00100000;

    public const uint V4L2_ENC_CMD_START = 0;
    public const uint V4L2_ENC_CMD_STOP = 1;

    public const uint V4L2_EVENT_EOS = 2;
    public const uint V4L2_EVENT_SOURCE_CHANGE = 5;

    // Controls (v4l2-controls.h): the stateful codec class, 0x990000 (called MPEG in older headers).
    public const uint V4L2_CTRL_CLASS_CODEC = 0x00990000;
    public const uint V4L2_CID_MPEG_VIDEO_GOP_SIZE = 0x009909CB;
    public const uint V4L2_CID_MPEG_VIDEO_BITRATE_MODE = 0x009909CE;
    public const uint V4L2_CID_MPEG_VIDEO_BITRATE = 0x009909CF;
    public const uint V4L2_CID_MPEG_VIDEO_REPEAT_SEQ_HEADER = 0x009909E2;
    public const uint V4L2_CID_MPEG_VIDEO_FORCE_KEY_FRAME = 0x009909E5;
    public const uint V4L2_CID_MPEG_VIDEO_H264_MIN_QP = 0x00990A61;
    public const uint V4L2_CID_MPEG_VIDEO_H264_MAX_QP = 0x00990A62;
    public const uint V4L2_CID_MPEG_VIDEO_H264_I_PERIOD = 0x00990A66;
    public const uint V4L2_CID_MPEG_VIDEO_H264_LEVEL = 0x00990A67;
    public const uint V4L2_CID_MPEG_VIDEO_H264_PROFILE = 0x00990A6B;
    public const uint V4L2_CTRL_FLAG_DISABLED = 0x0001;
    public const uint V4L2_CTRL_FLAG_NEXT_CTRL = 0x80000000;
    public const uint V4L2_CTRL_TYPE_INTEGER = 1;
    public const uint V4L2_CTRL_TYPE_BOOLEAN = 2;
    public const uint V4L2_CTRL_TYPE_MENU = 3;
    public const uint V4L2_CTRL_TYPE_BUTTON = 4;
    public const uint V4L2_CTRL_TYPE_CTRL_CLASS = 6;

    public const int VIDEO_MAX_PLANES = 8;

    /// <summary>struct v4l2_capability, 104 bytes.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public unsafe struct v4l2_capability
    {
        public fixed byte driver[16];
        public fixed byte card[32];
        public fixed byte bus_info[32];
        public uint version;
        public uint capabilities;
        public uint device_caps;
        public fixed uint reserved[3];
    }

    /// <summary>struct v4l2_fmtdesc, 64 bytes.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public unsafe struct v4l2_fmtdesc
    {
        public uint index;
        public uint type;
        public uint flags;
        public fixed byte description[32];
        public uint pixelformat;
        public uint mbus_code;
        public fixed uint reserved[3];
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct v4l2_fract
    {
        public uint numerator;
        public uint denominator;
    }

    /// <summary>struct v4l2_frmsizeenum, 44 bytes; the union holds discrete (width, height) or stepwise (six values).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public unsafe struct v4l2_frmsizeenum
    {
        public uint index;
        public uint pixel_format;
        public uint type;
        public uint min_width; // discrete.width
        public uint max_width; // discrete.height
        public uint step_width;
        public uint min_height;
        public uint max_height;
        public uint step_height;
        public fixed uint reserved[2];
    }

    /// <summary>struct v4l2_frmivalenum, 52 bytes; the union holds discrete (one fraction) or stepwise (min, max, step).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public unsafe struct v4l2_frmivalenum
    {
        public uint index;
        public uint pixel_format;
        public uint width;
        public uint height;
        public uint type;
        public v4l2_fract min; // discrete
        public v4l2_fract max;
        public v4l2_fract step;
        public fixed uint reserved[2];
    }

    /// <summary>struct v4l2_pix_format, 48 bytes.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct v4l2_pix_format
    {
        public uint width;
        public uint height;
        public uint pixelformat;
        public uint field;
        public uint bytesperline;
        public uint sizeimage;
        public uint colorspace;
        public uint priv;
        public uint flags;
        public uint ycbcr_enc;
        public uint quantization;
        public uint xfer_func;
    }

    /// <summary>struct v4l2_plane_pix_format, packed, 20 bytes.</summary>
    [StructLayout(LayoutKind.Sequential, Pack = 1)]
    public unsafe struct v4l2_plane_pix_format
    {
        public uint sizeimage;
        public uint bytesperline;
        public fixed ushort reserved[6];
    }

    [InlineArray(VIDEO_MAX_PLANES)]
    public struct PlanePixFormats
    {
        private v4l2_plane_pix_format _first;
    }

    /// <summary>struct v4l2_pix_format_mplane, packed, 192 bytes.</summary>
    [StructLayout(LayoutKind.Sequential, Pack = 1)]
    public unsafe struct v4l2_pix_format_mplane
    {
        public uint width;
        public uint height;
        public uint pixelformat;
        public uint field;
        public uint colorspace;
        public PlanePixFormats plane_fmt;
        public byte num_planes;
        public byte flags;
        public byte ycbcr_enc;
        public byte quantization;
        public byte xfer_func;
        public fixed byte reserved[7];
    }

    /// <summary>struct v4l2_format, 208 bytes: the union sits at 8 because one of its members (v4l2_window) holds pointers.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 208)]
    public struct v4l2_format
    {
        [FieldOffset(0)] public uint type;
        [FieldOffset(8)] public v4l2_pix_format pix;
        [FieldOffset(8)] public v4l2_pix_format_mplane pix_mp;
    }

    /// <summary>struct v4l2_captureparm (and v4l2_outputparm, the same shape), 40 bytes.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public unsafe struct v4l2_captureparm
    {
        public uint capability;
        public uint capturemode;
        public v4l2_fract timeperframe;
        public uint extendedmode;
        public uint readbuffers;
        public fixed uint reserved[4];
    }

    /// <summary>struct v4l2_streamparm, 204 bytes; <c>parm</c> is capture or output, both laid out as <see cref="v4l2_captureparm"/>.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 204)]
    public struct v4l2_streamparm
    {
        [FieldOffset(0)] public uint type;
        [FieldOffset(4)] public v4l2_captureparm parm;
    }

    /// <summary>struct v4l2_requestbuffers, 20 bytes.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public unsafe struct v4l2_requestbuffers
    {
        public uint count;
        public uint type;
        public uint memory;
        public uint capabilities;
        public byte flags;
        public fixed byte reserved[3];
    }

    /// <summary>struct v4l2_plane, 64 bytes (the union <c>m</c> is 8 bytes: it can hold an unsigned long).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 64)]
    public struct v4l2_plane
    {
        [FieldOffset(0)] public uint bytesused;
        [FieldOffset(4)] public uint length;
        [FieldOffset(8)] public uint mem_offset;
        [FieldOffset(8)] public int fd;
        [FieldOffset(16)] public uint data_offset;
    }

    /// <summary>
    /// struct v4l2_buffer, 88 bytes: a 16-byte struct timeval at 24 (64-bit time_t and suseconds_t), the union <c>m</c>
    /// (offset, or a pointer to the v4l2_plane array for multi-planar types) at 64.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 88)]
    public unsafe struct v4l2_buffer
    {
        [FieldOffset(0)] public uint index;
        [FieldOffset(4)] public uint type;
        [FieldOffset(8)] public uint bytesused;
        [FieldOffset(12)] public uint flags;
        [FieldOffset(16)] public uint field;
        [FieldOffset(24)] public long timestamp_sec;
        [FieldOffset(32)] public long timestamp_usec;
        [FieldOffset(56)] public uint sequence;
        [FieldOffset(60)] public uint memory;
        [FieldOffset(64)] public uint offset;
        [FieldOffset(64)] public v4l2_plane* planes;
        [FieldOffset(72)] public uint length;
        [FieldOffset(80)] public int request_fd;
    }

    /// <summary>struct v4l2_queryctrl, 68 bytes.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public unsafe struct v4l2_queryctrl
    {
        public uint id;
        public uint type;
        public fixed byte name[32];
        public int minimum;
        public int maximum;
        public int step;
        public int default_value;
        public uint flags;
        public fixed uint reserved[2];
    }

    /// <summary>struct v4l2_control, 8 bytes.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct v4l2_control
    {
        public uint id;
        public int value;
    }

    /// <summary>struct v4l2_ext_control, packed, 20 bytes: the value union (s32, s64 or a pointer) at 12.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 20)]
    public struct v4l2_ext_control
    {
        [FieldOffset(0)] public uint id;
        [FieldOffset(4)] public uint size;
        [FieldOffset(12)] public int value;
        [FieldOffset(12)] public long value64;
    }

    /// <summary>struct v4l2_ext_controls, 32 bytes: the controls pointer at 24.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 32)]
    public unsafe struct v4l2_ext_controls
    {
        [FieldOffset(0)] public uint which;
        [FieldOffset(4)] public uint count;
        [FieldOffset(8)] public uint error_idx;
        [FieldOffset(12)] public int request_fd;
        [FieldOffset(24)] public v4l2_ext_control* controls;
    }

    /// <summary>struct v4l2_encoder_cmd, 40 bytes.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public unsafe struct v4l2_encoder_cmd
    {
        public uint cmd;
        public uint flags;
        public fixed uint data[8];
    }

    /// <summary>struct v4l2_event, 136 bytes: the payload union at 8 (it holds an s64), a struct timespec at 80.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 136)]
    public struct v4l2_event
    {
        [FieldOffset(0)] public uint type;
        [FieldOffset(8)] public uint src_change_changes;
        [FieldOffset(72)] public uint pending;
        [FieldOffset(76)] public uint sequence;
        [FieldOffset(80)] public long timestamp_sec;
        [FieldOffset(88)] public long timestamp_nsec;
        [FieldOffset(96)] public uint id;
    }

    /// <summary>struct v4l2_event_subscription, 32 bytes.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public unsafe struct v4l2_event_subscription
    {
        public uint type;
        public uint id;
        public uint flags;
        public fixed uint reserved[5];
    }
}
