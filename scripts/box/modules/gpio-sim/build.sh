# Module recipe (sourced by scripts/box/build-modules.sh; see scripts/box/README.md for the variables).
# gpio-sim is not built in Debian's arm64 kernel. Its source and the interrupt simulator it needs are kept here
# verbatim from linux-source-6.1 $BOX_KERNEL_VERSION (GPL-2.0, see their SPDX headers and GPL-2.0), because
# superseded kernel source packages leave the archive and the whole package is 139 MB for three files. One
# change, as a patch: irq_to_desc() is not exported to modules in 6.1, generic_handle_irq() does the same.
cp "$BOX_MODULE_SRC/linux-6.1.192/gpio-sim.c" gpio-sim-main.c
cp "$BOX_MODULE_SRC/linux-6.1.192/gpiolib.h" "$BOX_MODULE_SRC/linux-6.1.192/irq_sim.c" .
patch -s -p1 <"$BOX_MODULE_SRC/irq_sim-export.patch"
printf 'obj-m := gpio-sim.o\ngpio-sim-y := gpio-sim-main.o irq_sim.o\n' >Kbuild
$BOX_MAKE M="$PWD" modules >build.log 2>&1 || { tail -n 30 build.log >&2; exit 1; }
cp gpio-sim.ko "$BOX_MODULE_OUT/"
