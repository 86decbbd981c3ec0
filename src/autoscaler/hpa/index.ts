/** The Kubernetes HPA as pure functions (replica_calculator.go, horizontal.go): the package root. */

export * from './horizontal.js';
export * from './replica-calculator.js';
