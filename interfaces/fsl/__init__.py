"""FSL: flirt, bet and the tools people chain with them.

Each interface is a declaration over :mod:`interfaces.base`; option names are
nipype's (flirt's images are ``source`` and ``target``).  Inputs can be
nibabel images in memory; image outputs come back as lazy imagecache images.

==================  ==========================================================
``registration``    flirt, applyxfm, applyisoxfm, convert_xfm, mcflirt, fnirt,
                    applywarp, invwarp, convertwarp, epi_reg
``preprocess``      bet, fast, run_first_all, susan, slicetimer, fugue, prelude
``utils``           fslmaths, fslstats, fslroi, fslmerge, fslsplit,
                    fslreorient2std, robustfov, fslorient, fslswapdim,
                    fslcpgeom, cluster
``diffusion``       topup, applytopup, eddy, dtifit, melodic
``analysis``        fslmeants, smoothest, avscale, fsl_motion_outliers,
                    fsl_regfilt
``display``         slicer, overlay
``model``           randomise, fsl_glm
``feat``            feat, feat_model, film_gls, contrast_mgr, flameo, mm,
                    dual_regression
``tractography``    xfibres, bedpostx, bedpostx_gpu, probtrackx, probtrackx2
``tbss``            tbss_skeleton, vecreg, proj_thresh, make_dyadic_vectors;
                    TBSS's scripts tbss_1_preproc, tbss_2_reg, tbss_3_postreg,
                    tbss_4_prestats, tbss_non_FA
``misc``            fslslice, fslpspec, distancemap, find_the_biggest, sigloss,
                    Text2Vest, Vest2Text, eddy_correct
``coordinates``     img2imgcoord, img2stdcoord, std2imgcoord (points, parsed),
                    fnirtfileutils
``fieldmaps``       fslcomplex, fsl_prepare_fieldmap, b0calc, epidewarp
``plots``           fsl_tsplot as nipype's PlotTimeSeries, PlotMotionParams
``qc``              eddy_quad
``aroma``           ICA_AROMA (ICA-AROMA's script, run with FSL)
``mathsfamily``     nipype's fslmaths classes: Threshold, BinaryMaths,
                    IsotropicSmooth, MeanImage, ImageMaths,
                    MultiImageMaths... (nipype's names)
``maths``           :class:`maths`, the chainable form of fslmaths
``matrices``        :func:`load_matrix`, :func:`save_matrix` (``.mat`` files)
``family``          :data:`FSL`: $FSLDIR, FSLOUTPUTTYPE, version, formats
==================  ==========================================================

>>> from interfaces import fsl                                  # doctest: +SKIP
>>> res = fsl.flirt().run(source=img, target=template)          # doctest: +SKIP
>>> fsl.load_matrix(res.outputs.out_matrix_file)                # doctest: +SKIP
"""

from .aroma import ICA_AROMA
from .analysis import avscale, fsl_motion_outliers, fsl_regfilt, fslmeants, smoothest
from .diffusion import applytopup, dtifit, eddy, melodic, topup
from .coordinates import fnirtfileutils, img2imgcoord, img2stdcoord, std2imgcoord
from .display import overlay, slicer
from .family import FSL, OUTPUT_TYPES
from .feat import contrast_mgr, dual_regression, feat, feat_model, film_gls, flameo, mm
from .fieldmaps import b0calc, epidewarp, fsl_prepare_fieldmap, fslcomplex
from .maths import maths
from .mathsfamily import (
    AR1Image, ApplyMask, BinaryMaths, ChangeDataType, DilateImage, ErodeImage, ImageMaths,
    IsotropicSmooth, MathsCommand, MultiImageMaths, MaxImage, MaxnImage, MeanImage, MedianImage, MinImage,
    PercentileImage, Smooth, SpatialFilter, StdImage, TemporalFilter, Threshold, UnaryMaths,
)
from .matrices import load_matrix, save_matrix
from .misc import (
    Text2Vest, Vest2Text, distancemap, eddy_correct, find_the_biggest, fslpspec, fslslice,
    sigloss,
)
from .model import fsl_glm, randomise
from .plots import PlotMotionParams, PlotTimeSeries
from .preprocess import bet, fast, fugue, prelude, run_first_all, slicetimer, susan
from .qc import eddy_quad
from .tbss import (
    make_dyadic_vectors, proj_thresh, tbss_1_preproc, tbss_2_reg, tbss_3_postreg,
    tbss_4_prestats, tbss_non_FA, tbss_skeleton, vecreg,
)
from .registration import (
    applyisoxfm, applywarp, applyxfm, convert_xfm, convertwarp, epi_reg, flirt, fnirt,
    invwarp, mcflirt,
)
from .tractography import bedpostx, bedpostx_gpu, probtrackx, probtrackx2, xfibres
from .utils import (
    cluster, fslcpgeom, fslmaths, fslmerge, fslorient, fslreorient2std, fslroi, fslsplit,
    fslstats, fslswapdim, robustfov,
)

#: The interfaces (what ``imageshell list`` shows).
__all__ = [
    "flirt", "applyxfm", "applyisoxfm", "convert_xfm", "mcflirt", "fnirt", "applywarp",
    "invwarp", "convertwarp", "epi_reg",
    "bet", "fast", "run_first_all", "susan", "slicetimer", "fugue", "prelude",
    "fslmaths", "fslstats", "fslroi", "fslmerge", "fslsplit", "fslreorient2std",
    "robustfov", "fslorient", "fslswapdim", "fslcpgeom", "cluster",
    "topup", "applytopup", "eddy", "dtifit", "melodic",
    "fslmeants", "smoothest", "avscale", "fsl_motion_outliers", "fsl_regfilt",
    "slicer", "overlay", "randomise", "fsl_glm",
    "fslslice", "fslpspec", "distancemap", "find_the_biggest", "sigloss", "Text2Vest",
    "Vest2Text", "eddy_correct",
    # nipype's fslmaths classes
    "MathsCommand", "ChangeDataType", "Threshold", "StdImage", "MeanImage", "MaxImage",
    "MaxnImage", "MinImage", "MedianImage", "PercentileImage", "AR1Image",
    "IsotropicSmooth", "ApplyMask", "DilateImage", "ErodeImage", "SpatialFilter",
    "UnaryMaths", "BinaryMaths", "TemporalFilter", "Smooth", "ImageMaths", "MultiImageMaths",
    # tractography (probtrackx, bedpostx)
    "xfibres", "bedpostx", "bedpostx_gpu", "probtrackx", "probtrackx2",
    #
    # TBSS, vecreg, proj_thresh, make_dyadic_vectors
    "tbss_skeleton", "vecreg", "proj_thresh", "make_dyadic_vectors",
    "tbss_1_preproc", "tbss_2_reg", "tbss_3_postreg", "tbss_4_prestats", "tbss_non_FA",
    #
    # FEAT, FILM, FLAME and group models
    "feat", "feat_model", "film_gls", "contrast_mgr", "flameo", "mm", "dual_regression",
    #
    # coordinates, field maps, plots, complex images, QC
    "img2imgcoord", "img2stdcoord", "std2imgcoord", "fnirtfileutils", "b0calc",
    "fsl_prepare_fieldmap", "fslcomplex", "PlotTimeSeries", "PlotMotionParams", "eddy_quad",
    #
    # ICA-AROMA; FreeSurfer's epidewarp.fsl
    "ICA_AROMA", "epidewarp",
]

# Not interfaces, but part of the package's offer.
__all__ += ["maths", "load_matrix", "save_matrix", "FSL", "OUTPUT_TYPES"]
