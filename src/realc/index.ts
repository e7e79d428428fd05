// SPDX-License-Identifier: GPL-2.0-only
// The real-C check target and its build, for the CLI (`check --kernel`, `replay --kernel`).
export { type Build, BuildError, buildKernel, buildKey, defaultCacheDir, SHIM_DIR } from './harness/build.js';
export { explainCompileErrors, shimFileFor } from './harness/diagnostics.js';
export { ChildDied } from './harness/process.js';
export { detectBatching, detectGeneration, type KernelTarget, type KernelTargetOptions, kernelTarget } from './target.js';
