/**
 * How an agent reads a config file, for tests outside agent/ that check a file someone else wrote
 * (the server's agent.json): the agent's own loader, so the test fails when the two disagree.
 */
export { loadAgentConfig } from '../../../agent/config.js';
