export * from './gate.js';
export * from './labels.js';
