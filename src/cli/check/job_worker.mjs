// Bootstrap of a job worker: TypeScript through tsx when the tool runs from
// source, then the job loop (job_main), whose URL the pool passes in.
import { workerData } from 'node:worker_threads';

if (workerData.tsx) {
  const { register } = await import('tsx/esm/api');
  register();
}
await import(workerData.main);
