import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager, EntityTarget } from 'typeorm';
import type { EntityClass } from '../database/table-classes';
import { UnitOfWork } from '../database/unit-of-work';

/** The entities the enabled plugins declare in their manifests (provided by PluginCoreModule). */
export const PLUGIN_ENTITIES = Symbol.for('lightning-checkout:plugin-entities');

/** EntityManager methods whose first argument names the entity (class, name or table) or is a record of it. */
const ENTITY_METHODS = new Set([
  'getRepository',
  'getTreeRepository',
  'getMongoRepository',
  'find',
  'findBy',
  'findOne',
  'findOneBy',
  'findOneOrFail',
  'findOneByOrFail',
  'findAndCount',
  'findAndCountBy',
  'count',
  'countBy',
  'exists',
  'existsBy',
  'sum',
  'average',
  'minimum',
  'maximum',
  'insert',
  'update',
  'updateAll',
  'upsert',
  'delete',
  'deleteAll',
  'softDelete',
  'restore',
  'increment',
  'decrement',
  'clear',
  'create',
  'merge',
  'preload',
  'hasId',
  'getId',
  'createQueryBuilder',
  'save',
  'remove',
  'softRemove',
  'recover',
]);

/**
 * Writes to the entities a plugin declares in its manifest, in one transaction, queued with the
 * server's own writes (on SQLite every write must go through here). The manager handed to `work`
 * reaches the enabled plugins' entities only: the core's tables (by class, name, table name or a
 * record a facade returned), raw SQL, query builders without an entity and the data source itself
 * are refused, since external plugins are not read by the boundary spec.
 */
@Injectable()
export class PluginStorage {
  private readonly allowed: ReadonlySet<unknown>;

  constructor(
    private readonly uow: UnitOfWork,
    @Inject(PLUGIN_ENTITIES) entities: EntityClass[],
  ) {
    this.allowed = new Set(entities);
  }

  write<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.uow.run((manager) => work(this.guard(manager)));
  }

  private guard(manager: EntityManager): EntityManager {
    const refuse = (what: string) => new Error(`PluginStorage: ${what}; a plugin writes only the entities its manifest declares`);
    const checkTarget = (target: unknown) => {
      if (!manager.connection.hasMetadata(target as EntityTarget<unknown>)) throw refuse(`${describe(target)} is not an entity a plugin declares`);
      if (!this.allowed.has(manager.connection.getMetadata(target as EntityTarget<unknown>).target))
        throw refuse(`${describe(target)} is a table of the server`);
    };
    const guarded: EntityManager = new Proxy(manager, {
      get: (target, property, receiver) => {
        if (property === 'connection' || property === 'dataSource' || property === 'queryRunner')
          throw refuse(`the manager's ${String(property)} is not available`);
        const value = Reflect.get(target, property, receiver) as unknown;
        if (typeof value !== 'function' || typeof property !== 'string') return value;
        if (property === 'query' || property === 'sql' || property === 'transaction') throw refuse(`${property}() is not available`);
        const method = value as (...args: unknown[]) => unknown;
        if (!ENTITY_METHODS.has(property)) return method.bind(target);
        return (first: unknown, ...rest: unknown[]) => {
          const named = typeof first === 'function' || typeof first === 'string' || isEntitySchema(first);
          if (named) checkTarget(first);
          else if (property === 'createQueryBuilder') throw refuse('a query builder must name the entity');
          else
            for (const record of (Array.isArray(first) ? first : [first]) as unknown[])
              if (record !== null && typeof record === 'object' && record.constructor !== Object) checkTarget(record.constructor);
          const result = method.call(target, first, ...rest);
          // A repository works through its `manager`: this guarded one, so its methods are checked too.
          return property === 'getRepository' || property === 'getTreeRepository'
            ? (Object.create(result as object, { manager: { value: guarded }, metadata: { value: (result as { metadata: unknown }).metadata } }) as unknown)
            : result;
        };
      },
    });
    return guarded;
  }
}

function describe(target: unknown): string {
  return typeof target === 'function' ? target.name : typeof target === 'string' ? `"${target}"` : 'that entity';
}

/** An EntitySchema by shape: the class may come from another copy of TypeORM. */
function isEntitySchema(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
  const { options, constructor } = value as { options?: { name?: unknown }; constructor?: { name?: string } };
  return options?.name !== undefined && constructor?.name === 'EntitySchema';
}
