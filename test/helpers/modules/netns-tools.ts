import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';

/** Pieces shared by the network-namespace rigs of the firewall and sniffer tests. */
const run = promisify(execFile);

/** Whether `tool` is on the PATH. */
export function which(tool: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * A veth pair between namespaces `here` and `there`, each end named `${prefix}a…` / `${prefix}b…`
 * with a random suffix (so parallel tests never collide); returns the two device names, down and
 * unaddressed.
 */
export async function addVethPair(here: string, there: string, prefix: string): Promise<[string, string]> {
  const suffix = randomBytes(3).toString('hex');
  const [mine, theirs] = [`${prefix}a${suffix}`, `${prefix}b${suffix}`];
  await run('ip', ['link', 'add', mine, 'netns', here, 'type', 'veth', 'peer', 'name', theirs, 'netns', there]);
  return [mine, theirs];
}
