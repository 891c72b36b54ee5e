import { Injectable } from '@nestjs/common';
import { Checkout } from '../checkout/checkout.entity';
import { NotFound } from '../common/problem';
import { UnitOfWork } from '../database/unit-of-work';
import { PluginOrderLink } from './plugin-order-link.entity';

/** Order ↔ checkout links for platform plugins. */
@Injectable()
export class PluginOrderLinks {
  constructor(private readonly uow: UnitOfWork) {}

  private get repo() {
    return this.uow.dataSource.getRepository(PluginOrderLink);
  }

  findByOrder(plugin: string, storeId: string, orderId: string): Promise<PluginOrderLink | null> {
    return this.repo.findOne({ where: { plugin, storeId, orderId } });
  }

  findByCheckout(plugin: string, checkoutId: string): Promise<PluginOrderLink | null> {
    return this.repo.findOne({ where: { plugin, checkoutId } });
  }

  /** 404 `checkout_not_found` unless the checkout is the store's: a link never crosses stores. */
  private async assertStoreCheckout(storeId: string, checkoutId: string): Promise<void> {
    if (!(await this.uow.dataSource.getRepository(Checkout).exists({ where: { id: checkoutId, storeId } }))) throw NotFound('checkout', checkoutId);
  }

  /** Idempotent: a concurrent or repeated webhook for the same order keeps the first link. */
  async link(plugin: string, storeId: string, orderId: string, checkoutId: string, details: Record<string, unknown> | null): Promise<PluginOrderLink> {
    await this.assertStoreCheckout(storeId, checkoutId);
    await this.uow.run((m) =>
      m
        .createQueryBuilder()
        .insert()
        .into(PluginOrderLink)
        .values({ plugin, storeId, orderId, checkoutId, details: details as never })
        .orIgnore()
        .execute(),
    );
    return this.repo.findOneOrFail({ where: { plugin, storeId, orderId } });
  }

  /**
   * Points the order at a new checkout (its price changed while unpaid). The old id is kept in
   * `details.replaced`, so a late payment of the old invoice can still be traced to the order.
   */
  async replace(link: PluginOrderLink, newCheckoutId: string): Promise<boolean> {
    await this.assertStoreCheckout(link.storeId, newCheckoutId);
    const replaced = [...((link.details?.replaced as string[] | undefined) ?? []), link.checkoutId];
    const result = await this.uow.run((m) =>
      m
        .createQueryBuilder()
        .update(PluginOrderLink)
        .set({ checkoutId: newCheckoutId, details: { ...(link.details ?? {}), replaced } })
        .where({ id: link.id, checkoutId: link.checkoutId })
        .execute(),
    );
    return !!result.affected;
  }

  /** The link for a checkout, current or replaced; `current` is false for a replaced one. */
  async resolve(plugin: string, storeId: string, checkoutId: string, orderId: unknown): Promise<{ link: PluginOrderLink; current: boolean } | null> {
    const link = await this.findByCheckout(plugin, checkoutId);
    if (link) return { link, current: true };
    if (typeof orderId !== 'string') return null;
    const byOrder = await this.findByOrder(plugin, storeId, orderId);
    const replaced = (byOrder?.details?.replaced as string[] | undefined) ?? [];
    return byOrder && replaced.includes(checkoutId) ? { link: byOrder, current: false } : null;
  }
}
