"""Statistics on images: randomise (permutation inference) and fsl_glm
(a general linear model fit).

Declarations only; option names are nipype's.
"""

from ..base import Bool, File, Float, Image, Int, Interface, List, OutputImage, OutputPrefix
from ..base import OutputSpec
from .family import FSL, FSLInputs

__all__ = ["randomise", "fsl_glm"]


def _found(template, desc):
    """Images randomise writes, found by a pattern on base_name."""
    return List(Image(), name_source="base_name", name_template=template, desc=desc)


class randomise(Interface):
    """Permutation inference on a 4D image of subjects (or a one-sample
    test); the statistic and p-value images are found after the run."""

    executable = "randomise"
    family = FSL

    class Inputs(FSLInputs):
        in_file = Image(argstr="-i %s", position=0, mandatory=True, desc="4D input")
        base_name = OutputPrefix(argstr="-o %s", position=1, name_template="randomise",
                                 desc="prefix of the outputs (default 'randomise')")
        design_mat = File(argstr="-d %s", position=2, desc="design matrix (VEST .mat)")
        tcon = File(argstr="-t %s", position=3, desc="t contrasts (VEST .con)")
        fcon = File(argstr="-f %s", desc="F contrasts (VEST .fts)")
        mask = Image(argstr="-m %s", desc="mask")
        x_block_labels = File(argstr="-e %s", desc="exchangeability block labels")
        demean = Bool(argstr="-D", desc="demean data temporally before the model fit")
        one_sample_group_mean = Bool(argstr="-1",
                                     desc="one-sample group-mean test (sign flipping)")
        show_total_perms = Bool(argstr="-q", desc="print the number of permutations")
        show_info_parallel_mode = Bool(argstr="-Q",
                                       desc="print the information for parallel mode")
        vox_p_values = Bool(argstr="-x", desc="voxel-wise corrected p-value images")
        tfce = Bool(argstr="-T", desc="threshold-free cluster enhancement")
        tfce2D = Bool(argstr="--T2", desc="TFCE with 2D optimisation (e.g. TBSS)")
        f_only = Bool(argstr="--fonly", desc="F tests only")
        raw_stats_imgs = Bool(argstr="-R", desc="raw (unpermuted) statistic images")
        p_vec_n_dist_files = Bool(argstr="-P",
                                  desc="permutation vector and null distribution files")
        num_perm = Int(argstr="-n %d", desc="number of permutations (default 5000)")
        seed = Int(argstr="--seed=%d", desc="seed of the random permutations")
        var_smooth = Int(argstr="-v %d", desc="variance smoothing, sigma in mm")
        c_thresh = Float(argstr="-c %.1f", desc="cluster-extent threshold (t)")
        cm_thresh = Float(argstr="-C %.1f", desc="cluster-mass threshold (t)")
        f_c_thresh = Float(argstr="-F %.2f", desc="cluster-extent threshold (F)")
        f_cm_thresh = Float(argstr="-S %.2f", desc="cluster-mass threshold (F)")
        tfce_H = Float(argstr="--tfce_H=%.2f", desc="TFCE height power (default 2)")
        tfce_E = Float(argstr="--tfce_E=%.2f", desc="TFCE extent power (default 0.5)")
        tfce_C = Float(argstr="--tfce_C=%.2f", desc="TFCE connectivity (6 or 26)")

    class Outputs(OutputSpec):
        tstat_files = _found("%s_tstat*", "t statistic images")
        fstat_files = _found("%s_fstat*", "F statistic images")
        t_p_files = _found("%s_*_p_tstat*", "uncorrected p (1-p) images of the t tests")
        t_corrected_p_files = _found("%s_*_corrp_tstat*",
                                     "corrected p (1-p) images of the t tests")
        f_p_files = _found("%s_*_p_fstat*", "uncorrected p (1-p) images of the F tests")
        f_corrected_p_files = _found("%s_*_corrp_fstat*",
                                     "corrected p (1-p) images of the F tests")


def _image(argstr, desc, also=None):
    """An image fsl_glm writes when given a path (``also``: nipype's name of
    the output, ``out_z`` for the input ``out_z_name``)."""
    return OutputImage(argstr=argstr, desc=desc + " (a path)", also=also)


class fsl_glm(Interface):
    """Fit a general linear model to each voxel's time series (or to a
    text matrix); the parameter estimates are ``out_file``."""

    executable = "fsl_glm"
    family = FSL

    class Inputs(FSLInputs):
        in_file = Image(argstr="-i %s", position=1, mandatory=True,
                        desc="4D image (or text matrix) to fit")
        design = File(argstr="-d %s", position=2, mandatory=True,
                      desc="design matrix (text or image)")
        out_file = OutputImage(argstr="-o %s", position=3, name_source="in_file",
                               name_template="%s_glm", keep_extension=True,
                               desc="parameter estimates (in_file's extension)")
        contrasts = File(argstr="-c %s", desc="t contrasts (text)")
        mask = Image(argstr="-m %s", desc="mask")
        dof = Int(argstr="--dof=%d", desc="degrees of freedom (default: from the design)")
        des_norm = Bool(argstr="--des_norm", desc="normalise the design columns")
        dat_norm = Bool(argstr="--dat_norm", desc="normalise the data")
        var_norm = Bool(argstr="--vn", desc="variance-normalise the time series")
        demean = Bool(argstr="--demean", desc="demean the data")
        out_cope = _image("--out_cope=%s", "contrasts of the parameter estimates")
        out_z_name = _image("--out_z=%s", "z statistics", also="out_z")
        out_t_name = _image("--out_t=%s", "t statistics", also="out_t")
        out_p_name = _image("--out_p=%s", "p values of the z statistics", also="out_p")
        out_f_name = _image("--out_f=%s", "F value of the full model fit", also="out_f")
        out_pf_name = _image("--out_pf=%s", "p value of the full model fit", also="out_pf")
        out_res_name = _image("--out_res=%s", "residuals", also="out_res")
        out_varcb_name = _image("--out_varcb=%s", "variance of the copes", also="out_varcb")
        out_sigsq_name = _image("--out_sigsq=%s", "residual noise variance sigma^2",
                                also="out_sigsq")
        out_data_name = _image("--out_data=%s", "the data after normalisation",
                               also="out_data")
        out_vnscales_name = _image("--out_vnscales=%s", "the scaling factors of var_norm",
                                   also="out_vnscales")
