function varargout = spm_get_defaults(varargin)
% TEST STAND-IN for SPM's spm_get_defaults.m -- NOT SPM (see spm.m here).
varargout = cell(1, nargout);
