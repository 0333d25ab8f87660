// Bridges and macvlan shims on this machine. A link is made under a temporary name, marked, and only
// then renamed: the kernel ignores an ifalias given to `ip link add`, and a link under its real name
// without its mark would be taken for someone else's and never removed. So after a kill -9 at any
// instant there is either a temporary link (removed by the next run) or a marked one (finished by it).
import { createHash } from 'node:crypto';
import { CloudseedError } from '../errors.js';
import { notCloudseeds, otherFleets, type HostAction, type Ownership } from './host-action.js';
import { readLinks, runIp, type IpCommand, type LinkState } from './ip-command.js';

export interface LinkContext {
  ip: IpCommand;
  /** This fleet's ifalias (see hostLinkMark). */
  mark: string;
}

/** A bridge or shim as it should be. */
export interface DesiredLink {
  object: 'bridge' | 'shim';
  name: string;
  address: string | null;
  /** `ip link add name NAME` is followed by these: `type bridge`, `link eth0 type macvlan mode bridge`. */
  addArguments: string[];
  /** Why an existing link of that name is not this kind of link, or null when it is. */
  shapeProblem(link: LinkState): string | null;
  /** What still uses the link: a bridge's ports, a shim's macvtap guests. */
  usersOf(link: LinkState, links: ReadonlyMap<string, LinkState>): string[];
}

/** `cs-new-` and 8 hex digits of the real name: within IFNAMSIZ, and found again by the next run. */
export function temporaryLinkName(name: string): string {
  return `cs-new-${createHash('sha256').update(`cloudseed new link\0${name}`).digest('hex').slice(0, 8)}`;
}

/** Whose a link is, by its ifalias: this fleet's mark, another fleet's, or none of cloudseed's. */
export function linkOwnership(link: LinkState, mark: string): Ownership {
  if (link.alias === mark) return { owner: 'this-fleet' };
  const fleet = /^cloudseed fleet=(.*)$/s.exec(link.alias ?? '')?.[1];
  if (fleet !== undefined) return otherFleets(fleet);
  if (link.alias?.startsWith('cloudseed fleet-sha256=')) return otherFleets('(a long name, hashed)');
  return notCloudseeds;
}

/** A temporary link an interrupted run left: cloudseed's by its name, unless another fleet marked it. */
async function clearTemporary(context: LinkContext, name: string, links: ReadonlyMap<string, LinkState>): Promise<void> {
  const temporary = links.get(temporaryLinkName(name));
  if (temporary !== undefined && (temporary.alias === null || temporary.alias === context.mark)) {
    await runIp(context.ip, ['link', 'delete', 'dev', temporary.name]);
  }
}

async function createMarkedLink(context: LinkContext, link: DesiredLink): Promise<void> {
  const temporary = temporaryLinkName(link.name);
  await runIp(context.ip, ['link', 'add', 'name', temporary, ...link.addArguments]);
  try {
    await runIp(context.ip, ['link', 'set', 'dev', temporary, 'alias', context.mark]);
    await runIp(context.ip, ['link', 'set', 'dev', temporary, 'name', link.name]);
  } catch (error) {
    await runIp(context.ip, ['link', 'delete', 'dev', temporary]).catch(() => undefined);
    throw error;
  }
}

/** Gives a link of this fleet its address and sets it up, as far as it lacks them; says what it did. */
async function finishLink(context: LinkContext, link: DesiredLink, state: LinkState | null): Promise<string[]> {
  const done: string[] = [];
  if (link.address !== null && !(state?.addresses ?? []).includes(link.address)) {
    await runIp(context.ip, ['address', 'add', link.address, 'dev', link.name]);
    done.push(`added ${link.address}`);
  }
  if (!(state?.up ?? false)) {
    await runIp(context.ip, ['link', 'set', 'dev', link.name, 'up']);
    done.push('set it up');
  }
  return done;
}

export async function applyLink(context: LinkContext, link: DesiredLink): Promise<HostAction> {
  const links = await readLinks(context.ip);
  await clearTemporary(context, link.name, links);
  const action = (outcome: HostAction['outcome'], detail: string | null): HostAction => ({ object: link.object, name: link.name, outcome, detail });
  const existing = links.get(link.name);
  if (existing === undefined) {
    await createMarkedLink(context, link);
    await finishLink(context, link, null);
    return action('created', link.address);
  }
  const shapeProblem = link.shapeProblem(existing);
  if (shapeProblem !== null) throw new CloudseedError('HOST_UNREADY', `${link.object} ${link.name}: a link of that name exists, but ${shapeProblem}`);
  const ownership = linkOwnership(existing, context.mark);
  if (ownership.owner !== 'this-fleet') return action('kept', `${ownership.detail}: used as it is`);
  const done = await finishLink(context, link, existing);
  return done.length > 0 ? action('updated', done.join(', ')) : action('kept', null);
}

export async function removeLink(context: LinkContext, link: DesiredLink): Promise<HostAction> {
  const links = await readLinks(context.ip);
  await clearTemporary(context, link.name, links);
  const action = (outcome: HostAction['outcome'], detail: string | null): HostAction => ({ object: link.object, name: link.name, outcome, detail });
  const existing = links.get(link.name);
  if (existing === undefined) return action('absent', null);
  const ownership = linkOwnership(existing, context.mark);
  if (ownership.owner !== 'this-fleet') return action('left-alone', ownership.detail);
  // Pulling a link from under a running guest cuts it off; the next down or destroy removes it.
  const users = link.usersOf(existing, links);
  if (users.length > 0) return action('left-alone', `still used by ${users.join(', ')}`);
  await runIp(context.ip, ['link', 'delete', 'dev', link.name]);
  return action('removed', null);
}
