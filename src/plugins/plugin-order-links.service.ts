import { Injectable } from '@nestjs/common';
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

  /** Idempotent: a concurrent or repeated webhook for the same order keeps the first link. */
  async link(plugin: string, storeId: string, orderId: string, checkoutId: string, details: Record<string, unknown> | null): Promise<PluginOrderLink> {
    await this.repo.createQueryBuilder().insert().into(PluginOrderLink).values({ plugin, storeId, orderId, checkoutId, details: details as never }).orIgnore().execute();
    return this.repo.findOneOrFail({ where: { plugin, storeId, orderId } });
  }
}
