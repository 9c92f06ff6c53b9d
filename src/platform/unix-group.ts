/**
 * Looking up a Unix group's id by name, from /etc/group (what getgrnam reads on an appliance; Node
 * has no getgrnam). Used to give group `haclient` the daemon's control socket, as Pacemaker does.
 */
import { readFile } from 'node:fs/promises';

/** The gid of `name` in the text of an /etc/group file, or undefined. */
export function parseGroupId(groupFile: string, name: string): number | undefined {
  for (const line of groupFile.split('\n')) {
    const [group, , gid] = line.split(':');
    if (group === name && gid !== undefined && /^\d+$/.test(gid)) return Number(gid);
  }
  return undefined;
}

/** The gid of group `name`, or undefined when there is no such group (or /etc/group cannot be read). */
export async function lookupGroupId(name: string, path = '/etc/group'): Promise<number | undefined> {
  try {
    return parseGroupId(await readFile(path, 'utf8'), name);
  } catch {
    return undefined;
  }
}
