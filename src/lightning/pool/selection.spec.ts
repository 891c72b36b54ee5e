import { MemberView, rendezvousOrder, selectMembers } from './selection';

const nodes = (names: string[], inboundSats = 1_000_000): MemberView[] => names.map((name) => ({ name, canIssue: true, inboundSats }));
const customers = Array.from({ length: 600 }, (_, i) => `customer-${i}`);
const owner = (customer: string, members: MemberView[]) =>
  selectMembers(members, { amountSats: 1000, customerId: customer, minInboundSats: 0, roundRobin: 0 }).order[0];

describe('pool member selection', () => {
  it('keeps a customer on the same member across calls and orders independent of input order', () => {
    expect(rendezvousOrder('alice', ['a', 'b', 'c'])).toEqual(rendezvousOrder('alice', ['c', 'a', 'b']));
    const members = nodes(['a', 'b', 'c']);
    for (const c of customers.slice(0, 20)) expect(owner(c, members)).toBe(owner(c, [...members].reverse()));
  });

  it('spreads customers over the members', () => {
    const counts = new Map<string, number>();
    for (const c of customers) {
      const name = owner(c, nodes(['a', 'b', 'c']));
      counts.set(name, (counts.get(name) ?? 0) + 1);
    }
    for (const name of ['a', 'b', 'c']) expect(counts.get(name)).toBeGreaterThan(120);
  });

  it('when a member goes away, only the customers it owned move', () => {
    const all = nodes(['a', 'b', 'c']);
    const withoutB = all.map((m) => (m.name === 'b' ? { ...m, canIssue: false } : m));
    let moved = 0;
    for (const c of customers) {
      const before = owner(c, all);
      const after = owner(c, withoutB);
      if (before === 'b') {
        moved++;
        expect(after).not.toBe('b');
      } else {
        expect(after).toBe(before);
      }
    }
    expect(moved).toBeGreaterThan(0);
    // And they come back to it when it returns.
    for (const c of customers) expect(owner(c, all)).toBe(owner(c, nodes(['a', 'b', 'c'])));
  });

  it('adding a member only takes customers to the new member', () => {
    const before = nodes(['a', 'b']);
    const after = nodes(['a', 'b', 'c']);
    for (const c of customers) {
      const next = owner(c, after);
      if (next !== 'c') expect(next).toBe(owner(c, before));
    }
  });

  it('leaves out members without inbound liquidity for amount + minInboundSats, and says why', () => {
    const members: MemberView[] = [
      { name: 'small', canIssue: true, inboundSats: 50_000 },
      { name: 'big', canIssue: true, inboundSats: 2_000_000 },
      { name: 'down', canIssue: false, inboundSats: 9_000_000 },
    ];
    const large = selectMembers(members, { amountSats: 100_000, customerId: 'x', minInboundSats: 0, roundRobin: 0 });
    expect(large.order).toEqual(['big']);
    expect(large.excluded).toEqual([
      { name: 'small', reason: 'illiquid' },
      { name: 'down', reason: 'unhealthy' },
    ]);
    // The reserve counts too: 40k + 10k reserve = 50k fits exactly, 40,001 does not.
    expect(selectMembers(members, { amountSats: 40_000, minInboundSats: 10_000, roundRobin: 0 }).order).toContain('small');
    expect(selectMembers(members, { amountSats: 40_001, minInboundSats: 10_000, roundRobin: 0 }).order).not.toContain('small');
    expect(selectMembers(members, { amountSats: 3_000_000, minInboundSats: 0, roundRobin: 0 }).order).toEqual([]);
  });

  it('sends anonymous checkouts round-robin over the eligible members, the others as fallbacks', () => {
    const members = nodes(['a', 'b', 'c']);
    const firsts = [0, 1, 2, 3, 4, 5].map((rr) => selectMembers(members, { amountSats: 1, minInboundSats: 0, roundRobin: rr }).order[0]);
    expect(firsts).toEqual(['a', 'b', 'c', 'a', 'b', 'c']);
    expect(selectMembers(members, { amountSats: 1, minInboundSats: 0, roundRobin: 1 }).order).toEqual(['b', 'c', 'a']);
    const withoutB = members.map((m) => (m.name === 'b' ? { ...m, canIssue: false } : m));
    expect([0, 1, 2].map((rr) => selectMembers(withoutB, { amountSats: 1, minInboundSats: 0, roundRobin: rr }).order[0])).toEqual(['a', 'c', 'a']);
  });

  it('does not rule out a member whose liquidity is unknown (macaroon without offchain:read)', () => {
    const members: MemberView[] = [
      { name: 'known-small', canIssue: true, inboundSats: 10 },
      { name: 'unknown', canIssue: true, inboundSats: null },
    ];
    const s = selectMembers(members, { amountSats: 1000, minInboundSats: 0, roundRobin: 0 });
    expect(s.order).toEqual(['unknown']);
    expect(s.excluded).toEqual([{ name: 'known-small', reason: 'illiquid' }]);
  });
});
