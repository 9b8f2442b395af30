# Module recipe (sourced by scripts/box/build-modules.sh; see scripts/box/README.md for the variables).
# v4l2loopback (never in Debian's kernel): a capture node fed by a writer in the box, standing in for a camera that
# gives H.264 itself. Source: Debian's v4l2loopback-dkms, pinned; the .deb is cached like the kernel's.
deb=$(box_deb v4l2loopback-dkms 0.12.7-2)
mkdir -p source
dpkg-deb -x "$deb" source
cp source/usr/src/v4l2loopback-0.12.7/v4l2loopback.c source/usr/src/v4l2loopback-0.12.7/v4l2loopback_formats.h .
printf 'obj-m := v4l2loopback.o\n' >Kbuild
$BOX_MAKE M="$PWD" modules >build.log 2>&1 || { tail -n 30 build.log >&2; exit 1; }
cp v4l2loopback.ko "$BOX_MODULE_OUT/"
