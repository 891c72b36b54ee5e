import { Logger } from '@nestjs/common';
import { Subject } from 'rxjs';
import {
  CreateInvoiceRequest,
  InvoiceRef,
  InvoiceState,
  IssuedInvoice,
  LightningBackend,
  NoBackendAvailableError,
  NodeHealth,
  Settlement,
  UnknownNodeError,
} from '../lightning-backend';
import { PoolBackend } from './pool-backend';

type Behaviour = 'ok' | 'fail' | 'hang';

class FakeMember implements LightningBackend {
  readonly settlements$ = new Subject<Settlement>();
  readonly reconnects$ = new Subject<string>();
  behaviour: Behaviour = 'ok';
  created = 0;
  lookups: InvoiceRef[] = [];
  cancels: InvoiceRef[] = [];
  state: NodeHealth;

  constructor(
    readonly name: string,
    inboundSats = 1_000_000,
  ) {
    this.state = {
      name,
      type: 'lnd',
      role: 'independent',
      reachable: true,
      syncedToChain: true,
      activeChannels: 1,
      inboundSats,
      canIssue: true,
      checkedAt: new Date(Date.now() - 1000),
    };
  }

  async start(): Promise<void> {}
  async stop(): Promise<void> {}

  async createInvoice(request: CreateInvoiceRequest): Promise<IssuedInvoice> {
    this.created++;
    if (this.behaviour === 'fail') throw new Error(`${this.name} is down`);
    if (this.behaviour === 'hang') await new Promise(() => undefined);
    return {
      bolt11: `lnbcrt-${this.name}`,
      paymentHash: `${this.name}-${this.created}`,
      nodeName: this.name,
      nodePubkey: `pk-${this.name}`,
      expiresAt: new Date(Date.now() + request.expirySeconds * 1000),
    };
  }

  async lookupInvoice(ref: InvoiceRef): Promise<InvoiceState> {
    this.lookups.push(ref);
    return { paymentHash: ref.paymentHash, settled: true, canceled: false };
  }

  async cancelInvoice(ref: InvoiceRef): Promise<void> {
    this.cancels.push(ref);
  }

  health(): NodeHealth[] {
    return [this.state];
  }

  /** What the member's own health probe does when the node answers again. */
  probeSucceeds(): void {
    this.state = { ...this.state, canIssue: true, checkedAt: new Date(Date.now() + 1) };
  }
}

const request = (customerId?: string, amountSats = 1000): CreateInvoiceRequest => ({ amountSats, description: 'order', expirySeconds: 600, customerId });

function pool(members: FakeMember[], options = { minInboundSats: 0, requestBudgetMs: 2000 }) {
  return new PoolBackend('pool', members, options);
}

describe('PoolBackend', () => {
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(['log', 'error', 'warn']));

  it('keeps a customer on one member and routes lookups to the member that issued the invoice', async () => {
    const members = [new FakeMember('a'), new FakeMember('b'), new FakeMember('c')];
    const p = pool(members);
    const first = await p.createInvoice(request('alice'));
    for (let i = 0; i < 5; i++) expect((await p.createInvoice(request('alice'))).nodeName).toBe(first.nodeName);
    await p.lookupInvoice({ paymentHash: first.paymentHash, nodeName: first.nodeName });
    expect(members.find((m) => m.name === first.nodeName)!.lookups).toHaveLength(1);
    await expect(p.lookupInvoice({ paymentHash: 'x', nodeName: 'nope' })).rejects.toBeInstanceOf(UnknownNodeError);
    // A cancel goes to the member that issued the invoice, and only to it.
    await p.cancelInvoice({ paymentHash: first.paymentHash, nodeName: first.nodeName });
    expect(members.flatMap((m) => m.cancels.map((c) => `${m.name}:${c.paymentHash}`))).toEqual([`${first.nodeName}:${first.paymentHash}`]);
    await expect(p.cancelInvoice({ paymentHash: 'x', nodeName: 'nope' })).rejects.toBeInstanceOf(UnknownNodeError);
  });

  it('fails over to the next candidate within the same request when a member errors, and suspends it', async () => {
    const members = [new FakeMember('a'), new FakeMember('b'), new FakeMember('c')];
    const p = pool(members);
    const failovers: string[] = [];
    p.failovers$.subscribe((group) => failovers.push(group));
    const home = (await p.createInvoice(request('bob'))).nodeName;
    const homeMember = members.find((m) => m.name === home)!;
    homeMember.behaviour = 'fail';
    expect(failovers).toEqual([]);

    const moved = await p.createInvoice(request('bob'));
    expect(moved.nodeName).not.toBe(home);
    expect(homeMember.created).toBe(2);
    // The skip is counted once, under the pool's name.
    expect(failovers).toEqual(['pool']);
    // Suspended: the next request does not even try it, although its cached health still says OK.
    await p.createInvoice(request('bob'));
    expect(homeMember.created).toBe(2);
    expect(p.health().find((h) => h.name === home)!.canIssue).toBe(false);

    // Back once its own probe succeeds again; the customer returns to their member.
    homeMember.behaviour = 'ok';
    homeMember.probeSucceeds();
    expect((await p.createInvoice(request('bob'))).nodeName).toBe(home);
  });

  it('does not let a hanging member eat the request: it times out and the next member answers', async () => {
    const members = [new FakeMember('a'), new FakeMember('b')];
    const p = pool(members, { minInboundSats: 0, requestBudgetMs: 300 });
    members[0].behaviour = 'hang';
    const started = Date.now();
    // Round-robin starts at a, which hangs until the per-request budget runs out…
    await expect(p.createInvoice(request())).rejects.toBeInstanceOf(NoBackendAvailableError);
    expect(Date.now() - started).toBeLessThan(5000);
    // …and is suspended, so the next anonymous request goes to b at once.
    expect((await p.createInvoice(request())).nodeName).toBe('b');
  });

  it('tries the remaining members when the first one hangs, as long as the budget allows', async () => {
    const members = [new FakeMember('a'), new FakeMember('b')];
    const p = new PoolBackend('pool', members, { minInboundSats: 0, requestBudgetMs: 3000 });
    members[0].behaviour = 'fail';
    expect((await p.createInvoice(request())).nodeName).toBe('b');
  });

  it('answers NoBackendAvailable when no member has the inbound liquidity, instead of issuing an unpayable invoice', async () => {
    const members = [new FakeMember('small', 10_000), new FakeMember('big', 500_000)];
    const p = pool(members, { minInboundSats: 1000, requestBudgetMs: 2000 });
    for (let i = 0; i < 4; i++) expect((await p.createInvoice(request(undefined, 100_000))).nodeName).toBe('big');
    await expect(p.createInvoice(request('carol', 600_000))).rejects.toThrow(/not enough inbound liquidity on small, big/);
    expect(members[0].created + members[1].created).toBe(4);
  });

  it('round-robins anonymous checkouts and fails when every member is down', async () => {
    const members = [new FakeMember('a'), new FakeMember('b')];
    const p = pool(members);
    const names = [];
    for (let i = 0; i < 4; i++) names.push((await p.createInvoice(request())).nodeName);
    expect(names).toEqual(['a', 'b', 'a', 'b']);
    members.forEach((m) => (m.behaviour = 'fail'));
    await expect(p.createInvoice(request())).rejects.toThrow(/every candidate failed/);
    await expect(p.createInvoice(request())).rejects.toThrow(/no healthy member/);
  });

  it('merges the members’ settlement and reconnect streams', () => {
    const members = [new FakeMember('a'), new FakeMember('b')];
    const p = pool(members);
    const seen: string[] = [];
    p.settlements$.subscribe((s) => seen.push(`settled:${s.nodeName}`));
    p.reconnects$.subscribe((n) => seen.push(`reconnect:${n}`));
    members[1].settlements$.next({ paymentHash: 'h', nodeName: 'b', settledAt: new Date(), amountPaidSats: 1 });
    members[0].reconnects$.next('a');
    expect(seen).toEqual(['settled:b', 'reconnect:a']);
  });
});
