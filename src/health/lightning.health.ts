import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { NodeHealth } from '../lightning/lightning-backend';
import { LightningService } from '../lightning/lightning.service';

/** Names what is missing: readiness is read by operators too. */
function cannotIssue(n: NodeHealth): string {
  const p = n.permissions;
  if (p?.rejected) return 'cannot issue (the node rejected the macaroon)';
  const missing = p?.missing.filter((name) => name.startsWith('invoices:')) ?? [];
  if (missing.length) return `cannot issue (macaroon lacks ${missing.join(', ')})`;
  return 'cannot issue';
}

/**
 * Ready when at least one node can issue an invoice now. Reads the backends' own cached probing
 * (LightningService.health() is synchronous), so it never waits on a node.
 */
@Injectable()
export class LightningHealthIndicator {
  constructor(
    private readonly lightning: LightningService,
    private readonly health: HealthIndicatorService,
  ) {}

  check() {
    return this.health.check('lightning').attempt(() => {
      const nodes = this.lightning.health();
      const issuing = nodes.filter((n) => n.canIssue).map((n) => n.name);
      if (issuing.length === 0) {
        const down = nodes.map((n) => `${n.name}: ${n.reachable ? (n.role === 'follower' ? 'follower' : cannotIssue(n)) : 'unreachable'}`);
        throw new Error(`no Lightning node can issue invoices (${down.join('; ') || 'no nodes'})`);
      }
      return { canIssue: issuing, nodes: nodes.length };
    });
  }
}
