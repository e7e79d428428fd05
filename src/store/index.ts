// The counterexample store: schema, reader, atomic writer, replay.
export * from './corpus.js';
export * from './replay.js';
export * from './schema.js';
export * from './verdicts.js';
export * from './versions.js';
