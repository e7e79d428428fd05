// SPDX-License-Identifier: GPL-2.0-only
// Bootstrap of a job worker: TypeScript through tsx when the tool runs from
// source, then the job loop (job_main), whose URL the pool passes in.

import { register as registerHooks } from 'node:module';
import { workerData } from 'node:worker_threads';

if (workerData.tsx) {
  const { register } = await import('tsx/esm/api');
  register();
}
// candidates outside the checkout import this package by name
registerHooks('../self_resolve.mjs', import.meta.url);
await import(workerData.main);
