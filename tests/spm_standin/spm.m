function varargout = spm(action, varargin)
% TEST STAND-IN for SPM's spm.m -- NOT SPM.
% imageshell's tests run their generated SPM scripts in Octave against this
% stand-in (SPM cannot be installed on the test machines).  It answers the few
% calls the scripts make; spm_jobman.m checks the job and writes the files SPM
% would write.
switch lower(action)
    case 'defaults'
        % nothing to set up
    case 'ver'
        varargout = {'SPM12 (imageshell test stand-in)', 'standin'};
    case 'dir'
        varargout = {fileparts(mfilename('fullpath'))};
    otherwise
        error('spm stand-in: action ''%s'' is not supported', action);
end
