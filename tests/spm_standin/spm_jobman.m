function spm_jobman(action, varargin)
% TEST STAND-IN for SPM's spm_jobman.m -- NOT SPM.
%
% 'run' treats each job the way SPM12's batch system does:
% - a numeric entry whose size is not the one SPM's configuration requires
%   (spm_cfg_*.m: smooth FWHM [1 3], voxel sizes [1 3], bounding boxes [2 3],
%   ...) is refused with SPM's message, "Item 'FWHM', field 'val': Size
%   mismatch (required [1  3], present [1  1]).", and the module runs with its
%   default for that item -- the job does not fail, as in SPM;
% - a module that fails is reported as SPM reports it (Failed  '<module>',
%   the error, "The following modules did not run:"), and spm_jobman then
%   raises only "Job execution failed. ...", as SPM does.
% It checks field names of the module, cell arrays of 'file,frame' whose
% files exist, numbers and strings, and the tissue probability map SPM reads
% by default (tpm/TPM.nii in SPM's folder), then writes the files SPM would
% write, named as SPM names them (r*, mean*, rp_*.txt, c1*, y_*, ...), as
% copies of the inputs.  Estimation steps rewrite the header of their inputs,
% as SPM does (srow_x(4) += 1), so tests can check that user files are
% untouched.
switch action
    case 'initcfg'
    case 'run'
        jobs = varargin{1};
        if ~iscell(jobs)
            error('spm stand-in: matlabbatch must be a cell array');
        end
        for i = 1:numel(jobs)
            fprintf('\n------------------------------------------------------------------------\n');
            fprintf('%s - Running job #%d\n', datestr(now), i);
            fprintf('------------------------------------------------------------------------\n');
            [job, name] = initjob(jobs{i});
            fprintf('%s - Running ''%s''\n', datestr(now), name);
            try
                run_job(job);
            catch err
                fprintf('%s - Failed  ''%s''\n', datestr(now), name);
                fprintf('Error using ==> %s\n', stack_name(err));
                fprintf('%s\n', err.message);
                if ~isempty(err.stack)
                    fprintf('In file "%s", function "%s" at line %d.\n', err.stack(1).file, ...
                            err.stack(1).name, err.stack(1).line);
                end
                fprintf('\nThe following modules did not run:\nFailed: %s\n\n', name);
                error('matlabbatch:run:jobfailederr', '%s', ['Job execution failed. The full ' ...
                      'log of this run can be found in MATLAB command window, starting with ' ...
                      'the lines (look for the line showing the exact #job as displayed in ' ...
                      'this error message)' char(10) '------------------ ' char(10) ...
                      'Running job #' num2str(i) char(10) '------------------']);
            end
            fprintf('%s - Done    ''%s''\n', datestr(now), name);
        end
        fprintf('Done\n');
    otherwise
        error('spm_jobman stand-in: action ''%s'' is not supported', action);
end
end

function name = stack_name(err)
name = 'spm_jobman';
if ~isempty(err.stack), name = err.stack(1).name; end
end

% -- SPM's configuration: required sizes of numeric entries -------------------

function [job, name] = initjob(job)
% As SPM's cfg_util('initjob'): values of the wrong size are refused (with
% SPM's message) and left to the module's default.
[module, path] = module_of(job);
[name, entries] = configuration(module);
for e = 1:size(entries, 1)
    [found, value] = get_path(job, [path '.' entries{e, 1}]);
    required = entries{e, 3};
    if ~found, continue; end
    present = size(value);
    ok = numel(present) == 2 && (isinf(required(1)) || present(1) == required(1)) ...
         && (isinf(required(2)) || present(2) == required(2));
    if ~ok
        fprintf('Item ''%s'', field ''val'': Size mismatch (required [%s], present [%s]).\n', ...
                entries{e, 2}, num2str(required), num2str(present));
        job = rm_path(job, [path '.' entries{e, 1}]);
    end
end
end

function [module, path] = module_of(job)
module = '';
path = 'spm';
if ~(isstruct(job) && isfield(job, 'spm')), return; end
s = job.spm;
while isstruct(s) && numel(fieldnames(s)) == 1 && numel(s) == 1
    f = fieldnames(s){1};
    candidate = [module '.' f];
    if ~isempty(configuration_name(candidate(2:end)))
        module = candidate(2:end);
        path = [path '.' f];
        return
    end
    module = candidate;
    path = [path '.' f];
    s = s.(f);
end
module = '';
end

function name = configuration_name(module)
[name, ~] = configuration(module);
end

function [name, entries] = configuration(module)
% {field, SPM's item name, required size} of the numeric entries (cfg_entry)
% of each module, from SPM12's spm_cfg_*.m.
realign = {'eoptions.quality', 'Quality', [1 1]; 'eoptions.sep', 'Separation', [1 1];
           'eoptions.fwhm', 'Smoothing (FWHM)', [1 1]};
coreg = {'eoptions.sep', 'Separation', [1 Inf]; 'eoptions.tol', 'Tolerances', [1 12];
         'eoptions.fwhm', 'Histogram Smoothing', [1 2]};
norm_est = {'eoptions.reg', 'Warping Regularisation', [1 5];
            'eoptions.fwhm', 'Smoothness', [1 1]; 'eoptions.samp', 'Sampling distance', [1 1]};
norm_write = {'woptions.bb', 'Bounding box', [2 3]; 'woptions.vox', 'Voxel sizes', [1 3]};
entries = cell(0, 3);
switch module
    case 'spatial.realign.estimate', name = 'Realign: Estimate'; entries = realign;
    case 'spatial.realign.estwrite', name = 'Realign: Estimate & Reslice'; entries = realign;
    case 'spatial.realign.write', name = 'Realign: Reslice';
    case 'spatial.coreg.estimate', name = 'Coregister: Estimate'; entries = coreg;
    case 'spatial.coreg.estwrite', name = 'Coregister: Estimate & Reslice'; entries = coreg;
    case 'spatial.coreg.write', name = 'Coregister: Reslice';
    case 'spatial.normalise.est', name = 'Normalise: Estimate'; entries = norm_est;
    case 'spatial.normalise.estwrite'
        name = 'Normalise: Estimate & Write'; entries = [norm_est; norm_write];
    case 'spatial.normalise.write', name = 'Normalise: Write'; entries = norm_write;
    case 'spatial.preproc'
        name = 'Segment';
        entries = {'warp.mrf', 'MRF Parameter', [1 1]; 'warp.reg', 'Warping Regularisation', [1 5];
                   'warp.fwhm', 'Smoothness', [1 1]; 'warp.samp', 'Sampling distance', [1 1]};
    case 'spatial.smooth', name = 'Smooth'; entries = {'fwhm', 'FWHM', [1 3]};
    case 'temporal.st'
        name = 'Slice Timing';
        entries = {'nslices', 'Number of Slices', [1 1]; 'tr', 'TR', [1 1]; 'ta', 'TA', [1 1];
                   'so', 'Slice order', [1 Inf]; 'refslice', 'Reference Slice', [1 1]};
    case 'util.imcalc', name = 'Image Calculator';
    otherwise, name = '';
end
end

function [found, value] = get_path(s, path)
parts = strsplit(path, '.');
found = false; value = [];
for k = 1:numel(parts)
    if ~(isstruct(s) && numel(s) == 1 && isfield(s, parts{k})), return; end
    s = s.(parts{k});
end
found = true; value = s;
end

function s = rm_path(s, path)
parts = strsplit(path, '.');
if numel(parts) == 1
    s = rmfield(s, parts{1});
else
    s.(parts{1}) = rm_path(s.(parts{1}), strjoin(parts(2:end), '.'));
end
end

function tpm = default_tpm()
% SPM's tissue probability map, read when the job names none
tpm = fullfile(spm('dir'), 'tpm', 'TPM.nii');
if ~exist(tpm, 'file')
    error('File "%s" does not exist.', tpm);
end
end

function run_job(job)
need(isstruct(job) && isfield(job, 'spm'), 'a job must be a struct with field spm');
m = job.spm;
group = only_field(m, 'matlabbatch{1}.spm');
m = m.(group);
module = only_field(m, ['spm.' group]);
j = m.(module);
switch [group '.' module]
    case 'spatial.realign'
        kind = only_field(j, 'spm.spatial.realign');
        run_realign(kind, j.(kind));
    case 'spatial.coreg'
        kind = only_field(j, 'spm.spatial.coreg');
        run_coreg(kind, j.(kind));
    case 'spatial.normalise'
        kind = only_field(j, 'spm.spatial.normalise');
        run_normalise(kind, j.(kind));
    case 'spatial.preproc'
        run_preproc(j);
    case 'spatial.smooth'
        fields(j, 'smooth', {'data', 'fwhm', 'dtype', 'im', 'prefix'});
        files = scans(j.data, 'data');
        if ~isfield(j, 'fwhm'), j.fwhm = [8 8 8]; end  % SPM's default
        opt_num(j, 'dtype', 1); opt_num(j, 'im', 1);
        write_copies(files, prefix(j, 's'));
    case 'temporal.st'
        fields(j, 'st', {'scans', 'nslices', 'tr', 'ta', 'so', 'refslice', 'prefix'});
        need(iscell(j.scans), 'scans must be a cell array of sessions');
        files = {};
        for s = 1:numel(j.scans)
            files = [files; scans(j.scans{s}, sprintf('scans{%d}', s))];
        end
        for f = {'nslices', 'tr', 'ta', 'refslice'}
            need(isfield(j, f{1}) && isnumeric(j.(f{1})) && isscalar(j.(f{1})), ...
                 sprintf('%s must be a number', f{1}));
        end
        need(isnumeric(j.so) && numel(j.so) == j.nslices, ...
             sprintf('slice order has %d entries for %d slices', numel(j.so), j.nslices));
        write_copies(files, prefix(j, 'a'));
    case 'util.imcalc'
        fields(j, 'imcalc', {'input', 'output', 'outdir', 'expression', 'var', 'options'});
        files = scans(j.input, 'input');
        need(ischar(j.output) && ~isempty(j.output), 'output must be a file name');
        need(ischar(j.expression), 'expression must be a string');
        need(iscellstr(j.outdir) && numel(j.outdir) == 1 && isfolder(j.outdir{1}), ...
             'outdir must be {existing folder}');
        if isfield(j, 'options')
            fields(j.options, 'options', {'dmtx', 'mask', 'interp', 'dtype'});
        end
        copyfile(unframe(files{1}), fullfile(j.outdir{1}, j.output));
    otherwise
        error('spm stand-in: module spm.%s.%s is not simulated', group, module);
end
end

function run_realign(kind, j)
switch kind
    case 'estimate', allowed = {'data', 'eoptions'};
    case 'estwrite', allowed = {'data', 'eoptions', 'roptions'};
    case 'write',    allowed = {'data', 'roptions'};
    otherwise, error('spm.spatial.realign has no %s', kind);
end
fields(j, ['realign.' kind], allowed);
eoptions(j, {'quality', 'sep', 'fwhm', 'rtm', 'interp', 'wrap', 'weight'});
which = roptions(j, {'which', 'interp', 'wrap', 'mask', 'prefix'});
if strcmp(kind, 'write')
    files = scans(j.data, 'data');
    sessions = {files};
else
    need(iscell(j.data) && ~iscellstr(j.data), 'data must be a cell array of sessions');
    sessions = {};
    for s = 1:numel(j.data)
        sessions{s} = scans(j.data{s}, sprintf('data{%d}', s));
    end
    for s = 1:numel(sessions)
        n = numel(sessions{s});
        [p, name] = fileparts(unframe(sessions{s}{1}));
        rp = [(0:n-1)' * 0.01, zeros(n, 4), (0:n-1)' * 0.001];
        fid = fopen(fullfile(p, ['rp_' name '.txt']), 'w');
        fprintf(fid, '%16.10f %16.10f %16.10f %16.10f %16.10f %16.10f\n', rp');
        fclose(fid);
        rewrite_headers(sessions{s});
    end
    files = vertcat(sessions{:});
end
if ~strcmp(kind, 'estimate')
    if which(1) > 0, write_copies(files, prefix(j.roptions, 'r')); end
    if which(2) > 0, write_copies(files(1), 'mean'); end
end
end

function run_coreg(kind, j)
switch kind
    case 'estimate', allowed = {'ref', 'source', 'other', 'eoptions'};
    case 'estwrite', allowed = {'ref', 'source', 'other', 'eoptions', 'roptions'};
    case 'write',    allowed = {'ref', 'source', 'roptions'};
    otherwise, error('spm.spatial.coreg has no %s', kind);
end
fields(j, ['coreg.' kind], allowed);
ref = scans(j.ref, 'ref');
need(numel(ref) == 1, 'ref must be one image');
eoptions(j, {'cost_fun', 'sep', 'tol', 'fwhm'});
if isfield(j, 'eoptions') && isfield(j.eoptions, 'cost_fun')
    need(any(strcmp(j.eoptions.cost_fun, {'mi', 'nmi', 'ecc', 'ncc'})), 'cost_fun unknown');
end
roptions(j, {'interp', 'wrap', 'mask', 'prefix'});
source = scans(j.source, 'source');
other = {};
if isfield(j, 'other') && ~(numel(j.other) == 1 && isempty(j.other{1}))
    other = scans(j.other, 'other');
end
if strcmp(kind, 'write')
    write_copies(source, prefix(j.roptions, 'r'));
    return
end
need(numel(source) == 1, 'source must be one image');
rewrite_headers([source; other]);
if strcmp(kind, 'estwrite')
    write_copies([source; other], prefix(j.roptions, 'r'));
end
end

function run_normalise(kind, j)
switch kind
    case 'est',      allowed = {'subj', 'eoptions'}; subj = {'vol'};
    case 'estwrite', allowed = {'subj', 'eoptions', 'woptions'}; subj = {'vol', 'resample'};
    case 'write',    allowed = {'subj', 'woptions'}; subj = {'def', 'resample'};
    otherwise, error('spm.spatial.normalise has no %s', kind);
end
fields(j, ['normalise.' kind], allowed);
fields(j.subj, 'subj', subj);
eoptions(j, {'biasreg', 'biasfwhm', 'tpm', 'affreg', 'reg', 'fwhm', 'samp'});
if isfield(j, 'eoptions') && isfield(j.eoptions, 'tpm')
    need(iscellstr(j.eoptions.tpm) && exist(j.eoptions.tpm{1}, 'file'), 'tpm must be {file}');
elseif ~strcmp(kind, 'write')
    default_tpm();
end
if isfield(j, 'woptions')
    fields(j.woptions, 'woptions', {'bb', 'vox', 'interp', 'prefix'});
    if isfield(j.woptions, 'bb')
        need(isequal(size(j.woptions.bb), [2 3]), 'bb must be a 2x3 matrix');
    end
end
if isfield(j.subj, 'vol')
    vol = scans(j.subj.vol, 'subj.vol');
    need(numel(vol) == 1, 'subj.vol must be one image');
    [p, name, ext] = fileparts(unframe(vol{1}));
    copyfile(unframe(vol{1}), fullfile(p, ['y_' name ext]));
else
    need(iscellstr(j.subj.def) && numel(j.subj.def) == 1 && exist(j.subj.def{1}, 'file'), ...
         'subj.def must be {existing y_*.nii}');
end
if isfield(j.subj, 'resample')
    write_copies(scans(j.subj.resample, 'subj.resample'), prefix(j.woptions, 'w'));
end
end

function run_preproc(j)
fields(j, 'preproc', {'channel', 'tissue', 'warp'});
fields(j.channel, 'channel', {'vols', 'biasreg', 'biasfwhm', 'write'});
vols = scans(j.channel.vols, 'channel.vols');
bias = [0 0];
if isfield(j.channel, 'write'), bias = j.channel.write; need(numel(bias) == 2, 'channel.write: 2 numbers'); end
native = [ones(5, 1), zeros(5, 1); 0 0]; warped = zeros(6, 2);
if ~isfield(j, 'tissue')
    default_tpm();
else
    need(isstruct(j.tissue), 'tissue must be a struct array');
    native = zeros(numel(j.tissue), 2); warped = native;
    for k = 1:numel(j.tissue)
        t = j.tissue(k);
        fields(t, sprintf('tissue(%d)', k), {'tpm', 'ngaus', 'native', 'warped'});
        scans(t.tpm, sprintf('tissue(%d).tpm', k));
        need(isnumeric(t.native) && numel(t.native) == 2, 'tissue.native: 2 numbers');
        need(isnumeric(t.warped) && numel(t.warped) == 2, 'tissue.warped: 2 numbers');
        native(k, :) = t.native; warped(k, :) = t.warped;
    end
end
write = [0 0];
if isfield(j, 'warp')
    % SPM12's batch configuration has no warp.vox or warp.bb (spm_preproc_run
    % reads them, but only from jobs that bypass the batch system).
    fields(j.warp, 'warp', {'mrf', 'cleanup', 'reg', 'affreg', 'fwhm', 'samp', 'write'});
    if isfield(j.warp, 'write'), write = j.warp.write; end
end
for v = 1:numel(vols)
    f = unframe(vols{v});
    [p, name, ext] = fileparts(f);
    seg8 = struct('image', f);
    save('-mat', fullfile(p, [name '_seg8.mat']), 'seg8');
    out = {};
    for k = 1:size(native, 1)
        if native(k, 1), out{end+1} = sprintf('c%d', k); end
        if native(k, 2), out{end+1} = sprintf('rc%d', k); end
        if warped(k, 1), out{end+1} = sprintf('wc%d', k); end
        if warped(k, 2), out{end+1} = sprintf('mwc%d', k); end
    end
    if bias(1), out{end+1} = 'BiasField_'; end
    if bias(2), out{end+1} = 'm'; end
    if write(1), out{end+1} = 'iy_'; end
    if write(2), out{end+1} = 'y_'; end
    for o = 1:numel(out)
        copyfile(f, fullfile(p, [out{o} name ext]));
    end
end
end

% -- checks ------------------------------------------------------------------

function need(ok, message)
if ~ok
    error('spm stand-in: %s', message);
end
end

function name = only_field(s, where)
need(isstruct(s) && numel(fieldnames(s)) == 1, sprintf('%s must hold exactly one module', where));
name = fieldnames(s){1};
end

function fields(s, where, allowed)
need(isstruct(s), sprintf('%s must be a struct', where));
got = fieldnames(s);
for i = 1:numel(got)
    need(any(strcmp(got{i}, allowed)), sprintf('%s has no field ''%s''', where, got{i}));
end
end

function eoptions(j, allowed)
if isfield(j, 'eoptions'), fields(j.eoptions, 'eoptions', allowed); check_numbers(j.eoptions); end
end

function which = roptions(j, allowed)
which = [2 1];
if isfield(j, 'roptions')
    fields(j.roptions, 'roptions', allowed);
    check_numbers(j.roptions);
    if isfield(j.roptions, 'which')
        which = j.roptions.which;
        need(numel(which) == 2, 'roptions.which: 2 numbers');
    end
    if isfield(j.roptions, 'wrap'), need(numel(j.roptions.wrap) == 3, 'wrap: 3 numbers'); end
end
end

function check_numbers(s)
% option values are numbers, except the strings SPM uses there
f = fieldnames(s);
for i = 1:numel(f)
    v = s.(f{i});
    if any(strcmp(f{i}, {'prefix', 'cost_fun', 'affreg'}))
        need(ischar(v), sprintf('%s must be a string', f{i}));
    elseif any(strcmp(f{i}, {'weight', 'tpm'}))
        need(iscellstr(v), sprintf('%s must be a cell array of file names', f{i}));
    else
        need(isnumeric(v) && isreal(v), sprintf('%s must be numeric', f{i}));
    end
end
end

function opt_num(j, f, n)
if isfield(j, f), need(isnumeric(j.(f)) && numel(j.(f)) == n, sprintf('%s: %d number(s)', f, n)); end
end

function p = prefix(s, expected)
need(isfield(s, 'prefix') && strcmp(s.prefix, expected), ...
     sprintf('prefix must be ''%s''', expected));
p = s.prefix;
end

function out = scans(c, where)
% a column cell array of 'file,frame' (or 'file') naming existing files
need(iscellstr(c) && size(c, 2) == 1 && ~isempty(c), ...
     sprintf('%s must be a non-empty column cell array of file names', where));
out = c;
for i = 1:numel(c)
    need(exist(unframe(c{i}), 'file') == 2, sprintf('%s{%d}: no file %s', where, i, unframe(c{i})));
end
end

function f = unframe(s)
f = regexprep(s, ',\d+$', '');
end

% -- writing outputs ---------------------------------------------------------

function write_copies(files, prefix)
files = unique(cellfun(@unframe, files, 'UniformOutput', false), 'stable');
for i = 1:numel(files)
    [p, name, ext] = fileparts(files{i});
    copyfile(files{i}, fullfile(p, [prefix name ext]));
end
end

function rewrite_headers(files)
% as SPM's estimation steps: the input's own header gets the new orientation
files = unique(cellfun(@unframe, files, 'UniformOutput', false), 'stable');
for i = 1:numel(files)
    fid = fopen(files{i}, 'r+');
    fseek(fid, 292, 'bof');            % srow_x(4), float32
    x = fread(fid, 1, 'float32');
    fseek(fid, 292, 'bof');
    fwrite(fid, x + 1, 'float32');
    fclose(fid);
end
end
