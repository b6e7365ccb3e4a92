// The flag wording is shared with the server's and the agent's command lines: see protocol/flag-problem.ts.
export { describeGot, expectedText, valueAtPath } from '../../protocol/flag-problem.js';
