"""Field maps: fslcomplex (complex images to and from magnitude/phase or
real/imaginary parts), fsl_prepare_fieldmap (a Siemens phase difference
to a field map in rad/s, for fugue) and b0calc (the field a susceptibility
distribution makes, POSSUM's); and epidewarp (FreeSurfer's
``epidewarp.fsl``, EPI unwarping with prelude and fugue, nipype's
deprecated ``EPIDeWarp``).

Declarations only; option names are nipype's.
"""

from ..base import (
    Bool, Float, Image, Int, Interface, OutputDirectory, OutputImage, OutputSpec, Str, any_of,
    exclusive,
)
from .family import FSL, FSLInputs

__all__ = ["b0calc", "fsl_prepare_fieldmap", "fslcomplex", "epidewarp"]


class b0calc(Interface):
    """The B0 field (in ppm of the main field) that an air/tissue
    susceptibility map makes."""

    executable = "b0calc"
    family = FSL

    class Inputs(FSLInputs):
        in_file = Image(argstr="-i %s", position=0, mandatory=True,
                        desc="susceptibility map (usually a tissue/air segmentation)")
        out_file = OutputImage(argstr="-o %s", position=1, name_source="in_file",
                               name_template="%s_b0field", desc="the field")
        x_grad = Float(0.0, usedefault=True, argstr="--gx=%0.4f",
                       desc="zeroth-order x-gradient field (per mm)")
        y_grad = Float(0.0, usedefault=True, argstr="--gy=%0.4f",
                       desc="zeroth-order y-gradient field (per mm)")
        z_grad = Float(0.0, usedefault=True, argstr="--gz=%0.4f",
                       desc="zeroth-order z-gradient field (per mm)")
        x_b0 = Float(0.0, usedefault=True, argstr="--b0x=%0.2f",
                     desc="zeroth-order B0 field, x component (tesla)")
        y_b0 = Float(0.0, usedefault=True, argstr="--b0y=%0.2f",
                     desc="zeroth-order B0 field, y component (tesla)")
        z_b0 = Float(1.0, usedefault=True, argstr="--b0=%0.2f",
                     desc="zeroth-order B0 field, z component (tesla)")
        delta = Float(-9.45e-6, usedefault=True, argstr="-d %e",
                      desc="susceptibility difference chi_tissue - chi_air")
        chi_air = Float(4.0e-7, usedefault=True, argstr="--chi0=%e",
                        desc="susceptibility of air")
        compute_xyz = Bool(False, usedefault=True, argstr="--xyz",
                           desc="the 3 field components (x, y, z), as 3 volumes")
        extendboundary = Float(1.0, usedefault=True, argstr="--extendboundary=%0.2f",
                               desc="relative proportion to extend voxels at the boundary")
        directconv = Bool(False, usedefault=True, argstr="--directconv",
                          desc="direct (image space) convolution, not FFT")


class fsl_prepare_fieldmap(Interface):
    """A field map in rad/s (for fugue's ``fmap_in_file``) from a Siemens
    phase difference image and a brain-extracted magnitude image."""

    executable = "fsl_prepare_fieldmap"
    family = FSL

    class Inputs(FSLInputs):
        scanner = Str("SIEMENS", usedefault=True, argstr="%s", position=1,
                      desc="scanner (FSL knows SIEMENS)")
        in_phase = Image(argstr="%s", position=2, mandatory=True,
                         desc="phase difference (Siemens: 0-4096 or 0-8192)")
        in_magnitude = Image(argstr="%s", position=3, mandatory=True,
                             desc="magnitude image, brain extracted")
        out_fieldmap = OutputImage(argstr="%s", position=4, name_source="in_phase",
                                   name_template="%s_fslprepared",
                                   desc="field map (rad/s)")
        delta_TE = Float(2.46, usedefault=True, mandatory=True, argstr="%f", position=-2,
                         desc="echo time difference of the field map sequence (ms)")
        nocheck = Bool(False, usedefault=True, argstr="--nocheck", position=-1,
                       desc="skip the checks of image size, range and dimensions")


# fslcomplex <mode> <inputs> <outputs> [startvol [endvol]]: the mode says
# which inputs it reads and which outputs it writes.
_MODES = ("real_polar", "real_cartesian", "complex_cartesian", "complex_polar",
          "complex_split", "complex_merge")
_TO_COMPLEX = any_of("complex_cartesian", "complex_polar", "complex_split", "complex_merge")


def _written(position, source, template, mode, desc):
    """An output image of ``mode`` (produced by default in that mode only)."""
    return OutputImage(argstr="%s", position=position, name_source=source,
                       name_template=template, generate=mode, requires=mode, desc=desc)


class fslcomplex(Interface):
    """Convert complex images: to magnitude and phase (``real_polar``) or
    real and imaginary parts (``real_cartesian``); from those parts
    (``complex_cartesian``, ``complex_polar``); split or merge volumes
    (``complex_split``, ``complex_merge``).  One mode per run; each needs
    its inputs and writes its outputs (named after the first input)."""

    executable = "fslcomplex"
    family = FSL

    class Inputs(FSLInputs):
        groups = (exclusive(*_MODES, required=True),
                  # the first and second input of the command line
                  exclusive("complex_in_file", "real_in_file", "magnitude_in_file"),
                  exclusive("complex_in_file2", "imaginary_in_file", "phase_in_file"))
        real_polar = Bool(argstr="-realpolar", position=1, requires=["complex_in_file"],
                          desc="complex -> magnitude_out_file, phase_out_file")
        real_cartesian = Bool(argstr="-realcartesian", position=1,
                              requires=["complex_in_file"],
                              desc="complex -> real_out_file, imaginary_out_file")
        complex_cartesian = Bool(argstr="-complex", position=1,
                                 requires=["real_in_file", "imaginary_in_file"],
                                 desc="real, imaginary -> complex_out_file")
        complex_polar = Bool(argstr="-complexpolar", position=1,
                             requires=["magnitude_in_file", "phase_in_file"],
                             desc="magnitude, phase -> complex_out_file")
        complex_split = Bool(argstr="-complexsplit", position=1,
                             requires=["complex_in_file"],
                             desc="volumes start_vol..end_vol of complex_in_file")
        complex_merge = Bool(argstr="-complexmerge", position=1,
                             requires=["complex_in_file", "complex_in_file2"],
                             desc="complex_in_file and complex_in_file2, one after the other")
        complex_in_file = Image(argstr="%s", position=2,
                                requires=any_of("real_polar", "real_cartesian",
                                                "complex_split", "complex_merge"),
                                desc="complex image")
        complex_in_file2 = Image(argstr="%s", position=3, requires=["complex_merge"],
                                 desc="second complex image (complex_merge)")
        real_in_file = Image(argstr="%s", position=2, requires=["complex_cartesian"],
                             desc="real part")
        imaginary_in_file = Image(argstr="%s", position=3, requires=["complex_cartesian"],
                                  desc="imaginary part")
        magnitude_in_file = Image(argstr="%s", position=2, requires=["complex_polar"],
                                  desc="magnitude")
        phase_in_file = Image(argstr="%s", position=3, requires=["complex_polar"],
                              desc="phase (radians)")
        complex_out_file = _written(-3, ["real_in_file", "magnitude_in_file",
                                         "complex_in_file"], "%s_cplx", _TO_COMPLEX,
                                    "complex image")
        magnitude_out_file = _written(-4, "complex_in_file", "%s_mag", "real_polar",
                                      "magnitude")
        phase_out_file = _written(-3, "complex_in_file", "%s_phase", "real_polar",
                                  "phase (radians)")
        real_out_file = _written(-4, "complex_in_file", "%s_real", "real_cartesian",
                                 "real part")
        imaginary_out_file = _written(-3, "complex_in_file", "%s_imag", "real_cartesian",
                                      "imaginary part")
        start_vol = Int(argstr="%d", position=-2, requires=any_of(*_MODES[:-1]),
                        desc="first volume (not with complex_merge)")
        end_vol = Int(argstr="%d", position=-1, requires=["start_vol"], desc="last volume")


class epidewarp(Interface):
    """Unwarp EPI images with a B0 field map (FreeSurfer's ``epidewarp.fsl``
    script, which runs FSL's prelude and fugue): the voxel shift map, the
    dewarped example volume and, given ``epi_file``, the dewarped series.

    nipype deprecates its ``EPIDeWarp`` for fugue-based workflows; this
    wrapper serves scripts that still call it.
    """

    executable = "epidewarp.fsl"
    family = FSL

    class Inputs(FSLInputs):
        mag_file = Image(argstr="--mag %s", position=0, mandatory=True,
                         desc="field map magnitude image (its first volume is used)")
        dph_file = Image(argstr="--dph %s", mandatory=True,
                         desc="phase difference image, scaled 0 to 4095")
        exf_file = Image(argstr="--exf %s",
                         desc="example functional volume (default: the middle volume of "
                              "epi_file)")
        epi_file = Image(argstr="--epi %s", desc="EPI series to unwarp")
        tediff = Float(2.46, usedefault=True, argstr="--tediff %s",
                       desc="difference of the field map's echo times (ms)")
        esp = Float(0.58, usedefault=True, argstr="--esp %s", desc="EPI echo spacing (ms)")
        sigma = Int(2, usedefault=True, argstr="--sigma %s",
                    desc="2D Gaussian smoothing of the shift map, sigma in mm")
        vsm = OutputImage(argstr="--vsm %s", name_template="vsm",
                          desc="voxel shift map, in the example volume's space")
        exfdw = OutputImage(argstr="--exfdw %s", name_template="exfdw",
                            name_template_if={"exf_file": "{exf_file}_exfdw"},
                            desc="dewarped example volume (named after exf_file if given)")
        epidw = OutputImage(argstr="--epidw %s", name_source="epi_file",
                            name_template="%s_epidw", generate="epi_file",
                            desc="dewarped EPI series (written when epi_file is given)")
        tmpdir = OutputDirectory(argstr="--tmpdir %s", name_template="temp", optional="cleanup",
                                 desc="the script's intermediate files (kept unless "
                                      "cleanup)")
        nocleanup = Bool(True, usedefault=True, argstr="--nocleanup",
                         desc="keep tmpdir (the script's default when tmpdir is given)")
        cleanup = Bool(argstr="--cleanup", desc="delete tmpdir at the end")

        groups = (any_of("exf_file", "epi_file"),)

    class Outputs(OutputSpec):
        unwarped_file = Image(name_source="epidw", name_template="%s",
                              requires="epi_file", desc="dewarped EPI series (epidw)")
        vsm_file = Image(name_source="vsm", name_template="%s", desc="voxel shift map (vsm)")
        exf_mask = Image(name_source="tmpdir", name_template="brainexf", optional="cleanup",
                         desc="the brain mask in the example volume's space, in tmpdir "
                              "(none with cleanup)")
