"""Tractography: xfibres (the fibre orientations of each voxel, sampled by
MCMC), bedpostx (xfibres over a whole subject folder, samples merged) and
probtrackx, probtrackx2 (probabilistic tracking on those samples).

Declarations only; option names are nipype's (its ``FSLXCommand`` spec,
which xfibres and bedpostx share, and its ``ProbTrackX`` specs).  The
folders these tools make themselves (xfibres' ``logdir``, probtrackx's
``out_dir``) are named, not made, before the run.  bedpostx reads a subject
folder by names (``data``, ``nodif_brain_mask``, ``bvecs``, ``bvals``): its
inputs are linked into ``out_dir`` under those names (``stage``).
"""

from __future__ import annotations

import os

from ..base import (
    Bool, Directory, Enum, File, Float, Image, Int, Interface, List, OutputDirectory,
    OutputSpec, exclusive,
)
from .family import FSL, FSLInputs

__all__ = ["xfibres", "bedpostx", "bedpostx_gpu"]


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
