import { allows, DEFAULT_KEY_POLICIES, grantPermissions, OWNER_POLICY, Policy, policyImplies, STORE_POLICIES } from './permissions';

describe('BTCPay policy tree', () => {
  it('canmodifystoresettings implies every store policy', () => {
    for (const policy of STORE_POLICIES) expect(policyImplies(OWNER_POLICY, policy)).toBe(true);
  });

  it('canmodifyinvoices implies viewing and creating invoices, not webhooks or store settings', () => {
    expect(policyImplies(Policy.CanModifyInvoices, Policy.CanViewInvoices)).toBe(true);
    expect(policyImplies(Policy.CanModifyInvoices, Policy.CanCreateInvoice)).toBe(true);
    expect(policyImplies(Policy.CanModifyInvoices, Policy.CanModifyWebhooks)).toBe(false);
    expect(policyImplies(Policy.CanModifyInvoices, Policy.CanViewStoreSettings)).toBe(false);
  });

  it('canviewstoresettings implies viewing invoices but not creating them', () => {
    expect(policyImplies(Policy.CanViewStoreSettings, Policy.CanViewInvoices)).toBe(true);
    expect(policyImplies(Policy.CanViewStoreSettings, Policy.CanCreateInvoice)).toBe(false);
  });

  it('implication goes down the tree only, transitively', () => {
    expect(policyImplies(Policy.CanManagePullPayments, Policy.CanViewPullPayments)).toBe(true);
    expect(policyImplies(Policy.CanViewInvoices, Policy.CanModifyInvoices)).toBe(false);
    expect(policyImplies(Policy.CanCreateInvoice, Policy.CanViewInvoices)).toBe(false);
    expect(policyImplies(Policy.CanModifyWebhooks, Policy.CanViewStoreSettings)).toBe(false);
  });
});

describe('grantPermissions', () => {
  it('stores both forms with the key store suffix, lower-cased and deduplicated, in the order asked', () => {
    expect(grantPermissions(['btcpay.store.canviewinvoices', 'BTCPay.Store.CanViewInvoices:s1', 'btcpay.store.cancreateinvoice:s1'], 's1')).toEqual({
      granted: ['btcpay.store.canviewinvoices:s1', 'btcpay.store.cancreateinvoice:s1'],
    });
  });

  it('names every unknown, unsupported and foreign-store permission', () => {
    expect(
      grantPermissions(
        ['btcpay.store.canfly', 'btcpay.server.canmodifyserversettings', 'unrestricted', 'btcpay.store.canviewinvoices:other', 'btcpay.store.canviewinvoices:'],
        's1',
      ),
    ).toEqual({
      problems: [
        { code: 'unknown_permission', permission: 'btcpay.store.canfly' },
        { code: 'unsupported_permission', permission: 'btcpay.server.canmodifyserversettings' },
        { code: 'unsupported_permission', permission: 'unrestricted' },
        { code: 'permission_store_mismatch', permission: 'btcpay.store.canviewinvoices:other' },
        { code: 'permission_store_mismatch', permission: 'btcpay.store.canviewinvoices:' },
      ],
    });
  });

  it('the default is exactly the WooCommerce plugin set (required + optional)', () => {
    expect([...DEFAULT_KEY_POLICIES].sort()).toEqual(
      [
        'btcpay.store.canviewinvoices',
        'btcpay.store.cancreateinvoice',
        'btcpay.store.canviewstoresettings',
        'btcpay.store.canmodifyinvoices',
        'btcpay.store.cancreatenonapprovedpullpayments',
        'btcpay.store.webhooks.canmodifywebhooks',
      ].sort(),
    );
  });
});

describe('allows', () => {
  const granted = ['btcpay.store.canmodifyinvoices:s1', 'btcpay.store.webhooks.canmodifywebhooks:s1'];

  it('allows what is held or implied, in the key store only', () => {
    expect(allows(granted, Policy.CanViewInvoices, 's1')).toBe(true);
    expect(allows(granted, Policy.CanModifyWebhooks, 's1')).toBe(true);
    expect(allows(granted, Policy.CanViewInvoices, 's2')).toBe(false);
    expect(allows(granted, Policy.CanViewStoreSettings, 's1')).toBe(false);
    expect(allows([], Policy.CanViewInvoices, 's1')).toBe(false);
  });

  it('reads an unsuffixed permission as the key store', () => {
    expect(allows(['btcpay.store.canviewstoresettings'], Policy.CanViewInvoices, 's1')).toBe(true);
  });

  it('ignores stored strings that are not store policies', () => {
    expect(allows(['unrestricted:s1', 'btcpay.store.canviewinvoices.evil:s1'], Policy.CanViewInvoices, 's1')).toBe(false);
  });
});
