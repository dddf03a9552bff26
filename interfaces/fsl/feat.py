"""FEAT and the models it fits: feat (a whole analysis from its ``.fsf``),
feat_model (the design files), film_gls (the first-level GLM), contrast_mgr,
flameo (the higher-level mixed-effects model), mm (spatial mixture
modelling) and dual_regression (group ICA back-projected per subject).

Declarations only; option names are nipype's.  Tools that read their inputs
from their working folder by name (feat_model, contrast_mgr) get them
linked into the run's folder (``stage``, as nipype's ``copyfile=False``);
tools that make their output folder themselves (film_gls, flameo, mm,
dual_regression) are not given an existing one: FSL would write into
``name+`` instead.
"""

from __future__ import annotations

import os
import re

from ..base import (
    Bool, Directory, Enum, File, Float, Image, Int, Interface, List, OutputDirectory,
    OutputSpec, Str, exclusive,
)
from ..base.naming import split_ext
from .family import FSL, FSLInputs

__all__ = ["feat", "feat_model", "film_gls", "contrast_mgr", "flameo", "mm",
           "dual_regression"]


def _fsf_value(text: str, key: str) -> str | None:
    """The value of ``set fmri(key) ...`` (or ``set key ...``) in an fsf, unquoted."""
    match = re.search(r"^\s*set\s+" + re.escape(key) + r"\s+(.*?)\s*$", text, re.MULTILINE)
    return None if match is None else match.group(1).strip('"')


def _feat_dir(namer) -> str | None:
    """FEAT's output folder, as FEAT names it from the fsf: ``outputdir``
    plus ``.feat`` (``.gfeat`` at higher level, ``.ica`` for MELODIC) unless
    it ends so; without an outputdir, beside the first input, after it.  A
    relative name is in the run's folder (FEAT's current directory)."""
    path = namer.passed.get("fsf_file")
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            text = fh.read()
    except (OSError, TypeError):
        return None
    suffix = ".feat"
    if _fsf_value(text, "fmri(inmelodic)") == "1":
        suffix = ".ica"
    elif _fsf_value(text, "fmri(level)") == "2":
        suffix = ".gfeat"
    out = _fsf_value(text, "fmri(outputdir)")
    if not out:
        first = _fsf_value(text, "feat_files(1)")
        if not first:
            return None
        out = split_ext(first)[0]
    return out if out.endswith(suffix) else out + suffix


class feat(Interface):
    """A whole FEAT analysis from its design file: the output folder
    (``feat_dir``) is the fsf's ``fmri(outputdir)``, as FEAT names it."""

    executable = "feat"
    family = FSL

    class Inputs(FSLInputs):
        fsf_file = File(argstr="%s", position=0, mandatory=True,
                        desc="FEAT design (.fsf); its fmri(outputdir) names the output "
                             "folder (relative: in the run's folder); give one that does "
                             "not exist (FEAT writes into name+.feat otherwise)")

    class Outputs(OutputSpec):
        feat_dir = Directory(name_template=_feat_dir, desc="FEAT's output folder")


def _root(value, values):
    """feat_model's argument: the staged fsf without its extension."""
    return [split_ext(value)[0]]


def _design(template, desc, **metadata):
    return File(name_source="fsf_file", name_template=template, desc=desc, **metadata)


class feat_model(Interface):
    """The design files of an fsf (design.mat, .con, .fts, pictures): the
    fsf and its EV files are linked into the run's folder, where feat_model
    writes them, named after the fsf."""

    executable = "feat_model"
    family = FSL

    class Inputs(FSLInputs):
        fsf_file = File(argstr="%s", position=0, mandatory=True, stage=True, formatter=_root,
                        desc="FEAT design (.fsf), e.g. nipype's Level1Design's")
        ev_files = List(File(), mandatory=True, stage=True,
                        desc="the EV files the fsf names (linked beside it, not on the "
                             "command line)")

    class Outputs(OutputSpec):
        design_file = _design("%s.mat", "design matrix (VEST)")
        design_image = _design("%s.png", "picture of the design matrix")
        design_cov = _design("%s_cov.png", "picture of the design's covariance")
        con_file = _design("%s.con", "t contrasts (VEST)")
        fcon_file = _design("%s.fts", "F contrasts (VEST), when the fsf has F tests",
                            optional=True)
        frf_file = _design("%s.frf", "F tests' required effects, when the fsf has F tests",
                           optional=True)


def _in(folder, template, desc, many=False, kind=Image, **metadata):
    """An output found in the folder given by output argument ``folder``."""
    if many:
        return List(kind(), name_source=folder, name_template=template, desc=desc, **metadata)
    return kind(name_source=folder, name_template=template, desc=desc, **metadata)


def _contrast_outputs(folder):
    """The images a contrast pass writes, one per contrast, in ``folder``
    (an output directory; None: the run's folder)."""
    def one(template, desc):
        if folder is None:
            return List(Image(), name_template=template, desc=desc)
        return _in(folder, template, desc, many=True)
    return {
        "copes": one("cope*", "contrast estimates, one per t contrast"),
        "varcopes": one("varcope*", "variances of the copes"),
        "zstats": one("zstat*", "z statistics, one per t contrast"),
        "tstats": one("tstat*", "t statistics, one per t contrast"),
        "fstats": one("fstat*", "F statistics, one per F contrast"),
        "zfstats": one("zfstat*", "z statistics of the F contrasts"),
    }


_ESTIMATES = ("autocorr_estimate_only", "fit_armodel", "tukey_window", "multitaper_product",
              "use_pava", "autocorr_noestimate")


class film_gls(Interface):
    """Fit a design to each voxel's time series with prewhitening (FILM),
    with FSL 5.0.7's options (nipype's spec for FSL >= 5.0.7); the results
    folder is ``results_dir``."""

    executable = "film_gls"
    family = FSL

    class Inputs(FSLInputs):
        in_file = Image(argstr="--in=%s", position=-3, mandatory=True, desc="4D data")
        design_file = File(argstr="--pd=%s", position=-2, desc="design matrix (VEST .mat)")
        threshold = Float(-1000.0, usedefault=True, argstr="--thr=%f", position=-1,
                          desc="threshold on the data (default -1000)")
        smooth_autocorr = Bool(argstr="--sa", desc="smooth the autocorrelation estimates")
        mask_size = Int(argstr="--ms=%d", desc="SUSAN mask size")
        brightness_threshold = Int(argstr="--epith=%d",
                                   desc="SUSAN brightness threshold (default: estimated)")
        full_data = Bool(argstr="-v", desc="output full data")
        autocorr_estimate_only = Bool(argstr="--ac", desc="estimate autocorrelations only")
        fit_armodel = Bool(argstr="--ar", desc="fit an autoregressive model")
        tukey_window = Int(argstr="--tukey=%d", desc="Tukey window size")
        multitaper_product = Int(argstr="--mt=%d",
                                 desc="multitapering, the time-bandwidth product")
        use_pava = Bool(argstr="--pava", desc="estimate the autocorrelations with PAVA")
        autocorr_noestimate = Bool(argstr="--noest", desc="do not estimate autocorrelations")
        output_pwdata = Bool(argstr="--outputPWdata",
                             desc="output the prewhitened data and average design")
        results_dir = OutputDirectory(argstr="--rn=%s", name_template="results", create=False,
                                      desc="results folder (default 'results'); film_gls "
                                           "makes it")
        tcon_file = File(argstr="--con=%s", desc="t contrasts (VEST .con)")
        fcon_file = File(argstr="--fcon=%s", desc="F contrasts (VEST .fts)")
        mode = Enum("volumetric", "surface", argstr="--mode=%s", desc="kind of analysis")
        surface = File(argstr="--in2=%s",
                       desc="surface for autocorrelation smoothing (surface mode)")

        groups = (exclusive(*_ESTIMATES),)

    Outputs = type("Outputs", (OutputSpec,), {
        "param_estimates": _in("results_dir", "pe*", "one per design column", many=True),
        "residual4d": _in("results_dir", "res4d", "residuals"),
        "dof_file": _in("results_dir", "dof", "degrees of freedom (text)", kind=File),
        "sigmasquareds": _in("results_dir", "sigmasquareds", "residual variance"),
        "thresholdac": _in("results_dir", "threshac1", "autocorrelation parameters"),
        "logfile": _in("results_dir", "logfile", "FILM's log", kind=File),
        **_contrast_outputs("results_dir"),
    })


def _folder_of(value, values):
    """contrast_mgr's stats folder: where sigmasquareds is staged."""
    return [os.path.dirname(value)]


class contrast_mgr(Interface):
    """Contrasts of a FILM fit (FSL < 5.0.7's film_gls; later film_gls takes
    the contrasts itself): the fit's files are linked into the run's folder
    under FILM's names, and the contrast images are written there."""

    executable = "contrast_mgr"
    family = FSL

    class Inputs(FSLInputs):
        tcon_file = File(argstr="%s", position=-1, mandatory=True, desc="t contrasts")
        fcon_file = File(argstr="-f %s", desc="F contrasts")
        param_estimates = List(Image(), mandatory=True, one_or_more=True, stage="pe%d",
                               desc="parameter estimates, one per design column (staged "
                                    "as pe1, pe2...)")
        corrections = Image(mandatory=True, stage="corrections",
                            desc="FILM's statistical corrections")
        dof_file = File(mandatory=True, stage="dof", desc="degrees of freedom")
        sigmasquareds = Image(argstr="%s", position=-2, mandatory=True,
                              stage="sigmasquareds", formatter=_folder_of,
                              desc="residual variance (its staged folder is the argument)")
        contrast_num = Int(argstr="-cope %d", desc="number of the first contrast (>= 1)")
        suffix = Str(argstr="-suffix %s",
                     desc="suffix of the cope names, before the contrast number")

    Outputs = type("Outputs", (OutputSpec,), {
        **_contrast_outputs(None),
        "neffs": List(Image(), name_template="neff*", desc="effective N, one per contrast"),
    })

    @classmethod
    def check_run(cls, run, completed):
        # contrast_mgr exits 0 whatever happens; an error is what it prints (nipype).
        text = (completed.stderr or "").strip()
        return f"contrast_mgr wrote on stderr: {text.splitlines()[-1]}" if text else None


class flameo(Interface):
    """Higher-level (group) mixed-effects model (FLAME); the results go in
    ``log_dir`` (default ``stats`` in the run's folder)."""

    executable = "flameo"
    family = FSL

    class Inputs(FSLInputs):
        cope_file = Image(argstr="--copefile=%s", mandatory=True,
                          desc="4D copes, one volume per lower-level input")
        var_cope_file = Image(argstr="--varcopefile=%s", desc="4D varcopes")
        dof_var_cope_file = Image(argstr="--dofvarcopefile=%s",
                                  desc="degrees of freedom of the varcopes")
        mask_file = Image(argstr="--maskfile=%s", mandatory=True, desc="mask")
        design_file = File(argstr="--designfile=%s", mandatory=True, desc="design matrix")
        t_con_file = File(argstr="--tcontrastsfile=%s", mandatory=True, desc="t contrasts")
        f_con_file = File(argstr="--fcontrastsfile=%s", desc="F contrasts")
        cov_split_file = File(argstr="--covsplitfile=%s", mandatory=True,
                              desc="the group of each input (variance groups)")
        run_mode = Enum("fe", "ols", "flame1", "flame12", argstr="--runmode=%s",
                        mandatory=True, desc="inference")
        n_jumps = Int(argstr="--njumps=%d", desc="MCMC jumps")
        burnin = Int(argstr="--burnin=%d", desc="MCMC jumps discarded at the start")
        sample_every = Int(argstr="--sampleevery=%d", desc="MCMC jumps per sample")
        fix_mean = Bool(argstr="--fixmean", desc="fix the mean for tfit")
        infer_outliers = Bool(argstr="--inferoutliers", desc="infer outliers (not for fe)")
        no_pe_outputs = Bool(argstr="--nopeoutput", desc="do not write the pe images")
        sigma_dofs = Int(argstr="--sigma_dofs=%d",
                         desc="sigma (mm) of the smoothing of the DOFs in FLAME 2 (-1: none)")
        outlier_iter = Int(argstr="--ioni=%d",
                           desc="iterations when inferring outliers (default 12)")
        log_dir = OutputDirectory(argstr="--ld=%s", name_template="stats", create=False,
                                  desc="results folder (default 'stats'); flameo makes it")

    Outputs = type("Outputs", (OutputSpec,), {
        "pes": _in("log_dir", "pe*", "parameter estimates, one per design column",
                   many=True),
        "res4d": _in("log_dir", "res4d", "residuals"),
        **{k: v for k, v in _contrast_outputs("log_dir").items() if k != "varcopes"},
        "var_copes": _in("log_dir", "varcope*", "variances of the copes", many=True),
        "mrefvars": _in("log_dir", "mean_random_effects_var*",
                        "mean random-effect variances, one per contrast", many=True),
        "tdof": _in("log_dir", "tdof_t*", "degrees of freedom, one per t contrast",
                    many=True),
        "weights": _in("log_dir", "weights*", "weights, one per variance group", many=True),
        "stats_dir": Directory(name_template=lambda namer: namer.output_arg("log_dir"),
                               desc="the results folder (log_dir, nipype's name)"),
    })


class mm(Interface):
    """Spatial mixture modelling of a statistic image: the probabilities of
    null, activation and deactivation, in ``log_dir``."""

    executable = "mm"
    family = FSL

    class Inputs(FSLInputs):
        log_dir = OutputDirectory(argstr="--ld=%s", position=0, name_template="logdir",
                                  create=False,
                                  desc="results folder (default 'logdir', as nipype); mm "
                                       "makes it")
        spatial_data_file = Image(argstr="--sdf=%s", position=1, mandatory=True,
                                  desc="statistic image (e.g. a zstat)")
        mask = Image(argstr="--mask=%s", position=2, mandatory=True, desc="mask")
        no_deactivation_class = Bool(argstr="--zfstatmode", position=3,
                                     desc="no deactivation class (e.g. for zfstats)")

    class Outputs(OutputSpec):
        null_p_map = Image(name_source="log_dir", name_template="w1_mean",
                           desc="probability of the null class")
        activation_p_map = Image(name_source="log_dir", name_template="w2_mean",
                                 desc="probability of activation")
        deactivation_p_map = Image(name_source="log_dir", name_template="w3_mean",
                                   optional=True,
                                   desc="probability of deactivation (none with "
                                        "no_deactivation_class)")


def _zero_or_one(value, values):
    return ["1" if value else "0"]


class dual_regression(Interface):
    """Dual regression of group ICA maps on each subject's data, then
    randomise across subjects; everything in ``out_dir``."""

    executable = "dual_regression"
    family = FSL

    class Inputs(FSLInputs):
        group_IC_maps_4D = Image(argstr="%s", position=1, mandatory=True,
                                 desc="group ICA maps (melodic_IC), 4D")
        des_norm = Bool(True, usedefault=True, position=2, formatter=_zero_or_one,
                        desc="variance-normalise the stage-2 regressors (passed as 1/0)")
        one_sample_group_mean = Bool(argstr="-1", position=3,
                                     desc="one-sample group-mean test (passed as -1 for "
                                          "the design)")
        design_file = File(argstr="%s", position=3, requires=["con_file"],
                           desc="design matrix for randomise")
        con_file = File(argstr="%s", position=4, requires=["design_file"],
                        desc="contrasts for randomise")
        n_perm = Int(argstr="%d", position=5, mandatory=True,
                     desc="randomise permutations (1: raw tstats only, 0: no randomise)")
        out_dir = OutputDirectory(argstr="%s", position=6, name_template="output",
                                  create=False,
                                  desc="output folder (default 'output'); the script makes it")
        in_files = List(Image(), argstr="%s", position=-1, mandatory=True, minlen=1,
                        one_or_more=True, desc="each subject's 4D data, in standard space")

        # FSL takes -1 or a design and its contrasts in that place.
        groups = (exclusive("one_sample_group_mean", "design_file", required=True),)

    Outputs = type("Outputs", (OutputSpec,), {
        "mask": _in("out_dir", "mask", "the mask of all subjects' data"),
        "stage1_timeseries": _in("out_dir", "dr_stage1_subject*.txt",
                                 "stage 1: each subject's time courses", many=True,
                                 kind=File),
        "stage2_maps": _in("out_dir", "dr_stage2_subject*", "stage 2: each subject's maps",
                           many=True, exclude="*_Z.*"),
        "stage2_z_maps": _in("out_dir", "dr_stage2_subject*_Z",
                             "stage 2: each subject's maps as z statistics", many=True),
        "stage2_ic_maps": _in("out_dir", "dr_stage2_ic*",
                              "stage 2: each component's maps over subjects (4D)", many=True),
        "stage3_files": _in("out_dir", "dr_stage3_ic*", "stage 3: randomise's images",
                            many=True),
    })
