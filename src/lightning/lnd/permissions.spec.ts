import { LndClient } from './lnd-client';
import { assessProbe, isMacaroonRejected, isPermissionDenied, NodeProbe, Permission, permissionFingerprint } from './permissions';

type Callback = (err: unknown, res?: unknown) => void;
const denied = (code: number) => ({ code, details: 'permission denied', message: `${code} UNKNOWN: permission denied` });

/**
 * An LND that answers like the real one: the interceptor refuses a call whose macaroon lacks the
 * call's permission with "permission denied" (gRPC Unknown), and CheckMacaroonPermissions answers
 * "permission denied" (InvalidArgument) for a checked permission the macaroon lacks.
 */
function clientFor(macaroonHolds: string[], rejected?: string): { client: LndClient; calls: string[] } {
  const calls: string[] = [];
  const holds = (p: string) => macaroonHolds.includes(p);
  const guard = (name: string, permission: string, done: Callback, answer: () => void) => {
    calls.push(name);
    if (rejected) return done({ code: 2, details: rejected });
    if (!holds(permission)) return done(denied(2));
    answer();
  };
  const authenticated = {
    default: {
      checkMacaroonPermissions: (req: { permissions: { entity: string; action: string }[] }, done: Callback) =>
        guard('checkMacaroonPermissions', 'macaroon:read', done, () => {
          const ok = req.permissions.every((p) => holds(`${p.entity}:${p.action}`));
          done(ok ? null : denied(3), ok ? { valid: true } : undefined);
        }),
      lookupInvoice: (_: object, done: Callback) => guard('lookupInvoice', 'invoices:read', done, () => done({ code: 5, details: 'unable to locate invoice' })),
      getInfo: (_: object, done: Callback) => guard('getInfo', 'info:read', done, () => done(null, {})),
      listChannels: (_: object, done: Callback) => guard('listChannels', 'offchain:read', done, () => done(null, { channels: [] })),
    },
    invoices: {
      cancelInvoice: (_: object, done: Callback) =>
        guard('cancelInvoice', 'invoices:write', done, () => done({ code: 2, details: 'unable to locate invoice' })),
    },
  };
  const client = Object.create(LndClient.prototype) as LndClient;
  Object.assign(client, { name: 'n', timeoutMs: 1000, authenticated, macaroonBase64: Buffer.from('mac').toString('base64') });
  return { client, calls };
}

const ADMIN = ['macaroon:read', 'invoices:write', 'invoices:read', 'info:read', 'offchain:read', 'onchain:read'];
// LND's invoicePermissions (rpcserver.go): what the stock invoice.macaroon is baked with.
const INVOICE_MACAROON = ['invoices:read', 'invoices:write', 'address:read', 'address:write', 'onchain:read'];
// LND's readPermissions: every entity with "read", so no invoices:write.
const READONLY = ['onchain:read', 'offchain:read', 'address:read', 'message:read', 'peers:read', 'info:read', 'invoices:read', 'signer:read', 'macaroon:read'];

describe('LndClient.verifyPermissions', () => {
  it('uses CheckMacaroonPermissions when the macaroon holds macaroon:read, and names what is missing', async () => {
    const { client, calls } = clientFor(READONLY);
    const check = await client.verifyPermissions();
    expect(check).toEqual({ verifiedBy: 'CheckMacaroonPermissions', granted: ['invoices:read', 'info:read', 'offchain:read'], missing: ['invoices:write'] });
    expect(new Set(calls)).toEqual(new Set(['checkMacaroonPermissions']));
  });

  it('proves each permission with a harmless call when the macaroon cannot ask (stock invoice.macaroon)', async () => {
    const { client, calls } = clientFor(INVOICE_MACAROON);
    const check = await client.verifyPermissions();
    expect(check).toEqual({ verifiedBy: 'calls', granted: ['invoices:write', 'invoices:read'], missing: ['info:read', 'offchain:read'] });
    expect(calls.sort()).toEqual(['cancelInvoice', 'checkMacaroonPermissions', 'getInfo', 'listChannels', 'lookupInvoice']);
  });

  it('an admin macaroon has everything', async () => {
    expect((await clientFor(ADMIN).client.verifyPermissions()).missing).toEqual([]);
  });

  it('a macaroon the node rejects (another node’s, a deleted root key) has nothing, with the reason', async () => {
    const check = await clientFor(ADMIN, 'verification failed: signature mismatch after caveat verification').client.verifyPermissions();
    expect(check).toMatchObject({
      granted: [],
      missing: ['invoices:write', 'invoices:read', 'info:read', 'offchain:read'],
      rejected: expect.stringMatching(/signature mismatch/),
    });
    const revoked = await clientFor(ADMIN, "cannot get macaroon: root key with id 7 doesn't exist").client.verifyPermissions();
    expect(revoked.rejected).toMatch(/root key with id 7/);
  });

  it('a database fault on a proving call is not a missing permission (PostgreSQL backend refusing a table)', async () => {
    const { client } = clientFor(INVOICE_MACAROON);
    const raw = (client as unknown as { authenticated: { default: Record<string, unknown> } }).authenticated.default;
    // What LND answers when its own database account lost a grant: the call passed the macaroon check.
    raw.lookupInvoice = (_: object, done: Callback) => done({ code: 2, details: 'ERROR: permission denied for table invoices (SQLSTATE 42501)' });
    await expect(client.verifyPermissions()).rejects.toThrow(/invoices:read check: ERROR: permission denied for table invoices/);
  });

  it('throws (unreachable, not "missing") when the node does not answer the check', async () => {
    const { client } = clientFor(ADMIN, 'No connection established');
    await expect(client.verifyPermissions()).rejects.toThrow(/No connection established/);
  });
});

const probe = (
  granted: Permission[],
  info = { pubkey: 'pk', syncedToChain: true, activeChannels: 2 },
  channels = { activeChannels: 2, inboundSats: 5000 },
): NodeProbe => {
  const all: Permission[] = ['invoices:write', 'invoices:read', 'info:read', 'offchain:read'];
  return {
    permissions: { verifiedBy: 'CheckMacaroonPermissions', granted, missing: all.filter((p) => !granted.includes(p)) },
    info: granted.includes('info:read') ? info : undefined,
    channels: granted.includes('offchain:read') ? channels : undefined,
  };
};

describe('assessProbe', () => {
  it('can issue with every permission, a synced node and an active channel', () => {
    expect(assessProbe(probe(['invoices:write', 'invoices:read', 'info:read', 'offchain:read']))).toMatchObject({
      canIssue: true,
      inboundSats: 5000,
      liquidityKnown: true,
      warnings: [],
    });
  });

  it('cannot issue without invoices:write (readonly.macaroon), naming it', () => {
    expect(assessProbe(probe(['invoices:read', 'info:read', 'offchain:read']))).toMatchObject({ canIssue: false, problem: 'macaroon lacks invoices:write' });
  });

  it('cannot issue without invoices:read: it would never learn that the invoice was paid', () => {
    expect(assessProbe(probe(['invoices:write', 'info:read', 'offchain:read']))).toMatchObject({ canIssue: false, problem: 'macaroon lacks invoices:read' });
  });

  it('issues with invoices:read/write only (invoice.macaroon): liquidity and sync unknown, with warnings', () => {
    const a = assessProbe(probe(['invoices:write', 'invoices:read']));
    expect(a).toMatchObject({ canIssue: true, liquidityKnown: false, infoKnown: false });
    expect(a.warnings).toEqual([expect.stringMatching(/lacks info:read/), expect.stringMatching(/lacks offchain:read/)]);
  });

  it('without offchain:read but with info:read, the channel count still comes from GetInfo', () => {
    expect(assessProbe(probe(['invoices:write', 'invoices:read', 'info:read'], { pubkey: 'pk', syncedToChain: true, activeChannels: 0 }))).toMatchObject({
      canIssue: false,
      problem: 'no active channel',
    });
  });

  it('cannot issue when not synced or with no active channel', () => {
    const all: Permission[] = ['invoices:write', 'invoices:read', 'info:read', 'offchain:read'];
    expect(assessProbe(probe(all, { pubkey: 'pk', syncedToChain: false, activeChannels: 1 })).problem).toBe('not synced to the chain');
    expect(assessProbe(probe(all, undefined, { activeChannels: 0, inboundSats: 0 })).problem).toBe('no active channel');
  });

  it('a rejected macaroon cannot issue, and says why', () => {
    const a = assessProbe({
      permissions: {
        verifiedBy: 'CheckMacaroonPermissions',
        granted: [],
        missing: ['invoices:write', 'invoices:read', 'info:read', 'offchain:read'],
        rejected: 'root key gone',
      },
    });
    expect(a).toMatchObject({
      canIssue: false,
      problem: expect.stringMatching(/rejected the macaroon \(root key gone\); missing invoices:write, invoices:read/),
    });
  });
});

describe('permission errors', () => {
  it('tells "permission denied" from a rejected macaroon and from unreachability', () => {
    expect(isPermissionDenied([503, 'UnexpectedError', { err: { details: 'permission denied' } }])).toBe(true);
    expect(isPermissionDenied(new Error('n addInvoice: permission denied'))).toBe(true);
    expect(isMacaroonRejected({ details: 'verification failed: signature mismatch after caveat verification' })).toBe(true);
    expect(isMacaroonRejected({ details: "cannot get macaroon: root key with id 1 doesn't exist" })).toBe(true);
    expect(isMacaroonRejected({ details: 'permission denied' })).toBe(false);
    expect(isMacaroonRejected(new Error('14 UNAVAILABLE: No connection established'))).toBe(false);
  });

  it('only LND\'s macaroon refusal is "permission denied", not a node fault containing the words', () => {
    expect(isPermissionDenied({ code: 2, details: 'permission denied', message: '2 UNKNOWN: permission denied' })).toBe(true);
    expect(isPermissionDenied({ code: 2, details: 'ERROR: permission denied for table invoices (SQLSTATE 42501)' })).toBe(false);
    expect(isPermissionDenied({ code: 2, details: 'open /root/.lnd/data/graph/regtest/channel.db: permission denied' })).toBe(false);
    expect(isPermissionDenied([503, 'UnexpectedErrorCreatingInvoice', { err: { details: 'etcdserver: permission denied' } }])).toBe(false);
    expect(isPermissionDenied(new Error('UnexpectedError (503): open /data/lnd.db: permission denied'))).toBe(false);
  });

  it('fingerprints change only when the permissions do', () => {
    const a = { verifiedBy: 'calls' as const, granted: [], missing: ['info:read', 'offchain:read'] as Permission[] };
    expect(permissionFingerprint(a)).toBe(permissionFingerprint({ ...a, missing: ['offchain:read', 'info:read'] }));
    expect(permissionFingerprint(a)).not.toBe(permissionFingerprint({ ...a, missing: ['offchain:read'] }));
    expect(permissionFingerprint(a)).not.toBe(permissionFingerprint({ ...a, rejected: 'x' }));
  });
});
