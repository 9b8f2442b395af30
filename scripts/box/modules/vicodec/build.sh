# Module recipe (sourced by scripts/box/build-modules.sh; see scripts/box/README.md for the variables).
# vicodec, the kernel's virtual codec (drivers/media/test-drivers/vicodec): a stateful FWHT encoder and decoder
# behind the same V4L2 memory-to-memory encoder interface as the Raspberry Pi's bcm2835-codec, which Debian's
# arm64 kernel does not build. Its five files are kept verbatim from linux-source-6.1 $BOX_KERNEL_VERSION
# (GPL-2.0, SPDX headers in the files): superseded kernel source packages leave the archive.
cp "$BOX_MODULE_SRC"/linux-6.1.192/*.[ch] .
printf 'obj-m := vicodec.o\nvicodec-objs := vicodec-core.o codec-fwht.o codec-v4l2-fwht.o\n' >Kbuild
$BOX_MAKE M="$PWD" modules >build.log 2>&1 || { tail -n 30 build.log >&2; exit 1; }
cp vicodec.ko "$BOX_MODULE_OUT/"
