import { readFileSync } from 'node:fs';

/**
 * Throws unless the server's agent.json (at `path`) lists the investigator `name`. Called right
 * after the request that added them was answered: the server answers only once agent.json is
 * written (broker/auth/investigators.ts), so an agent configured from it at once knows them.
 */
export function expectAgentJsonToList(path: string, name: string): void {
  const config = JSON.parse(readFileSync(path, 'utf8')) as { investigators?: { name?: string }[] };
  const names = (config.investigators ?? []).map((inv) => inv.name);
  if (!names.includes(name))
    throw new Error(`agent.json lists ${JSON.stringify(names)} right after ${name} was added, not ${name}`);
}
