import { describe, expect, it } from 'vitest';
import {
  ALL_ENROLL_REQUESTS,
  ALL_HEARTBEATS,
  ALL_RESULTS,
  commandsTopic,
  enrollRequestTopic,
  enrollStatusTopic,
  heartbeatTopic,
  resultsTopic,
} from '../../protocol/topics.js';
import { RULES, checkTopic, type AclAction, type Principal } from './acl.js';

const ME = 'agent-one';
const OTHER = 'agent-two';
const agent: Principal = { role: 'agent', agentId: ME };
const server: Principal = { role: 'server', clientId: 'mig-server-0123456789abcdef' };
const enrollee: Principal = { role: 'enrollee', agentId: ME };

interface Case {
  name: string;
  input: { principal: Principal; action: AclAction; topic: string };
  /** 'deny', or the filter the broker should register. */
  want: string;
}

const c = (name: string, principal: Principal, action: AclAction, topic: string, want: string): Case => ({
  name,
  input: { principal, action, topic },
  want,
});

/** Topics no one may touch, whatever the role or action. */
const NOBODY = [
  '#',
  '+',
  '$SYS/#',
  '$SYS/broker/clients',
  'mig/#',
  'mig/agents/#',
  `mig/agents/${ME}/#`,
  '+/agents/+/results',
  'mig/agents/+/+',
  `mig/agents/${ME}`,
  `mig/agents/${ME}/results/extra`,
  `mig/agents/${ME}/status`,
  'mig/agents//results',
  'mig/agents/Agent-One/results',
  'mig/agents/a/results',
  `/mig/agents/${ME}/results`,
  'other/topic',
  '',
  'mig/enroll/#',
  'mig/enroll/+/+',
  'mig/enroll/+/status',
  `mig/enroll/${ME}/other`,
];

const cases: Case[] = [
  // agent × subscribe
  c('agent subscribes to its own commands', agent, 'subscribe', commandsTopic(ME), commandsTopic(ME)),
  c("agent subscribes to another agent's commands", agent, 'subscribe', commandsTopic(OTHER), 'deny'),
  c('agent subscribes to every commands topic', agent, 'subscribe', 'mig/agents/+/commands', 'deny'),
  c('agent subscribes to its own results', agent, 'subscribe', resultsTopic(ME), 'deny'),
  c('agent subscribes to its own heartbeat', agent, 'subscribe', heartbeatTopic(ME), 'deny'),
  c('agent subscribes to all results', agent, 'subscribe', ALL_RESULTS, 'deny'),
  c('agent subscribes to all heartbeats', agent, 'subscribe', ALL_HEARTBEATS, 'deny'),
  c('agent subscribes to a shared commands filter', agent, 'subscribe', `$share/g/${commandsTopic(ME)}`, 'deny'),
  c('agent subscribes to shared results', agent, 'subscribe', `$share/g/${ALL_RESULTS}`, 'deny'),
  // agent × publish
  c('agent publishes its own results', agent, 'publish', resultsTopic(ME), resultsTopic(ME)),
  c('agent publishes its own heartbeat (and will)', agent, 'publish', heartbeatTopic(ME), heartbeatTopic(ME)),
  c('agent publishes to its own commands', agent, 'publish', commandsTopic(ME), 'deny'),
  c('agent publishes a command to another agent', agent, 'publish', commandsTopic(OTHER), 'deny'),
  c("agent publishes another agent's results", agent, 'publish', resultsTopic(OTHER), 'deny'),
  c("agent publishes another agent's heartbeat", agent, 'publish', heartbeatTopic(OTHER), 'deny'),
  c('agent publishes to a wildcard results topic', agent, 'publish', ALL_RESULTS, 'deny'),
  // server × publish
  c('server publishes a command', server, 'publish', commandsTopic(OTHER), commandsTopic(OTHER)),
  c('server publishes a command to a wildcard', server, 'publish', 'mig/agents/+/commands', 'deny'),
  c('server publishes results', server, 'publish', resultsTopic(OTHER), 'deny'),
  c('server publishes a heartbeat', server, 'publish', heartbeatTopic(OTHER), 'deny'),
  c('server publishes to a $share topic', server, 'publish', `$share/g/${commandsTopic(OTHER)}`, 'deny'),
  // server × subscribe
  c('server subscribes to all results', server, 'subscribe', ALL_RESULTS, ALL_RESULTS),
  c('server subscribes to all heartbeats', server, 'subscribe', ALL_HEARTBEATS, ALL_HEARTBEATS),
  c("server subscribes to one agent's results", server, 'subscribe', resultsTopic(OTHER), resultsTopic(OTHER)),
  c("server subscribes to one agent's heartbeat", server, 'subscribe', heartbeatTopic(OTHER), heartbeatTopic(OTHER)),
  c('server subscribes to every commands topic', server, 'subscribe', 'mig/agents/+/commands', 'deny'),
  c("server subscribes to one agent's commands", server, 'subscribe', commandsTopic(OTHER), 'deny'),
  c('server shares all results', server, 'subscribe', `$share/workers/${ALL_RESULTS}`, ALL_RESULTS),
  c('server shares all heartbeats', server, 'subscribe', `$share/workers/${ALL_HEARTBEATS}`, ALL_HEARTBEATS),
  c('server shares commands', server, 'subscribe', '$share/workers/mig/agents/+/commands', 'deny'),
  c('server shares with an empty group', server, 'subscribe', `$share//${ALL_RESULTS}`, 'deny'),
  c('server shares with a wildcard group', server, 'subscribe', `$share/g+/${ALL_RESULTS}`, 'deny'),
  c('server shares with no filter', server, 'subscribe', '$share/workers', 'deny'),
  c('server shares everything', server, 'subscribe', '$share/workers/#', 'deny'),
  c('server shares $SYS', server, 'subscribe', '$share/workers/$SYS/#', 'deny'),
  c('server nests $share', server, 'subscribe', `$share/a/$share/b/${ALL_RESULTS}`, 'deny'),
  // enrollee: its own request and status only
  c('enrollee publishes its own request', enrollee, 'publish', enrollRequestTopic(ME), enrollRequestTopic(ME)),
  c('enrollee subscribes to its own status', enrollee, 'subscribe', enrollStatusTopic(ME), enrollStatusTopic(ME)),
  c("enrollee publishes another agent's request", enrollee, 'publish', enrollRequestTopic(OTHER), 'deny'),
  c("enrollee subscribes to another agent's status", enrollee, 'subscribe', enrollStatusTopic(OTHER), 'deny'),
  c('enrollee subscribes to every request', enrollee, 'subscribe', ALL_ENROLL_REQUESTS, 'deny'),
  c('enrollee subscribes to its own request', enrollee, 'subscribe', enrollRequestTopic(ME), 'deny'),
  c('enrollee publishes its own status', enrollee, 'publish', enrollStatusTopic(ME), 'deny'),
  c('enrollee subscribes to its commands', enrollee, 'subscribe', commandsTopic(ME), 'deny'),
  c('enrollee publishes results', enrollee, 'publish', resultsTopic(ME), 'deny'),
  c('enrollee publishes a heartbeat', enrollee, 'publish', heartbeatTopic(ME), 'deny'),
  // enrollment × agent and server
  c('agent publishes an enrollment request', agent, 'publish', enrollRequestTopic(ME), 'deny'),
  c('agent subscribes to its enrollment status', agent, 'subscribe', enrollStatusTopic(ME), 'deny'),
  c('server subscribes to every enrollment request', server, 'subscribe', ALL_ENROLL_REQUESTS, ALL_ENROLL_REQUESTS),
  c('server publishes an enrollment status', server, 'publish', enrollStatusTopic(OTHER), enrollStatusTopic(OTHER)),
  c('server publishes an enrollment request', server, 'publish', enrollRequestTopic(OTHER), 'deny'),
  c('server subscribes to enrollment statuses', server, 'subscribe', enrollStatusTopic(OTHER), 'deny'),
  // Everyone × everything × the topics no one may touch.
  ...NOBODY.flatMap((topic) =>
    [agent, server, enrollee].flatMap((p) =>
      (['publish', 'subscribe'] as const).map((action) =>
        c(`${p.role} ${action} ${JSON.stringify(topic)}`, p, action, topic, 'deny'),
      ),
    ),
  ),
];

describe('checkTopic', () => {
  it.each(cases)('$name', ({ input, want }) => {
    const got = checkTopic(input.principal, input.action, input.topic);
    expect(got.allow ? got.filter : 'deny').toBe(want);
    if (!got.allow) expect(got.reason).not.toBe('');
  });

  it('says why a wildcard is refused to an agent', () => {
    expect(checkTopic(agent, 'subscribe', 'mig/agents/+/commands')).toEqual({
      allow: false,
      reason: 'agent may not use a wildcard for commands topics',
    });
  });

  it('marks shared subscriptions', () => {
    expect(checkTopic(server, 'subscribe', `$share/w/${ALL_RESULTS}`)).toEqual({
      allow: true,
      filter: ALL_RESULTS,
      isShared: true,
    });
    expect(checkTopic(server, 'subscribe', ALL_RESULTS)).toEqual({ allow: true, filter: ALL_RESULTS, isShared: false });
  });

  it('grants nothing beyond the rules table', () => {
    // Each rule is exercised by an allow case above; a new rule needs its own cases.
    const allowed = cases.filter((x) => x.want !== 'deny').map((x) => `${x.input.principal.role}:${x.input.action}`);
    expect(new Set(allowed)).toEqual(new Set(RULES.map((r) => `${r.role}:${r.action}`)));
    expect(RULES).toHaveLength(10);
  });
});
