import { Logger } from '@nestjs/common';
import { merge, Observable, share, Subject } from 'rxjs';
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
import { TimeoutError, withTimeout } from '../lnd/timeout';
import { MemberView, selectMembers } from './selection';

export interface PoolOptions {
  /** Inbound liquidity a member must keep above the invoice amount to be chosen. */
  minInboundSats: number;
  /** Bound on one createInvoice across all the members it tries. */
  requestBudgetMs: number;
}

/**
 * Several independent nodes (or clusters) behind one backend. Every invoice names the member that
 * issued it, and lookups go back to that member. A member that fails a create is suspended at once
 * and the next candidate is tried in the same request; it comes back when its own health probe
 * succeeds again.
 */
export class PoolBackend implements LightningBackend {
  readonly settlements$: Observable<Settlement>;
  readonly reconnects$: Observable<string>;
  /** The pool's name once per member that failed a create and was skipped for the next one (lightning_failovers_total). */
  readonly failovers$ = new Subject<string>();
  private readonly logger: Logger;
  private readonly byName = new Map<string, LightningBackend>();
  private readonly suspendedAt = new Map<string, number>();
  private roundRobin = 0;
  readonly amountlessInvoices: boolean;

  constructor(
    readonly name: string,
    private readonly members: LightningBackend[],
    private readonly options: PoolOptions,
  ) {
    this.logger = new Logger(`PoolBackend:${name}`);
    for (const member of members) {
      if (this.byName.has(member.name)) throw new Error(`Pool "${name}" has two members named "${member.name}"`);
      this.byName.set(member.name, member);
    }
    // Any member may be chosen, so every one must be able to.
    this.amountlessInvoices = members.every((m) => m.amountlessInvoices === true);
    this.settlements$ = merge(...members.map((m) => m.settlements$)).pipe(share());
    this.reconnects$ = merge(...members.map((m) => m.reconnects$)).pipe(share());
  }

  async start(): Promise<void> {
    await Promise.all(this.members.map((m) => m.start()));
  }

  async stop(): Promise<void> {
    await Promise.allSettled(this.members.map((m) => m.stop()));
    this.failovers$.complete();
  }

  async createInvoice(request: CreateInvoiceRequest): Promise<IssuedInvoice> {
    const views = this.members.map((m) => this.view(m));
    const anonymous = !request.customerId;
    const selection = selectMembers(views, {
      amountSats: request.amountSats ?? 0,
      customerId: request.customerId,
      minInboundSats: this.options.minInboundSats,
      roundRobin: anonymous ? this.roundRobin++ : 0,
    });
    if (selection.order.length === 0) {
      const illiquid = selection.excluded.filter((e) => e.reason === 'illiquid').map((e) => e.name);
      this.logger.error(
        { amountSats: request.amountSats ?? 0, minInboundSats: this.options.minInboundSats, members: views },
        illiquid.length
          ? `no member has ${request.amountSats} + ${this.options.minInboundSats} sats of inbound liquidity (illiquid: ${illiquid.join(', ')})`
          : 'no healthy member can issue invoices',
      );
      throw new NoBackendAvailableError(
        illiquid.length ? `not enough inbound liquidity on ${illiquid.join(', ')}` : `no healthy member in pool "${this.name}"`,
      );
    }
    const deadline = Date.now() + this.options.requestBudgetMs;
    const failures: string[] = [];
    for (const memberName of selection.order) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) break;
      const member = this.byName.get(memberName)!;
      try {
        return await withTimeout(member.createInvoice(request), remaining, `${memberName} createInvoice`);
      } catch (err) {
        const message = (err as Error).message;
        failures.push(`${memberName}: ${message}`);
        this.suspendedAt.set(memberName, Date.now());
        this.failovers$.next(this.name);
        this.logger.warn(
          { member: memberName, err: message, timeout: err instanceof TimeoutError },
          'member failed to create an invoice; suspended, trying the next one',
        );
      }
    }
    throw new NoBackendAvailableError(`every candidate failed (${failures.join('; ') || 'request budget exhausted'})`);
  }

  async lookupInvoice(ref: InvoiceRef): Promise<InvoiceState> {
    const member = this.byName.get(ref.nodeName);
    if (!member) throw new UnknownNodeError(ref.nodeName);
    return member.lookupInvoice(ref);
  }

  async cancelInvoice(ref: InvoiceRef): Promise<void> {
    const member = this.byName.get(ref.nodeName);
    if (!member) throw new UnknownNodeError(ref.nodeName);
    return member.cancelInvoice(ref);
  }

  health(): NodeHealth[] {
    return this.members.flatMap((member) => {
      const suspended = this.isSuspended(member);
      return member.health().map((h) => ({
        ...h,
        group: h.group ?? this.name,
        canIssue: h.canIssue && !suspended,
        lastError: h.lastError,
      }));
    });
  }

  /** A member's standing for selection: a cluster can issue when its leader can. */
  private view(member: LightningBackend): MemberView {
    const issuing = member.health().filter((h) => h.canIssue);
    return {
      name: member.name,
      canIssue: issuing.length > 0 && !this.isSuspended(member),
      inboundSats: issuing.some((h) => h.liquidityKnown === false) ? null : issuing.reduce((max, h) => Math.max(max, h.inboundSats), 0),
    };
  }

  /** Suspended until a health check newer than the failure says the member can issue again. */
  private isSuspended(member: LightningBackend): boolean {
    const since = this.suspendedAt.get(member.name);
    if (since === undefined) return false;
    const recovered = member.health().some((h) => h.canIssue && h.checkedAt.getTime() > since);
    if (recovered) {
      this.suspendedAt.delete(member.name);
      this.logger.log({ member: member.name }, 'member healthy again');
    }
    return !recovered;
  }
}
