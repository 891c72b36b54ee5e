import { createHash } from 'node:crypto';

/** What the pool knows about a member when it picks one (from its cached health). */
export interface MemberView {
  name: string;
  canIssue: boolean;
  /** null: unknown (the macaroon lacks offchain:read); such a member is not ruled out for liquidity. */
  inboundSats: number | null;
}

export interface SelectionRequest {
  amountSats: number;
  customerId?: string | null;
  /** Inbound liquidity a member must keep on top of the amount. */
  minInboundSats: number;
  /** Increments per anonymous request; drives round-robin. */
  roundRobin: number;
}

export interface Selection {
  /** Members to try, best first. Empty when none can take the invoice. */
  order: string[];
  /** Why members were left out, for the log line that explains a 503. */
  excluded: Array<{ name: string; reason: 'unhealthy' | 'illiquid' }>;
}

/** Highest-random-weight score of a member for a key: stable, and independent of the other members. */
export function rendezvousWeight(key: string, member: string): bigint {
  return createHash('sha256').update(key).update('\u0000').update(member).digest().readBigUInt64BE(0);
}

/** Members ordered by their weight for this key; the first one "owns" the key. */
export function rendezvousOrder(key: string, members: string[]): string[] {
  return members
    .map((name) => ({ name, weight: rendezvousWeight(key, name) }))
    .sort((a, b) => (a.weight === b.weight ? a.name.localeCompare(b.name) : a.weight > b.weight ? -1 : 1))
    .map((m) => m.name);
}

/**
 * Which members may issue this invoice, and in which order to try them: healthy members with
 * enough inbound liquidity; a customer's own member first (rendezvous hashing, so removing a
 * member only moves the customers that were on it), anonymous checkouts round-robin.
 */
export function selectMembers(members: MemberView[], request: SelectionRequest): Selection {
  const needed = request.amountSats + request.minInboundSats;
  const excluded: Selection['excluded'] = [];
  const eligible: string[] = [];
  for (const member of members) {
    if (!member.canIssue) excluded.push({ name: member.name, reason: 'unhealthy' });
    else if (member.inboundSats !== null && member.inboundSats < needed) excluded.push({ name: member.name, reason: 'illiquid' });
    else eligible.push(member.name);
  }
  if (eligible.length === 0) return { order: [], excluded };
  if (request.customerId) return { order: rendezvousOrder(request.customerId, eligible), excluded };
  const start = ((request.roundRobin % eligible.length) + eligible.length) % eligible.length;
  return { order: [...eligible.slice(start), ...eligible.slice(0, start)], excluded };
}
