"""Tractography: xfibres (the fibre orientations of each voxel, sampled by
MCMC), bedpostx (xfibres over a whole subject folder, samples merged) and
probtrackx, probtrackx2 (probabilistic tracking on those samples).

Declarations only; option names are nipype's (its ``FSLXCommand`` spec,
which xfibres and bedpostx share, and its ``ProbTrackX`` specs).  The
folders these tools make themselves (xfibres' ``logdir``, probtrackx's
``out_dir``) are named, not made, before the run.  bedpostx reads a subject
folder by names (``data``, ``nodif_brain_mask``, ``bvecs``, ``bvals``): its
inputs are linked into ``out_dir`` under those names (``stage``).
probtrackx reads its samples by a base name (``merged_th1samples``...): they
are linked into the run's folder under it; lists of seeds and targets are
passed as text files naming them (``listed``, nipype's ``seeds.txt`` and
``targets.txt``).
"""

from __future__ import annotations

import os

from traits.api import Union

from ..base import (
    Bool, Directory, Enum, File, Float, Image, Int, Interface, List, OutputDirectory,
    OutputSpec, Str, exclusive,
)
from .family import FSL, FSLInputs

__all__ = ["xfibres", "bedpostx", "bedpostx_gpu", "probtrackx", "probtrackx2"]


def _fsl_x_options(flag):
    """The options xfibres and bedpostx share (nipype's
    ``FSLXCommandInputSpec``); ``flag(xfibres' flag, bedpostx's)`` picks the
    one the tool's argstr uses."""
    return dict(
        n_fibres=Int(2, usedefault=True, mandatory=True,
                     argstr=flag("--nfibres=%d", "-n %d"),
                     desc="maximum number of fibres to fit in each voxel (>= 1; default 2)"),
        model=Enum(1, 2, 3, argstr=flag("--model=%d", "-model %d"),
                   desc="1: monoexponential (default, needed for single-shell data), "
                        "2: multiexponential (multi-shell), 3: zeppelins"),
        fudge=Int(argstr=flag("--fudge=%d", "-w %d"), desc="ARD fudge factor"),
        n_jumps=Int(5000, usedefault=True, argstr=flag("--njumps=%d", "-j %d"),
                    desc="MCMC jumps (default 5000)"),
        burn_in=Int(0, usedefault=True, argstr=flag("--burnin=%d", "-b %d"),
                    desc="MCMC jumps discarded at the start (default 0)"),
        sample_every=Int(1, usedefault=True, argstr=flag("--sampleevery=%d", "-s %d"),
                         desc="MCMC jumps per sample (default 1)"),
        burn_in_no_ard=Int(0, usedefault=True, argstr="--burnin_noard=%d",
                           desc="burn-in jumps before ARD is imposed (default 0)"),
        update_proposal_every=Int(40, usedefault=True, argstr="--updateproposalevery=%d",
                                  desc="jumps per update of the proposal density's std "
                                       "(default 40)"),
        seed=Int(argstr="--seed=%d", desc="seed of the pseudo random number generator"),
        no_ard=Bool(argstr="--noard", desc="ARD off on all fibres"),
        all_ard=Bool(argstr="--allard", desc="ARD on on all fibres"),
        no_spat=Bool(argstr="--nospat", desc="initialise with the tensor, not spatially"),
        non_linear=Bool(argstr="--nonlinear", desc="initialise with nonlinear fitting"),
        cnlinear=Bool(argstr="--cnonlinear",
                      desc="initialise with constrained nonlinear fitting"),
        rician=Bool(argstr="--rician", desc="Rician noise model"),
        f0_noard=Bool(argstr="--f0", desc="noise floor model: an unattenuated signal "
                                          "compartment f0"),
        f0_ard=Bool(argstr="--f0 --ardf0", desc="noise floor model f0, with ARD on it"),
        force_dir=Bool(True, usedefault=True, argstr="--forcedir",
                       desc="write into the folder named (default; else FSL adds + to "
                            "the name of an existing one)"),
    )


#: nipype's exclusive groups of the shared options (f0_ard also excludes all_ard).
_FSL_X_GROUPS = (exclusive("no_ard", "all_ard"), exclusive("no_spat", "non_linear", "cnlinear"),
                 exclusive("f0_noard", "f0_ard"), exclusive("f0_ard", "all_ard"))


def _in_logdir(template, desc, many=False, **metadata):
    """An image xfibres writes in ``logdir``."""
    if many:
        return List(Image(), name_source="logdir", name_template=template, desc=desc,
                    **metadata)
    return Image(name_source="logdir", name_template=template, desc=desc, **metadata)


class xfibres(Interface):
    """Sample the fibre orientations (and their volume fractions) of each
    voxel of diffusion data by MCMC; the samples go in ``logdir`` (nipype's
    ``XFibres5``, alias ``XFibres``)."""

    executable = "xfibres"
    family = FSL

    Inputs = type("Inputs", (FSLInputs,), {
        "dwi": Image(argstr="--data=%s", mandatory=True, desc="diffusion-weighted data (4D)"),
        "mask": Image(argstr="--mask=%s", mandatory=True, desc="brain mask (e.g. bet's)"),
        "bvecs": File(argstr="--bvecs=%s", mandatory=True, desc="b vectors"),
        "bvals": File(argstr="--bvals=%s", mandatory=True, desc="b values"),
        "logdir": OutputDirectory(argstr="--logdir=%s", name_template="logdir", create=False,
                                  desc="folder of the outputs (default 'logdir' in the run's "
                                       "folder); xfibres makes it"),
        "gradnonlin": Image(argstr="--gradnonlin=%s",
                            desc="gradient nonlinearities (grad_dev, per slice)"),
        **_fsl_x_options(lambda xfibres_flag, bedpostx_flag: xfibres_flag),
        "groups": _FSL_X_GROUPS,
    })

    class Outputs(OutputSpec):
        dyads = _in_logdir("dyads*", "mean principal diffusion direction, per fibre",
                           many=True, exclude="*_dispersion*")
        fsamples = _in_logdir("f*samples", "samples of the volume fraction, per fibre",
                              many=True, exclude="f[!1-9]*")
        mean_dsamples = _in_logdir("mean_dsamples", "mean of the diffusivity d")
        mean_fsamples = _in_logdir("mean_f*samples", "mean volume fraction, per fibre",
                                   many=True, exclude="mean_f[!1-9]*")
        mean_S0samples = _in_logdir("mean_S0samples", "mean of the baseline signal S0")
        mean_tausamples = _in_logdir("mean_tausamples", "mean of tau (Rician noise only)",
                                     requires=["rician"])
        phsamples = _in_logdir("ph*samples", "samples of phi, per fibre", many=True)
        thsamples = _in_logdir("th*samples", "samples of theta, per fibre", many=True)


def _in_bedpostx_dir(template=""):
    """A rule naming an output in bedpostx's results folder, ``out_dir``
    plus ``.bedpostX`` (an image when ``template`` is given)."""
    def name(namer):
        subject = namer.output_arg("out_dir")
        if subject is None:
            return None
        if not template:
            return subject + ".bedpostX"
        ext = namer.family.output_extension(namer.output_type)
        return os.path.join(subject + ".bedpostX", template + ext)
    return name


def _per_fibre(template, desc, **metadata):
    return List(Image(), name_template=_in_bedpostx_dir(template), desc=desc, **metadata)


class bedpostx(Interface):
    """Sample the fibre orientations of a whole subject with xfibres and
    merge the samples (BEDPOSTX): the inputs are linked into the subject
    folder ``out_dir`` under the names bedpostx reads, and the results are
    in ``out_dir`` + ``.bedpostX`` (nipype's ``BEDPOSTX5``, alias
    ``BEDPOSTX``)."""

    executable = "bedpostx"
    family = FSL

    Inputs = type("Inputs", (FSLInputs,), {
        "dwi": Image(mandatory=True, stage="{out_dir}/data",
                     desc="diffusion-weighted data (4D), linked in as out_dir/data"),
        "mask": Image(mandatory=True, stage="{out_dir}/nodif_brain_mask",
                      desc="brain mask, linked in as out_dir/nodif_brain_mask"),
        "bvecs": File(mandatory=True, stage="{out_dir}/bvecs",
                      desc="b vectors, linked in as out_dir/bvecs"),
        "bvals": File(mandatory=True, stage="{out_dir}/bvals",
                      desc="b values, linked in as out_dir/bvals"),
        "grad_dev": Image(stage="{out_dir}/grad_dev",
                          desc="gradient nonlinearities, linked in as out_dir/grad_dev "
                               "(for gradnonlin)"),
        "out_dir": OutputDirectory(argstr="%s", position=1,
                                   name_template="bedpostx",
                                   desc="the subject folder (default 'bedpostx' in the "
                                        "run's folder); the results go in "
                                        "out_dir.bedpostX"),
        "logdir": OutputDirectory(argstr="--logdir=%s", generate=False, create=False,
                                  desc="xfibres' log folder"),
        "gradnonlin": Bool(argstr="-g", desc="consider gradient nonlinearities (grad_dev)"),
        **_fsl_x_options(lambda xfibres_flag, bedpostx_flag: bedpostx_flag),
        "groups": _FSL_X_GROUPS,
    })

    class Outputs(OutputSpec):
        bedpostx_dir = Directory(name_template=_in_bedpostx_dir(),
                                 desc="the results folder, out_dir.bedpostX")
        mean_dsamples = Image(name_template=_in_bedpostx_dir("mean_dsamples"),
                              desc="mean of the diffusivity d")
        mean_S0samples = Image(name_template=_in_bedpostx_dir("mean_S0samples"),
                               desc="mean of the baseline signal S0")
        mean_fsamples = _per_fibre("mean_f*samples", "mean volume fraction, per fibre",
                                   exclude="mean_f[!1-9]*")
        mean_phsamples = _per_fibre("mean_ph*samples", "mean of phi, per fibre")
        mean_thsamples = _per_fibre("mean_th*samples", "mean of theta, per fibre")
        merged_thsamples = _per_fibre("merged_th*samples",
                                      "samples of theta, per fibre (probtrackx's thsamples)")
        merged_phsamples = _per_fibre("merged_ph*samples",
                                      "samples of phi, per fibre (probtrackx's phsamples)")
        merged_fsamples = _per_fibre("merged_f*samples",
                                     "samples of the volume fraction, per fibre "
                                     "(probtrackx's fsamples)", exclude="merged_f[!1-9]*")
        dyads = _per_fibre("dyads*", "mean principal diffusion direction, per fibre",
                           exclude="*_dispersion*")
        dyads_dispersion = _per_fibre("dyads*_dispersion",
                                      "dispersion of the direction, per fibre")


class bedpostx_gpu(bedpostx):
    """bedpostx on the GPU (nipype's ``BEDPOSTX5(use_gpu=True)``): the same
    inputs and results."""

    executable = "bedpostx_gpu"


def _file_or_image(**metadata):
    """A path to any file (a mask, a text list of masks, a matrix) passed as
    it is, or an image (in memory too) handed over as a file."""
    return Union(File(), Image(), **metadata)


def _seed_mode(seed):
    """probtrackx's mode when not given (nipype's): simple for voxels."""
    voxels = isinstance(seed, list) and seed and isinstance(seed[0], (list, tuple))
    return "simple" if voxels else "seedmask"


def _samples(kind):
    return List(Image(), mandatory=True, one_or_more=True,
                stage="{samples_base_name}_" + kind + "%dsamples",
                desc=f"bedpostx's merged_{kind}<n>samples, one per fibre (linked into the "
                     f"run's folder as <samples_base_name>_{kind}<n>samples)")


def _probtrackx_options():
    """The inputs probtrackx and probtrackx2 share (nipype's
    ``ProbTrackXBaseInputSpec``)."""
    return dict(
        thsamples=_samples("th"),
        phsamples=_samples("ph"),
        fsamples=_samples("f"),
        samples_base_name=Str("merged", usedefault=True, argstr="--samples=%s",
                              desc="base name of the samples in the run's folder "
                                   "(default 'merged')"),
        mask=Image(argstr="-m %s", mandatory=True, desc="brain mask in diffusion space"),
        seed=Union(File(), Image(), List(Union(File(), Image())),
                   List(List(Int(), minlen=3, maxlen=3)), argstr="--seed=%s",
                   mandatory=True, listed="seeds.txt",
                   desc="seed mask (a path: any file probtrackx reads, a FreeSurfer label "
                        "too), or a list of masks or of voxels (x, y, z), passed as "
                        "seeds.txt"),
        target_masks=List(Union(File(), Image()), argstr="--targetmasks=%s",
                          one_or_more=True, listed="targets.txt",
                          desc="target masks for seeds_to_targets classification (passed "
                               "as targets.txt)"),
        waypoints=_file_or_image(argstr="--waypoints=%s",
                                 desc="waypoint mask, or a text list of them: only paths "
                                      "through all of them are kept"),
        network=Bool(argstr="--network", desc="network mode: only paths through at least "
                                              "one other seed mask (several seed masks)"),
        seed_ref=Image(argstr="--seedref=%s",
                       desc="reference volume of the seed space (simple mode; default "
                            "diffusion space)"),
        out_dir=OutputDirectory(argstr="--dir=%s", name_template="probtrackx", create=False,
                                desc="folder of the outputs (default 'probtrackx' in the "
                                     "run's folder); probtrackx makes it"),
        force_dir=Bool(True, usedefault=True, argstr="--forcedir",
                       desc="write into the folder named (default; else FSL adds + to the "
                            "name of an existing one)"),
        opd=Bool(True, usedefault=True, argstr="--opd",
                 desc="write the path distribution, fdt_paths (default)"),
        correct_path_distribution=Bool(argstr="--pd",
                                       desc="correct the path distribution for the length "
                                            "of the paths"),
        os2t=Bool(argstr="--os2t", desc="write seeds_to_<target> images"),
        avoid_mp=Image(argstr="--avoid=%s", desc="reject paths through this mask"),
        stop_mask=Image(argstr="--stop=%s", desc="stop tracking in this mask"),
        xfm=_file_or_image(argstr="--xfm=%s",
                           desc="seed space to diffusion space: a FLIRT matrix or FNIRT warp "
                                "(default identity)"),
        inv_xfm=Union(File(exists=False), Image(), argstr="--invxfm=%s",
                      desc="diffusion space to seed space (needed with a warp as xfm)"),
        n_samples=Int(5000, usedefault=True, argstr="--nsamples=%d",
                      desc="samples (default 5000)"),
        n_steps=Int(argstr="--nsteps=%d", desc="steps per sample (default 2000)"),
        dist_thresh=Float(argstr="--distthresh=%.3f",
                          desc="discard samples shorter than this (mm; default 0)"),
        c_thresh=Float(argstr="--cthr=%.3f", desc="curvature threshold (default 0.2)"),
        sample_random_points=Float(argstr="--sampvox=%.3f",
                                   desc="sample random points within the seed voxels"),
        step_length=Float(argstr="--steplength=%.3f", desc="step length (mm; default 0.5)"),
        loop_check=Bool(argstr="--loopcheck", desc="check for loops (slower, allows a lower "
                                                   "curvature threshold)"),
        use_anisotropy=Bool(argstr="--usef", desc="use anisotropy to constrain tracking"),
        rand_fib=Enum(0, 1, 2, 3, argstr="--randfib=%d",
                      desc="0: default; 1: sample initial fibres with f > fibthresh at "
                           "random; 2: in proportion to f; 3: all fibres at random"),
        fibst=Int(argstr="--fibst=%d", desc="starting fibre (default 1; with rand_fib 0)"),
        mod_euler=Bool(argstr="--modeuler", desc="modified Euler streamlining"),
        random_seed=Int(argstr="--rseed=%d", desc="random seed"),
        s2tastext=Bool(argstr="--s2tastext",
                       desc="seeds-to-targets counts as a text file (e.g. for a mesh seed)"),
        verbose=Enum(0, 1, 2, argstr="--verbose=%d",
                     desc="verbosity 0-2 (2: the particle files too)"),
    )


def _in_out_dir(template, desc, kind=File, many=False, **metadata):
    """An output probtrackx writes in ``out_dir``."""
    if many:
        return List(kind(), name_source="out_dir", name_template=template, desc=desc,
                    **metadata)
    return kind(name_source="out_dir", name_template=template, desc=desc, **metadata)


def _probtrackx_outputs():
    """The outputs of probtrackx and probtrackx2 (nipype's
    ``ProbTrackXOutputSpec``), found in ``out_dir``."""
    return {
        "log": _in_out_dir("probtrackx.log", "the command that ran, as probtrackx logs it"),
        "fdt_paths": _in_out_dir("fdt_paths*", "the path distribution (one per voxel seed "
                                               "in simple mode)", kind=Image, many=True,
                                 requires=["opd"]),
        "way_total": _in_out_dir("waytotal", "the number of paths kept (not rejected by "
                                             "the masks)"),
        "targets": _in_out_dir("seeds_to_*", "seeds_to_<target> images, one per target "
                                             "mask", kind=Image, many=True,
                               requires=["target_masks"]),
        "particle_files": _in_out_dir("particle*", "the path of each sample (verbose 2)",
                                      many=True),
    }


class probtrackx(Interface):
    """Probabilistic tractography on bedpostx's samples (FSL 4's
    probtrackx): the samples are linked into the run's folder under
    ``samples_base_name``, the results go in ``out_dir``."""

    executable = "probtrackx"
    family = FSL

    Inputs = type("Inputs", (FSLInputs,), {
        **_probtrackx_options(),
        "mode": Enum("simple", "two_mask_symm", "seedmask", argstr="--mode=%s",
                     default_from=("seed", _seed_mode),
                     desc="simple (voxel seeds), seedmask (default for masks) or "
                          "two_mask_symm (with mask2)"),
        "mask2": Image(argstr="--mask2=%s",
                       desc="second mask (diffusion space), for two_mask_symm"),
        "mesh": File(argstr="--mesh=%s", desc="FreeSurfer-type surface (ASCII)"),
    })

    Outputs = type("Outputs", (OutputSpec,), _probtrackx_outputs())


class probtrackx2(Interface):
    """Probabilistic tractography on bedpostx's samples (probtrackx2):
    connectivity matrices beyond probtrackx's outputs."""

    executable = "probtrackx2"
    family = FSL

    Inputs = type("Inputs", (FSLInputs,), {
        **_probtrackx_options(),
        "simple": Bool(argstr="--simple",
                       desc="track from a list of voxels (seed: a text list of coordinates)"),
        "fopd": Image(argstr="--fopd=%s", desc="other mask for binning the tract distribution"),
        "waycond": Enum("OR", "AND", argstr="--waycond=%s",
                        desc="waypoint condition (default AND)"),
        "wayorder": Bool(argstr="--wayorder",
                         desc="reject paths that do not hit the waypoints in order (AND)"),
        "onewaycondition": Bool(argstr="--onewaycondition",
                                desc="waypoint conditions on each half of a path"),
        "omatrix1": Bool(argstr="--omatrix1", desc="seed-to-seed connectivity (matrix 1)"),
        "distthresh1": Float(argstr="--distthresh1=%.3f",
                             desc="discard samples shorter than this in matrix 1 (mm)"),
        "omatrix2": Bool(argstr="--omatrix2", requires=["target2"],
                         desc="seed to low-resolution mask (matrix 2)"),
        "target2": Image(argstr="--target2=%s",
                         desc="low-resolution brain mask for matrix 2"),
        "omatrix3": Bool(argstr="--omatrix3", requires=["target3", "lrtarget3"],
                         desc="N x N connectivity (matrix 3)"),
        "target3": Image(argstr="--target3=%s",
                         desc="mask of the rows of matrix 3 (N x n with lrtarget3)"),
        "lrtarget3": Image(argstr="--lrtarget3=%s", desc="mask of the columns of matrix 3"),
        "distthresh3": Float(argstr="--distthresh3=%.3f",
                             desc="discard samples shorter than this in matrix 3 (mm)"),
        "omatrix4": Bool(argstr="--omatrix4",
                         desc="diffusion mask to seed (matrix 4, Oxford sparse format)"),
        "colmask4": Image(argstr="--colmask4=%s",
                          desc="mask of the columns of matrix 4 (default the seed mask)"),
        "target4": Image(argstr="--target4=%s", desc="brain mask in diffusion space"),
        "meshspace": Enum("caret", "freesurfer", "first", "vox", argstr="--meshspace=%s",
                          desc="mesh reference space (default caret)"),
    })

    Outputs = type("Outputs", (OutputSpec,), {
        **_probtrackx_outputs(),
        "network_matrix": _in_out_dir("matrix_seeds_to_all_targets",
                                      "seeds-to-targets counts as text (os2t with "
                                      "s2tastext)", requires=["os2t", "s2tastext"]),
        "matrix1_dot": _in_out_dir("fdt_matrix1.dot", "matrix 1, seed to seed (sparse)",
                                   requires=["omatrix1"]),
        "lookup_tractspace": _in_out_dir("lookup_tractspace_fdt_matrix2",
                                         "the voxel of each column of matrix 2",
                                         kind=Image, requires=["omatrix2"]),
        "matrix2_dot": _in_out_dir("fdt_matrix2.dot", "matrix 2, seed to target2 (sparse)",
                                   requires=["omatrix2"]),
        "matrix3_dot": _in_out_dir("fdt_matrix3.dot", "matrix 3, target3 to lrtarget3 "
                                                      "(sparse)", requires=["omatrix3"]),
    })
