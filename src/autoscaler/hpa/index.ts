/** The Kubernetes HPA as pure functions (replica_calculator.go, horizontal.go): the package root. */
export * from './replica-calculator.js';
export * from './horizontal.js';
