import { readFileSync } from 'node:fs';
import { waitFor } from './broker/harness.js';

/**
 * Waits until the server's agent.json (at `path`) lists the investigator `name`. The server
 * rewrites that file after it has answered the request that changed its investigators: an agent
 * started from it at once could still be baked without them, and refuse their signature.
 */
export async function waitForAgentJsonToList(path: string, name: string): Promise<void> {
  await waitFor(() => {
    const config = JSON.parse(readFileSync(path, 'utf8')) as { investigators?: { name?: string }[] };
    return config.investigators?.some((inv) => inv.name === name) === true;
  }, `agent.json to list ${name}`);
}
