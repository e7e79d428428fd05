// SPDX-License-Identifier: GPL-2.0-only
// Runs a patch author's candidate module in its own thread, so a throw, a hang
// or a write to the input is reported as a divergence, never a crash or a hang
// of the checker. Protocol (see candidate.ts): the main thread posts a world on
// `port` and blocks on `signal`; we post the answer, then bump and notify.

import { register as registerHooks } from 'node:module';
import { pathToFileURL } from 'node:url';
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
registerHooks('./self_resolve.mjs', import.meta.url);
const { path, port, signal } = workerData;
const flag = new Int32Array(signal);

function done(message) {
  try {
    port.postMessage(message);
  } catch (error) {
    port.postMessage({
      type: 'error',
      error: { name: 'DataCloneError', message: `returned a value that cannot be copied (${error.message})`, stack: '' },
    });
  }
  Atomics.add(flag, 0, 1);
  Atomics.notify(flag, 0);
}

function freeze(value) {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) freeze(value[key]);
  }
  return value;
}

const asError = (error) =>
  error instanceof Error
    ? { name: error.name, message: error.message, stack: error.stack ?? '' }
    : { name: 'Error', message: `threw a non-Error value: ${String(error)}`, stack: '' };

let run = null;
try {
  const mod = await import(pathToFileURL(path).href);
  const exports = Object.keys(mod).sort();
  if (typeof mod.change_protection === 'function') {
    run = mod.change_protection;
    done({ type: 'ready', exports });
  } else done({ type: 'bad-export', exports, kind: typeof mod.change_protection });
} catch (error) {
  done({ type: 'load-error', error: asError(error) });
}

if (run) {
  port.on('message', (world) => {
    try {
      done({ type: 'outcome', outcome: run(freeze(world)) });
    } catch (error) {
      done({ type: 'error', error: asError(error) });
    }
  });
}
