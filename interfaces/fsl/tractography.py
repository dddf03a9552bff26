"""Tractography: xfibres (the fibre orientations of each voxel, sampled by
MCMC), bedpostx (xfibres over a whole subject folder, samples merged) and
probtrackx, probtrackx2 (probabilistic tracking on those samples).

Declarations only; option names are nipype's (its ``FSLXCommand`` spec,
which xfibres and bedpostx share, and its ``ProbTrackX`` specs).  The
folders these tools make themselves (xfibres' ``logdir``, probtrackx's
``out_dir``) are named, not made, before the run.
"""

from __future__ import annotations

from ..base import (
    Bool, Enum, File, Float, Image, Int, Interface, List, OutputDirectory, OutputSpec,
    exclusive,
)
from .family import FSL, FSLInputs

__all__ = ["xfibres"]


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
                              many=True, exclude="f0samples*")
        mean_dsamples = _in_logdir("mean_dsamples", "mean of the diffusivity d")
        mean_fsamples = _in_logdir("mean_f*samples", "mean volume fraction, per fibre",
                                   many=True, exclude="mean_f0samples*")
        mean_S0samples = _in_logdir("mean_S0samples", "mean of the baseline signal S0")
        mean_tausamples = _in_logdir("mean_tausamples", "mean of tau (Rician noise only)",
                                     requires=["rician"])
        phsamples = _in_logdir("ph*samples", "samples of phi, per fibre", many=True)
        thsamples = _in_logdir("th*samples", "samples of theta, per fibre", many=True)
