"""Wrappers of the NiftyReg executables: declarations only.

Input names follow the tools' own options (``-rigOnly`` -> ``rig_only``,
``-smooR`` -> ``smoo_r``); files are ``*_file`` as in nipype's NiftyReg
interfaces.  Affine inputs accept a 4x4 array as well as a file.
"""

from traits.api import Any

from ..base import (
    Bool, Enum, File, Float, Image, ImageOrValue, InputSpec, Int, Interface, List,
    OutputFile, OutputImage, OutputSpec, Tuple,
)
from .family import NIFTYREG, read_affine, write_affine

__all__ = ["reg_aladin", "reg_f3d", "reg_resample", "reg_transform", "reg_measure",
           "reg_jacobian"]


def _affine_file(**metadata):
    """An affine input: a NiftyReg text file, or a 4x4 array written as one."""
    return File(writer=write_affine, suffix=".txt", **metadata)


def _affine_array(source):
    """The affine output ``source`` read back as a 4x4 array (same path: the
    template is the file's own stem and extension)."""
    return Any(name_source=source, name_template="%s", keep_extension=True,
               reader=read_affine, desc=f"{source} as a 4x4 array")


class _Common(InputSpec):
    omp = Int(argstr="-omp %d", desc="number of OpenMP threads")


class reg_aladin(Interface):
    """Rigid or affine registration by block matching (Modat et al. 2014).

    The affine maps reference world coordinates to floating ones
    (``Affine x Reference = Floating``).
    """

    executable = "reg_aladin"
    family = NIFTYREG

    class Inputs(_Common):
        ref_file = Image(argstr="-ref %s", mandatory=True, position=0,
                         desc="reference (fixed) image")
        flo_file = Image(argstr="-flo %s", mandatory=True, position=1,
                         desc="floating (moving) image")
        aff_file = OutputFile(argstr="-aff %s", name_source="flo_file",
                              name_template="%s_aff.txt", desc="the affine found")
        res_file = OutputImage(argstr="-res %s", name_source="flo_file",
                               name_template="%s_res", desc="floating image resampled")
        no_sym = Bool(argstr="-noSym", desc="do not use the symmetric version")
        rig_only = Bool(argstr="-rigOnly", desc="rigid registration only")
        aff_direct = Bool(argstr="-affDirect", desc="optimise the 12 affine DoF directly")
        in_aff_file = _affine_file(argstr="-inaff %s", desc="initial affine (file or 4x4 array)")
        rmask_file = Image(argstr="-rmask %s", desc="mask in reference space")
        fmask_file = Image(argstr="-fmask %s", desc="mask in floating space")
        maxit = Int(argstr="-maxit %d", desc="iterations of trimmed least squares per level [5]")
        ln = Int(argstr="-ln %d", desc="levels of the pyramid [3]")
        lp = Int(argstr="-lp %d", desc="levels to run [ln]")
        smoo_r = Float(argstr="-smooR %g", desc="Gaussian sigma for the reference (mm; <0: voxels)")
        smoo_f = Float(argstr="-smooF %g", desc="Gaussian sigma for the floating (mm; <0: voxels)")
        ref_low_thr = Float(argstr="-refLowThr %g", desc="lower threshold of the reference")
        ref_up_thr = Float(argstr="-refUpThr %g", desc="upper threshold of the reference")
        flo_low_thr = Float(argstr="-floLowThr %g", desc="lower threshold of the floating")
        flo_up_thr = Float(argstr="-floUpThr %g", desc="upper threshold of the floating")
        pad = Float(argstr="-pad %g", desc="padding value")
        nac = Bool(argstr="-nac", desc="initialise from the header origins, not the centres",
                   xor=["comm", "comi"])
        comm = Bool(argstr="-comm", desc="initialise from the masks' centres of mass",
                    xor=["nac", "comi"])
        comi = Bool(argstr="-comi", desc="initialise from the images' centres of mass",
                    xor=["nac", "comm"])
        interp = Int(argstr="-interp %d", desc="interpolation order used internally")
        iso = Bool(argstr="-iso", desc="make the images isotropic if required")
        pv = Int(argstr="-pv %d", desc="percentage of blocks to use [50]")
        pi = Int(argstr="-pi %d", desc="percentage of blocks kept as inliers [50]")
        speeeeed = Bool(argstr="-speeeeed", desc="go faster")
        voff = Bool(True, usedefault=True, argstr="-voff", desc="turn verbose output off")

    class Outputs(OutputSpec):
        affine = _affine_array("aff_file")


class reg_f3d(Interface):
    """Non-rigid registration with a cubic B-spline free-form deformation."""

    executable = "reg_f3d"
    family = NIFTYREG

    class Inputs(_Common):
        ref_file = Image(argstr="-ref %s", mandatory=True, position=0, desc="reference image")
        flo_file = Image(argstr="-flo %s", mandatory=True, position=1, desc="floating image")
        aff_file = _affine_file(argstr="-aff %s", xor=["incpp_file"],
                                desc="initial affine (file or 4x4 array)")
        incpp_file = Image(argstr="-incpp %s", xor=["aff_file"],
                           desc="initial control point grid")
        cpp_file = OutputImage(argstr="-cpp %s", name_source="flo_file",
                               name_template="%s_cpp", desc="control point grid")
        res_file = OutputImage(argstr="-res %s", name_source="flo_file",
                               name_template="%s_res", desc="floating image resampled")
        rmask_file = Image(argstr="-rmask %s", desc="mask in reference space")
        fmask_file = Image(argstr="-fmask %s", desc="mask in floating space")
        smoo_r = Float(argstr="-smooR %g", desc="Gaussian sigma for the reference (mm)")
        smoo_f = Float(argstr="-smooF %g", desc="Gaussian sigma for the floating (mm)")
        r_lw_th = Float(argstr="--rLwTh %g", desc="lower threshold of the reference")
        r_up_th = Float(argstr="--rUpTh %g", desc="upper threshold of the reference")
        f_lw_th = Float(argstr="--fLwTh %g", desc="lower threshold of the floating")
        f_up_th = Float(argstr="--fUpTh %g", desc="upper threshold of the floating")
        r_lw_th_tp = List(Tuple(Int, Float), argstr="-rLwTh %d %g...",
                          desc="(timepoint, value) lower thresholds of the reference")
        r_up_th_tp = List(Tuple(Int, Float), argstr="-rUpTh %d %g...",
                          desc="(timepoint, value) upper thresholds of the reference")
        f_lw_th_tp = List(Tuple(Int, Float), argstr="-fLwTh %d %g...",
                          desc="(timepoint, value) lower thresholds of the floating")
        f_up_th_tp = List(Tuple(Int, Float), argstr="-fUpTh %d %g...",
                          desc="(timepoint, value) upper thresholds of the floating")
        sx = Float(argstr="-sx %g", desc="final grid spacing along x (mm; <0: voxels) [5 voxels]")
        sy = Float(argstr="-sy %g", desc="final grid spacing along y [sx]")
        sz = Float(argstr="-sz %g", desc="final grid spacing along z [sx]")
        be = Float(argstr="-be %g", desc="bending energy weight [0.001]")
        le = Float(argstr="-le %g", desc="first-order (linear elasticity) weight [0.01]")
        jl = Float(argstr="-jl %g", desc="log-Jacobian penalty weight [0]")
        no_app_jl = Bool(argstr="-noAppJL", desc="do not approximate JL at control points")
        land = Tuple(Float, File, argstr="-land %g %s",
                     desc="(weight, landmark file) distance term")
        nmi = Bool(argstr="--nmi", desc="use NMI even when other measures are given")
        rbn = Int(argstr="--rbn %d", desc="NMI bins of the reference")
        fbn = Int(argstr="--fbn %d", desc="NMI bins of the floating")
        lncc = Float(argstr="--lncc %g", desc="LNCC with this Gaussian sigma")
        ssd = Bool(argstr="--ssd", desc="SSD on intensities normalised to [0, 1]")
        ssdn = Bool(argstr="--ssdn", desc="SSD on raw intensities")
        mind = Int(argstr="--mind %d", desc="MIND with this offset")
        mindssc = Int(argstr="--mindssc %d", desc="MIND-SSC with this offset")
        kld = Bool(argstr="--kld", desc="Kullback-Leibler divergence")
        rr = Bool(argstr="-rr", desc="threshold intensities at the 2nd and 98th percentiles")
        w_sim = Image(argstr="-wSim %s", desc="voxel-wise weight of the similarity")
        maxit = Int(argstr="-maxit %d", desc="iterations at the final level [150]")
        ln = Int(argstr="-ln %d", desc="levels [3]")
        lp = Int(argstr="-lp %d", desc="levels to run [ln]")
        nopy = Bool(argstr="-nopy", desc="no pyramid")
        no_conj = Bool(argstr="-noConj", desc="plain gradient ascent")
        pert = Int(argstr="-pert %d", desc="perturbation steps after each optimisation")
        vel = Bool(argstr="-vel", desc="velocity field (diffeomorphic) parametrisation")
        nogce = Bool(argstr="-nogce", desc="no gradient accumulation through exponentiation")
        smooth_grad = Float(argstr="-smoothGrad %g", desc="smooth the metric derivative (mm)")
        pad = Float(argstr="-pad %g", desc="padding value")
        voff = Bool(True, usedefault=True, argstr="-voff", desc="turn verbose output off")


class reg_resample(Interface):
    """Resample a floating image into the space of a reference image."""

    executable = "reg_resample"
    family = NIFTYREG

    class Inputs(_Common):
        ref_file = Image(argstr="-ref %s", mandatory=True, position=0, desc="reference image")
        flo_file = Image(argstr="-flo %s", mandatory=True, position=1, desc="floating image")
        trans_file = ImageOrValue(
            argstr="-trans %s",
            desc="transformation: an affine text file, a control point grid or a "
                 "deformation field (image or file)",
        )
        aff = _affine_file(argstr="-trans %s", xor=["trans_file"],
                           desc="an affine as a 4x4 array (instead of trans_file)")
        res_file = OutputImage(argstr="-res %s", name_source="flo_file",
                               name_template="%s_res", desc="resampled image")
        blank_file = OutputImage(argstr="-blank %s", generate=False, name_source="flo_file",
                                 name_template="%s_blank", desc="resampled blank grid")
        inter = Enum(0, 1, 3, 4, argstr="-inter %d",
                     desc="interpolation order: 0 NN, 1 linear, 3 cubic, 4 sinc [3]")
        pad = Float(argstr="-pad %g", desc="padding value [0]")
        tensor = Bool(argstr="-tensor", desc="last six timepoints are a tensor")
        psf = Bool(argstr="-psf", desc="two-step resampling to a lower resolution")
        psf_alg = Enum(0, 1, argstr="-psf_alg %d", desc="PSF: 0 matrix metric, 1 determinant")
        voff = Bool(True, usedefault=True, argstr="-voff", desc="turn verbose output off")


class reg_transform(Interface):
    """Compute, compose, invert or convert transformations (one operation per run).

    ``operation`` picks the option; ``in_files`` are its inputs in the tool's
    order (transformations as files or images, an affine as a 4x4 array is
    written for you only through the other tools), ``out_file`` its output.
    ``make_aff`` takes the twelve parameters of ``-makeAff`` instead.
    """

    executable = "reg_transform"
    family = NIFTYREG

    class Inputs(_Common):
        ref_file = Image(argstr="-ref %s", position=0,
                         desc="reference image (needed for spline grids)")
        ref2_file = Image(argstr="-ref2 %s", position=1,
                          desc="second reference image (composition)")
        operation = Enum(
            "def", "disp", "flow", "comp", "land", "updSform", "invAff", "invNrr", "half",
            "aff2rig", "flirtAff2NR", "makeAff",
            argstr="-%s", position=2, mandatory=True, desc="the operation")
        in_files = List(ImageOrValue(), argstr="%s", position=3,
                        desc="the operation's inputs, in order (files or images)")
        make_aff = List(Float, minlen=12, maxlen=12, argstr="%g", position=4,
                        desc="rx ry rz tx ty tz sx sy sz shx shy shz for makeAff")
        out_file = OutputFile(argstr="%s", position=5, mandatory=True,
                              desc="the operation's output (file name)")


class reg_measure(Interface):
    """Similarity between a reference image and a floating image resampled
    into its space through the headers (NCC, LNCC, NMI, SSD)."""

    executable = "reg_measure"
    family = NIFTYREG

    class Inputs(_Common):
        ref_file = Image(argstr="-ref %s", mandatory=True, position=0, desc="reference image")
        flo_file = Image(argstr="-flo %s", mandatory=True, position=1, desc="floating image")
        ncc = Bool(argstr="-ncc", desc="normalised cross-correlation")
        lncc = Bool(argstr="-lncc", desc="local normalised cross-correlation")
        nmi = Bool(argstr="-nmi", desc="normalised mutual information (64 bins)")
        ssd = Bool(argstr="-ssd", desc="sum of squared differences")

    class Outputs(OutputSpec):
        ncc = Float(from_stdout=r"^NCC: (\S+)", optional=True, desc="NCC value")
        lncc = Float(from_stdout=r"^LNCC: (\S+)", optional=True, desc="LNCC value")
        nmi = Float(from_stdout=r"^NMI: (\S+)", optional=True, desc="NMI value")
        ssd = Float(from_stdout=r"^SSD: (\S+)", optional=True, desc="SSD value")


class reg_jacobian(Interface):
    """Jacobian determinant, matrix or log-determinant map of a transformation."""

    executable = "reg_jacobian"
    family = NIFTYREG

    class Inputs(_Common):
        trans_file = ImageOrValue(argstr="-trans %s", mandatory=True, position=0,
                                  desc="transformation (grid or field image, or affine file)")
        ref_file = Image(argstr="-ref %s", desc="reference image (needed for spline grids)")
        jac_file = OutputImage(argstr="-jac %s", name_source="trans_file",
                               name_template="%s_jac", desc="Jacobian determinant map")
        jac_m_file = OutputImage(argstr="-jacM %s", generate=False, name_source="trans_file",
                                 name_template="%s_jacM", desc="Jacobian matrix map (5D)")
        jac_l_file = OutputImage(argstr="-jacL %s", generate=False, name_source="trans_file",
                                 name_template="%s_jacL", desc="log of the Jacobian determinant")
