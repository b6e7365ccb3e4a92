import { describe, expect, it } from 'vitest';
import { commandsTopic, enrollRequestTopic, parseAgentTopic, parseEnrollTopic, resultsTopic } from './topics.js';

const ID = 'a1b2c3d4e5f6';

describe('topic parsing (what the broker ACL and the server trust)', () => {
  it('reads the agent id and kind of a well-formed topic', () => {
    expect(parseAgentTopic(resultsTopic(ID))).toEqual({ agentId: ID, kind: 'results' });
    expect(parseAgentTopic(commandsTopic(ID))).toEqual({ agentId: ID, kind: 'commands' });
    expect(parseEnrollTopic(enrollRequestTopic(ID))).toEqual({ agentId: ID, kind: 'request' });
  });

  it('refuses a topic of the other root, or one that only starts like a root', () => {
    expect(parseEnrollTopic(resultsTopic(ID))).toBeUndefined();
    expect(parseAgentTopic(enrollRequestTopic(ID))).toBeUndefined();
    expect(parseAgentTopic(`mig/agentsx/${ID}/results`)).toBeUndefined();
    expect(parseAgentTopic(`mig/agent/${ID}/results`)).toBeUndefined();
    expect(parseAgentTopic('mig/agents')).toBeUndefined();
    expect(parseEnrollTopic(`mig/enrollment/${ID}/request`)).toBeUndefined();
  });

  it('refuses wildcards, unknown kinds, extra levels and malformed ids', () => {
    for (const topic of [
      'mig/agents/+/results',
      'mig/agents/#',
      `mig/agents/${ID}/+`,
      `mig/agents/${ID}/answers`,
      `mig/agents/${ID}/results/extra`,
      `mig/agents//results`,
      'mig/agents/AB/results',
      `mig/agents/${ID.toUpperCase()}/results`,
    ])
      expect(parseAgentTopic(topic), topic).toBeUndefined();
  });
});
