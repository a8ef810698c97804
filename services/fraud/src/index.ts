// @paystream/fraud — the pure core of fraud scoring: input contract, labelled data generator,
// streaming features, the trained model and the editable rules. Wiring to the event log and
// HTTP lives elsewhere.

export * from './domain/input.js';
export * from './features/index.js';
export * from './generator/index.js';
export * from './model/index.js';
export * from './ports/scorer.js';
export * from './rules/index.js';
export * from './score.js';
export * from './training.js';
