import { SetMetadata } from '@nestjs/common';

/**
 * API-key permissions in BTCPay Server 2.x's names (BTCPayServer.Client `Policies`), so shop
 * plugins written for BTCPay read and request them unchanged. A permission is `policy` or
 * `policy:storeId`; a key here belongs to one store, so both forms mean that store.
 */
export const Policy = {
  CanModifyStoreSettings: 'btcpay.store.canmodifystoresettings',
  CanViewStoreSettings: 'btcpay.store.canviewstoresettings',
  CanModifyWebhooks: 'btcpay.store.webhooks.canmodifywebhooks',
  CanViewInvoices: 'btcpay.store.canviewinvoices',
  CanCreateInvoice: 'btcpay.store.cancreateinvoice',
  CanModifyInvoices: 'btcpay.store.canmodifyinvoices',
  CanViewReports: 'btcpay.store.canviewreports',
  CanViewPaymentRequests: 'btcpay.store.canviewpaymentrequests',
  CanModifyPaymentRequests: 'btcpay.store.canmodifypaymentrequests',
  CanManagePullPayments: 'btcpay.store.canmanagepullpayments',
  CanArchivePullPayments: 'btcpay.store.canarchivepullpayments',
  CanCreatePullPayments: 'btcpay.store.cancreatepullpayments',
  CanCreateNonApprovedPullPayments: 'btcpay.store.cancreatenonapprovedpullpayments',
  CanViewPullPayments: 'btcpay.store.canviewpullpayments',
  CanManagePayouts: 'btcpay.store.canmanagepayouts',
  CanViewPayouts: 'btcpay.store.canviewpayouts',
  CanViewOfferings: 'btcpay.store.canviewofferings',
  CanModifyOfferings: 'btcpay.store.canmodifyofferings',
  CanUseLightningNodeInStore: 'btcpay.store.canuselightningnode',
  CanViewLightningInvoiceInStore: 'btcpay.store.canviewlightninginvoice',
  CanCreateLightningInvoiceInStore: 'btcpay.store.cancreatelightninginvoice',
} as const;

export type StorePolicy = (typeof Policy)[keyof typeof Policy];

/** Store policies, the only kind a key here can hold. */
export const STORE_POLICIES: readonly StorePolicy[] = Object.values(Policy);

/** Valid BTCPay policies that concern a server or a user, which a store key cannot hold. */
const NON_STORE_POLICIES: ReadonlySet<string> = new Set([
  'unrestricted',
  'btcpay.server.canmodifyserversettings',
  'btcpay.server.canuseinternallightningnode',
  'btcpay.server.canviewlightninginvoiceinternalnode',
  'btcpay.server.cancreatelightninginvoiceinternalnode',
  'btcpay.server.canviewusers',
  'btcpay.server.cancreateuser',
  'btcpay.server.canmanageusers',
  'btcpay.user.canmodifyprofile',
  'btcpay.user.canviewprofile',
  'btcpay.user.candeleteuser',
  'btcpay.user.canmanagenotificationsforuser',
  'btcpay.user.canviewnotificationsforuser',
]);

/** BTCPay's policy tree (store part): holding a policy grants its children, transitively. */
const CHILDREN: Readonly<Partial<Record<StorePolicy, readonly StorePolicy[]>>> = {
  [Policy.CanModifyStoreSettings]: [
    Policy.CanManagePullPayments,
    Policy.CanModifyInvoices,
    Policy.CanViewStoreSettings,
    Policy.CanModifyWebhooks,
    Policy.CanModifyPaymentRequests,
    Policy.CanManagePayouts,
    Policy.CanModifyOfferings,
    Policy.CanUseLightningNodeInStore,
  ],
  [Policy.CanManagePullPayments]: [Policy.CanCreatePullPayments, Policy.CanArchivePullPayments],
  [Policy.CanCreatePullPayments]: [Policy.CanCreateNonApprovedPullPayments],
  [Policy.CanCreateNonApprovedPullPayments]: [Policy.CanViewPullPayments],
  [Policy.CanModifyPaymentRequests]: [Policy.CanViewPaymentRequests],
  [Policy.CanModifyOfferings]: [Policy.CanViewOfferings],
  [Policy.CanUseLightningNodeInStore]: [Policy.CanViewLightningInvoiceInStore, Policy.CanCreateLightningInvoiceInStore],
  [Policy.CanModifyInvoices]: [Policy.CanViewInvoices, Policy.CanCreateInvoice, Policy.CanCreateLightningInvoiceInStore],
  [Policy.CanViewStoreSettings]: [
    Policy.CanViewInvoices,
    Policy.CanViewPaymentRequests,
    Policy.CanViewReports,
    Policy.CanViewPullPayments,
    Policy.CanViewPayouts,
  ],
  [Policy.CanManagePayouts]: [Policy.CanViewPayouts],
};

export function policyImplies(held: StorePolicy, wanted: StorePolicy): boolean {
  if (held === wanted) return true;
  return (CHILDREN[held] ?? []).some((child) => policyImplies(child, wanted));
}

/**
 * What a new key gets when the creator names no permissions: exactly the set BTCPay's WooCommerce
 * plugin asks for (its REQUIRED_PERMISSIONS plus OPTIONAL_PERMISSIONS), so its settings check passes.
 */
export const DEFAULT_KEY_POLICIES: readonly StorePolicy[] = [
  Policy.CanViewInvoices,
  Policy.CanCreateInvoice,
  Policy.CanViewStoreSettings,
  Policy.CanModifyInvoices,
  Policy.CanCreateNonApprovedPullPayments,
  Policy.CanModifyWebhooks,
];

/** What keys made before permissions existed hold: everything in their store, as they could do then. */
export const OWNER_POLICY: StorePolicy = Policy.CanModifyStoreSettings;

export type PermissionProblem =
  | { code: 'unknown_permission'; permission: string }
  | { code: 'unsupported_permission'; permission: string }
  | { code: 'permission_store_mismatch'; permission: string };

const isStorePolicy = (p: string): p is StorePolicy => (STORE_POLICIES as readonly string[]).includes(p);

/**
 * Turns requested permissions into the stored form `policy:storeId` (deduplicated, in the order
 * asked), or lists what is wrong: unknown names, server/user policies a store key cannot hold, and
 * a suffix naming another store. Policy names are case-insensitive, as in BTCPay.
 */
export function grantPermissions(requested: readonly string[], storeId: string): { granted: string[] } | { problems: PermissionProblem[] } {
  const granted: string[] = [];
  const problems: PermissionProblem[] = [];
  for (const permission of requested) {
    const trimmed = permission.trim();
    const separator = trimmed.indexOf(':');
    const policy = (separator === -1 ? trimmed : trimmed.slice(0, separator)).toLowerCase();
    const scope = separator === -1 ? storeId : trimmed.slice(separator + 1);
    if (!isStorePolicy(policy)) {
      problems.push({ code: NON_STORE_POLICIES.has(policy) ? 'unsupported_permission' : 'unknown_permission', permission });
    } else if (scope !== storeId) {
      problems.push({ code: 'permission_store_mismatch', permission });
    } else if (!granted.includes(`${policy}:${storeId}`)) {
      granted.push(`${policy}:${storeId}`);
    }
  }
  return problems.length ? { problems } : { granted };
}

/** Whether a key's permissions allow `wanted` in `storeId`; an unsuffixed permission covers the key's own store. */
export function allows(permissions: readonly string[], wanted: StorePolicy, storeId: string): boolean {
  return permissions.some((permission) => {
    const separator = permission.indexOf(':');
    const policy = separator === -1 ? permission : permission.slice(0, separator);
    const scope = separator === -1 ? storeId : permission.slice(separator + 1);
    return scope === storeId && isStorePolicy(policy) && policyImplies(policy, wanted);
  });
}

export const REQUIRED_PERMISSION = 'lightning-checkout:required-permission';
/** Marks a route any valid key may call, whatever it holds (e.g. "who am I"). */
export const ANY_PERMISSION = 'any';

/** The permission a key must hold (directly or through BTCPay's policy tree) to call the route. */
export const RequirePermission = (policy: StorePolicy) => SetMetadata(REQUIRED_PERMISSION, policy);
/** For routes every authenticated key may call; a route must declare one of the two. */
export const AnyPermission = () => SetMetadata(REQUIRED_PERMISSION, ANY_PERMISSION);
