/**
 * The agent's side of a module, for module tests that check what leaves the host: the runner
 * applies the privacy filter, row and byte limits and the result schema to what a module yields.
 * Module folders import only protocol/ and modules/shared/, so their tests reach the agent here.
 */
export { runOperationsLocally } from '../../../agent/runner.js';
export { runOperation } from '../../../agent/run-operation.js';
