import { readFile } from 'node:fs/promises';

/** Who the program runs as: undefined ids keep the agent's own. */
export interface Identity {
  uid: number | undefined;
  gid: number | undefined;
}

/** name → [id, primary gid] from an /etc/passwd or /etc/group text (the gid field is absent in group). */
function entries(text: string): Map<string, { id: number; gid: number | undefined }> {
  const map = new Map<string, { id: number; gid: number | undefined }>();
  for (const line of text.split('\n')) {
    const [name, , id, gid] = line.split(':');
    if (name === undefined || name === '' || !/^\d+$/.test(id ?? '')) continue;
    map.set(name, { id: Number(id), gid: /^\d+$/.test(gid ?? '') ? Number(gid) : undefined });
  }
  return map;
}

async function table(path: string): Promise<Map<string, { id: number; gid: number | undefined }>> {
  try {
    return entries(await readFile(path, 'utf8'));
  } catch {
    return new Map();
  }
}

/**
 * Resolves the user and group an action names against this host's /etc/passwd and /etc/group
 * (numeric ids pass as they are). A user alone runs with that user's primary group, as login does.
 * Returns the reason when a name is unknown.
 */
export async function resolveIdentity(
  user: string | undefined,
  group: string | undefined,
  etc = '/etc',
): Promise<Identity | string> {
  let uid: number | undefined;
  let gid: number | undefined;
  if (user !== undefined) {
    const users = await table(`${etc}/passwd`);
    const found = /^\d+$/.test(user) ? [...users.values()].find((e) => e.id === Number(user)) : users.get(user);
    if (/^\d+$/.test(user)) uid = Number(user);
    else if (found === undefined) return `no such user on this host: ${user}`;
    else uid = found.id;
    gid = found?.gid;
    // Never a dropped user with the agent's own group (root): its group must be known.
    if (gid === undefined && group === undefined)
      return `uid ${user} has no entry in /etc/passwd to take its group from: name a group too`;
  }
  if (group !== undefined) {
    const found = /^\d+$/.test(group) ? undefined : (await table(`${etc}/group`)).get(group);
    if (/^\d+$/.test(group)) gid = Number(group);
    else if (found === undefined) return `no such group on this host: ${group}`;
    else gid = found.id;
  }
  return { uid, gid };
}
