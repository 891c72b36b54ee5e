import { nodeHealthView, sanitizeError } from './node-health.view';

describe('nodeHealthView', () => {
  it("shows a cluster leader's channel peers with their connectivity, without their addresses", () => {
    const view = nodeHealthView({
      name: 'lnd-2',
      group: 'shop-cluster',
      type: 'cluster-member',
      role: 'leader',
      reachable: true,
      syncedToChain: true,
      activeChannels: 1,
      inboundSats: 1000,
      canIssue: true,
      checkedAt: new Date('2026-12-02T00:00:00Z'),
      failovers: 1,
      channelPeers: [
        { pubkey: '02aa', connected: true, channels: 1, activeChannels: 1 },
        {
          pubkey: '03bb',
          connected: false,
          channels: 2,
          activeChannels: 0,
          lastAttemptAt: new Date('2026-12-02T00:00:01Z'),
          lastError: 'lnd-2 connectPeer: dial tcp 10.0.0.9:9735: connect: connection refused; [::1]:9735 timed out',
        },
      ],
    });
    expect(view.channelPeers).toEqual([
      { pubkey: '02aa', connected: true, channels: 1, activeChannels: 1, lastAttemptAt: null, lastError: null },
      {
        pubkey: '03bb',
        connected: false,
        channels: 2,
        activeChannels: 0,
        lastAttemptAt: '2026-12-02T00:00:01.000Z',
        lastError: 'lnd-2 connectPeer: dial tcp [address]: connect: connection refused; [address] timed out',
      },
    ]);
    expect(JSON.stringify(view)).not.toContain('9735');
  });

  it('leaves channelPeers out for members that are not a cluster leader', () => {
    const view = nodeHealthView({
      name: 'n',
      type: 'lnd',
      role: 'independent',
      reachable: true,
      syncedToChain: true,
      activeChannels: 1,
      inboundSats: 0,
      canIssue: true,
      checkedAt: new Date(),
    });
    expect(view).not.toHaveProperty('channelPeers');
  });

  it('redacts onion and host addresses with ports', () => {
    expect(sanitizeError('dial abcdefghij234567.onion:9735 failed')).toBe('dial [address] failed');
  });
});
