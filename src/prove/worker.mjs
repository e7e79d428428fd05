// SPDX-License-Identifier: GPL-2.0-only
// Bootstrap of a prove job worker: TypeScript through tsx when the tool runs
// from source, then the job itself (worker_main), whose URL the pool passes.

import { workerData } from 'node:worker_threads';

if (workerData.tsx) {
  const { register } = await import('tsx/esm/api');
  register();
}
await import(workerData.main);
