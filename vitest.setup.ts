// One seed for the whole run, printed once, replayable with FC_SEED=<n>.
// FC_NUM_RUNS scales the property budgets (see properties/budget.ts).
import fc from 'fast-check';

const fromEnv = process.env.FC_SEED;
const seed = fromEnv !== undefined && fromEnv !== '' ? Number(fromEnv) : Date.now() ^ (Math.random() * 0x7fffffff);
if (!Number.isInteger(seed)) throw new Error(`FC_SEED must be an integer, got ${JSON.stringify(fromEnv)}`);
fc.configureGlobal({ ...fc.readConfigureGlobal(), seed });
const g = globalThis as { __mprotectSeedPrinted?: boolean };
if (!g.__mprotectSeedPrinted) {
  g.__mprotectSeedPrinted = true;
  console.log(`[fast-check] seed=${seed}  (replay: FC_SEED=${seed} npm test)`);
}
