/**
 * The LND macaroon permissions the server uses, as LND names them (`entity:action`).
 * - invoices:write: AddInvoice, and CancelInvoice for checkouts that expire.
 * - invoices:read: SubscribeInvoices and LookupInvoice (settlements, reconciliation).
 * - info:read (optional): GetInfo, i.e. pubkey, chain sync and channel count.
 * - offchain:read (optional): ListChannels, i.e. inbound liquidity.
 * LND's stock invoice.macaroon has invoices:read/write, address:read/write and onchain:read: enough
 * to issue, with the chain sync and liquidity unknown.
 */
export const REQUIRED_PERMISSIONS = ['invoices:write', 'invoices:read'] as const;
export const OPTIONAL_PERMISSIONS = ['info:read', 'offchain:read'] as const;
export const ALL_PERMISSIONS = [...REQUIRED_PERMISSIONS, ...OPTIONAL_PERMISSIONS] as const;
export type Permission = (typeof ALL_PERMISSIONS)[number];

/** The one LND asks for to call CheckMacaroonPermissions itself (granted to admin.macaroon, not to invoice.macaroon). */
export const CHECK_PERMISSION = 'macaroon:read';

export interface PermissionCheck {
  /**
   * `CheckMacaroonPermissions` when the macaroon may call it (it holds macaroon:read); otherwise
   * each permission was proven by the node letting through a call that needs exactly it and
   * changes nothing (CancelInvoice/LookupInvoice of a random hash, GetInfo, ListChannels).
   */
  verifiedBy: 'CheckMacaroonPermissions' | 'calls';
  granted: Permission[];
  missing: Permission[];
  /** The node refused the macaroon itself (another node's, or its root key was deleted): nothing is granted. */
  rejected?: string;
}

/** What one probe of a node learned: the permissions, and what they allowed to be read. */
export interface NodeProbe {
  permissions: PermissionCheck;
  /** Present with info:read. */
  info?: { pubkey: string; syncedToChain: boolean; activeChannels: number };
  /** Present with offchain:read. */
  channels?: { activeChannels: number; inboundSats: number };
}

export interface ProbeAssessment {
  canIssue: boolean;
  syncedToChain: boolean;
  activeChannels: number;
  inboundSats: number;
  /** False without info:read: chain sync not known. */
  infoKnown: boolean;
  /** False without offchain:read: inbound liquidity not known. */
  liquidityKnown: boolean;
  /** Why the node cannot issue, when it cannot. */
  problem?: string;
  /** Issues, but something the operator should know (an optional permission is missing). */
  warnings: string[];
}

const NO_MACAROON_DETAIL = /[A-Za-z0-9+/=_-]{48,}/g;

/**
 * LND's answer when the macaroon lacks what the call needs: the macaroon bakery's error, whose
 * whole text is "permission denied" (gRPC details). Other errors that merely contain the words
 * (the PostgreSQL backend's "permission denied for table ...", a file LND cannot open) are faults
 * of the node, not of the macaroon: they must not keep a member out "until its permissions change".
 */
export function isPermissionDenied(err: unknown): boolean {
  const details = grpcDetails(err);
  if (details !== undefined) return /^permission denied$/i.test(details.trim());
  // A plain Error (our own or a test's): LND's text at the end, after the call labels.
  return /(^|: )permission denied( \(\d+\))?$/i.test(errorText(err)) && !/\/[^:]*: permission denied/.test(errorText(err));
}

/** What LND itself said: a gRPC ServiceError's details, also inside ln-service's error arrays. */
function grpcDetails(err: unknown): string | undefined {
  const inner = Array.isArray(err) ? (err[2] as { err?: unknown } | undefined)?.err : err;
  const details = (inner as { details?: unknown } | undefined)?.details;
  return typeof details === 'string' ? details : undefined;
}

/**
 * LND refusing the macaroon itself rather than one permission: a macaroon of another node
 * ("verification failed: signature mismatch"), a deleted root key ("cannot get macaroon: root key
 * with id 1 doesn't exist"), an expired or malformed one.
 */
export function isMacaroonRejected(err: unknown): boolean {
  const text = errorText(err);
  return (
    /verification failed|root key|cannot get macaroon|macaroon (has )?expired|invalid (macaroon )?id|unknown macaroon version|signature mismatch|caveat/i.test(
      text,
    ) && !/permission denied/i.test(text)
  );
}

/** Message text of an Error, an ln-service error array or a gRPC ServiceError; never a credential. */
export function errorText(err: unknown): string {
  if (Array.isArray(err)) {
    const inner = (err[2] as { err?: { details?: string; message?: string } } | undefined)?.err;
    return `${String(err[1] ?? '')} ${inner?.details ?? inner?.message ?? ''}`.trim().replace(NO_MACAROON_DETAIL, '[redacted]');
  }
  const e = err as { details?: string; message?: string } | undefined;
  return String(e?.details ?? e?.message ?? err).replace(NO_MACAROON_DETAIL, '[redacted]');
}

/** Stable summary of a check, to tell whether the permissions changed between two probes. */
export function permissionFingerprint(check: (Pick<PermissionCheck, 'rejected'> & { missing: readonly string[] }) | undefined): string {
  if (!check) return '';
  return check.rejected ? `rejected` : `missing:${[...check.missing].sort().join(',')}`;
}

/** One line for logs and /health/nodes: the missing permissions by name. */
export function describeMissing(check: PermissionCheck): string {
  if (check.rejected) return `the node rejected the macaroon (${check.rejected}); missing ${REQUIRED_PERMISSIONS.join(', ')}`;
  return `macaroon lacks ${check.missing.join(', ')}`;
}

/**
 * Whether a node can issue, from one probe: invoices:write proven (to create) and invoices:read
 * (to learn that the invoice was paid), then, when the macaroon lets us read them, synced to the
 * chain and with an active channel. Without info:read or offchain:read that part is unknown: the
 * node issues, and the health page says what it could not check.
 */
export function assessProbe(probe: NodeProbe): ProbeAssessment {
  const { permissions, info, channels } = probe;
  const warnings: string[] = [];
  const requiredMissing = REQUIRED_PERMISSIONS.filter((p) => permissions.missing.includes(p));
  if (!permissions.rejected) {
    if (!info) warnings.push('macaroon lacks info:read: chain sync and pubkey unknown (pubkey taken from the first invoice)');
    if (!channels) warnings.push('macaroon lacks offchain:read: inbound liquidity unknown, the node is chosen without a liquidity check');
  }
  const activeChannels = channels?.activeChannels ?? info?.activeChannels ?? 0;
  const channelsKnown = !!channels || !!info;
  const base = {
    syncedToChain: info?.syncedToChain ?? false,
    activeChannels,
    inboundSats: channels?.inboundSats ?? 0,
    infoKnown: !!info,
    liquidityKnown: !!channels,
    warnings,
  };
  let problem: string | undefined;
  if (permissions.rejected || requiredMissing.length > 0)
    problem = describeMissing(permissions.rejected ? permissions : { ...permissions, missing: requiredMissing });
  else if (info && !info.syncedToChain) problem = 'not synced to the chain';
  else if (channelsKnown && activeChannels === 0) problem = 'no active channel';
  return { ...base, canIssue: problem === undefined, problem };
}
