// Server tests feed the result path what a real agent publishes: the agent's own message
// builder, reached through test/helpers because broker/ may not import agent/ (architecture test).
export { resultMessage, type AnswerSigner, type ResultInput } from '../../../agent/outbox.js';
