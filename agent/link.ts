import type { HeartbeatMessage, OfflineMessage, ResultMessage } from '../protocol/messages.js';
import { Backoff } from './backoff.js';
import { forgetEnrolled, isEnrolled, markEnrolled } from './credential.js';
import { enrollOnce, type EnrollOutcome } from './enroll.js';
import type { EnrollRequest } from '../protocol/enrollment.js';
import type { LogFn } from './log.js';
import { AgentSession, type SessionOptions } from './session.js';

export interface LinkOptions extends Omit<SessionOptions, 'onCredentialRefused'> {
  dataDir: string;
  enrollmentSecret: string;
  /** A freshly signed enrollment request (called for every attempt: sentAt must be fresh). */
  enrollRequest(): EnrollRequest;
  /** True for an agent keeping its id from before per-agent identity (for the logs). */
  isLegacy: boolean;
  now: () => Date;
  /** While pending, how long one enrollment login waits for the admin's decision. */
  pendingWaitMs?: number;
}

/**
 * The agent's way to the broker: enroll until the server accepts our key and password (unless
 * it already did), then hold the agent session. If the broker ever refuses that credential
 * (the server forgot us, an admin rejected us), enroll again. Retries back off and every
 * refusal is logged with the server's reason.
 */
export class AgentLink {
  private session: AgentSession | undefined;
  private isClosing = false;
  private readonly abort = new AbortController();
  private readonly backoff: Backoff;
  private wakeSleep: (() => void) | undefined;

  constructor(private readonly opts: LinkOptions) {
    this.backoff = new Backoff(opts.backoff);
    void this.run();
  }

  get isConnected(): boolean {
    return this.session?.isConnected ?? false;
  }

  publishResult(message: ResultMessage): Promise<void> {
    if (this.session === undefined) return Promise.reject(new Error('not enrolled yet: no broker session'));
    return this.session.publishResult(message);
  }

  publishHeartbeat(message: HeartbeatMessage | OfflineMessage): Promise<void> {
    return this.session?.publishHeartbeat(message) ?? Promise.resolve();
  }

  async close(last: OfflineMessage): Promise<void> {
    this.isClosing = true;
    this.abort.abort();
    this.wakeSleep?.();
    await this.session?.close(last);
  }

  private async run(): Promise<void> {
    const { log, agentId } = this.opts;
    while (!this.isClosing) {
      if (!isEnrolled(this.opts.dataDir)) {
        const accepted = await this.enrollUntilAccepted();
        if (!accepted) return;
      }
      const refused = await this.holdSession();
      if (refused === undefined) return;
      log('warn', `mqtt: the broker refused this agent's credential (${refused}); enrolling ${agentId} again`);
      forgetEnrolled(this.opts.dataDir);
      await this.sleep(this.backoff.next());
    }
  }

  /** Resolves with why the broker refused the credential, or undefined once closed. */
  private holdSession(): Promise<string | undefined> {
    return new Promise((resolve) => {
      const session = new AgentSession({
        ...this.opts,
        onCredentialRefused: (reason) => {
          void session
            .close({ v: 1, kind: 'offline', agentId: this.opts.agentId, reason: 'shutdown' })
            .catch(() => undefined);
          resolve(reason);
        },
      });
      this.session = session;
      this.abort.signal.addEventListener('abort', () => resolve(undefined), { once: true });
    });
  }

  /** True once accepted; false when closed first. */
  private async enrollUntilAccepted(): Promise<boolean> {
    const { log, agentId } = this.opts;
    log(
      'info',
      `enrollment: asking the server to enroll ${agentId}${this.opts.isLegacy ? ' (keeping its id from before per-agent identity, binding its new key)' : ''}`,
    );
    while (!this.isClosing) {
      const outcome = await enrollOnce({
        brokerUrl: this.opts.brokerUrl,
        enrollmentSecret: this.opts.enrollmentSecret,
        tls: this.opts.tls,
        request: this.opts.enrollRequest(),
        pendingWaitMs: this.opts.pendingWaitMs,
        signal: this.abort.signal,
      });
      if (this.isClosing) return false;
      if (outcome.state === 'accepted') {
        markEnrolled(this.opts.dataDir, agentId, this.opts.now().toISOString());
        this.backoff.reset();
        log('info', `enrollment: ${agentId} accepted by the server`);
        return true;
      }
      const delayMs = this.backoff.next();
      logOutcome(log, agentId, outcome, delayMs);
      await this.sleep(delayMs);
    }
    return false;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wakeSleep = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}

function logOutcome(log: LogFn, agentId: string, outcome: EnrollOutcome, delayMs: number): void {
  const retry = `; retrying in ${delayMs} ms`;
  if (outcome.state === 'pending')
    log('info', `enrollment: ${agentId} is pending: an admin must accept it (mig agents accept ${agentId})${retry}`);
  else if (outcome.state === 'rejected')
    log('warn', `enrollment: ${agentId} rejected: ${outcome.reason ?? 'no reason given'}${retry}`);
  else log('warn', `enrollment: no answer (${outcome.reason})${retry}`);
}
