// tsfix loads this with `node --require` before TypeScript's tsserver.js, so that no code of the
// project runs inside the language service. tsserver loads the language-service plugins a tsconfig
// names (compilerOptions.plugins) from the project's node_modules, and has no flag to turn that off;
// plugins never change what tsc reports, so tsfix must not run them (a pull request could add one).
//
// Three layers, each enough on its own:
//   1. TypeScript's `sys.require` (the only way tsserver loads a plugin under Node) is removed as soon
//      as typescript.js has loaded: tsserver then logs "Plugins were requested but not running in
//      environment that supports 'require'. Nothing will be loaded" and resolves nothing.
//   2. Node's module loader refuses every module whose real path is outside the TypeScript package
//      (TSFIX_TYPESCRIPT_DIR), Node's builtins excepted, and native addons likewise.
//   3. No child process and no worker thread can start (typings acquisition forks a process that
//      runs npm; tsfix also passes --disableAutomaticTypingAcquisition).
"use strict";

const Module = require("module");
const fs = require("fs");
const path = require("path");

const configured = process.env.TSFIX_TYPESCRIPT_DIR;
if (!configured) {
  process.stderr.write("tsfix module guard: TSFIX_TYPESCRIPT_DIR is not set\n");
  process.exit(70);
}
delete process.env.TSFIX_TYPESCRIPT_DIR;
const allowedDir = fs.realpathSync(configured);

function realPath(file) {
  try {
    return fs.realpathSync(file);
  } catch {
    return path.resolve(file);
  }
}

function insideTypeScript(file) {
  const real = realPath(file);
  return real === allowedDir || real.startsWith(allowedDir + path.sep);
}

function refused(what) {
  const error = new Error(
    `tsfix refused to load ${what}: only the TypeScript package runs in tsfix's language service`,
  );
  error.code = "TSFIX_REFUSED";
  return error;
}

const isBuiltin =
  Module.isBuiltin || ((name) => Module.builtinModules.includes(String(name).replace(/^node:/, "")));

// -- layer 2: the module loader -----------------------------------------------------------------

const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function guardedResolve(request, parent, isMain, options) {
  const filename = resolveFilename.call(this, request, parent, isMain, options);
  if (isBuiltin(filename) || insideTypeScript(filename)) return filename;
  throw refused(filename);
};

const load = Module._load;
Module._load = function guardedLoad(request, parent, isMain) {
  // Resolved here too: Module._load skips _resolveFilename for paths it has cached for a parent.
  if (!isBuiltin(request)) {
    const filename = resolveFilename.call(Module, request, parent, isMain);
    if (!isBuiltin(filename) && !insideTypeScript(filename)) throw refused(filename);
  }
  const exports = load.apply(this, arguments);
  if (!isBuiltin(request)) removePluginLoading(exports);
  return exports;
};

const dlopen = process.dlopen;
process.dlopen = function guardedDlopen(module, filename, ...rest) {
  if (!insideTypeScript(filename)) throw refused(filename);
  return dlopen.call(this, module, filename, ...rest);
};

// -- layer 1: TypeScript's own plugin loader -----------------------------------------------------

function removePluginLoading(exports) {
  const sys = exports && typeof exports === "object" ? exports.sys : undefined;
  if (sys && typeof sys === "object") {
    sys.require = undefined;
    sys.importPlugin = undefined;
  }
}

// -- layer 3: processes and threads --------------------------------------------------------------

const childProcess = require("child_process");
for (const name of ["spawn", "spawnSync", "fork", "exec", "execSync", "execFile", "execFileSync"]) {
  childProcess[name] = function refusedProcess(file) {
    throw refused(`a child process (${name} ${file})`);
  };
}

const workerThreads = require("worker_threads");
workerThreads.Worker = class RefusedWorker {
  constructor(file) {
    throw refused(`a worker thread (${file})`);
  }
};
