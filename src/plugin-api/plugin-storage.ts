import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { UnitOfWork } from '../database/unit-of-work';

/**
 * Writes to the entities a plugin declares in its manifest, in one transaction, queued with the
 * server's own writes (on SQLite every write must go through here). Name the plugin's own entity
 * classes only: the core's tables are reached through the facades.
 */
@Injectable()
export class PluginStorage {
  constructor(private readonly uow: UnitOfWork) {}

  write<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.uow.run(work);
  }
}
