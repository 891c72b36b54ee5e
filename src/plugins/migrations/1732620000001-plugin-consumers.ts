import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { timestampType } from '../../database/dialect';

/** Every event type when this migration was written (a migration must not follow later code). */
const ALL_TYPES = ['InvoiceCreated', 'InvoiceSettled', 'InvoiceExpired', 'InvoiceInvalid', 'InvoicePaidAfterExpiration', 'InvoicePaidPartial'];

/**
 * Plugin deliveries are now created by the outbox fan-out (with the webhook deliveries), for the
 * consumers listed in `plugin_consumers`; the per-consumer cursor over `checkout_events.seq`, which
 * could skip an event committed late on PostgreSQL, is retired. A consumer carried over from its
 * cursor starts after the cursor's position and takes every event type until its plugin subscribes
 * again with its own list (the fan-out may run before that; delivery skips types it does not take);
 * the events past its cursor that webhooks had already dispatched are queued for it here.
 */
export class PluginConsumers1732620000001 implements MigrationInterface {
  name = 'PluginConsumers1732620000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    const ts = timestampType(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'plugin_consumers',
        columns: [
          { name: 'consumer', type: 'varchar', length: '64', isPrimary: true },
          { name: 'types', type: 'text' },
          { name: 'sinceSeq', type: 'bigint' },
          { name: 'createdAt', type: ts },
          { name: 'updatedAt', type: ts },
        ],
      }),
    );
    await queryRunner.query(
      `INSERT INTO plugin_consumers (consumer, types, "sinceSeq", "createdAt", "updatedAt") SELECT consumer, $types, "lastSeq", "updatedAt", "updatedAt" FROM plugin_cursors`.replace(
        '$types',
        `'${JSON.stringify(ALL_TYPES)}'`,
      ),
    );
    // The old cursor moved on its own timer, so events past it may already be dispatched to webhooks;
    // the fan-out never takes those again, so they are queued for the consumer here.
    await queryRunner.query(
      `INSERT INTO plugin_deliveries (consumer, "eventSeq", "eventId", status, attempts, "nextAttemptAt", "createdAt", "updatedAt")
       SELECT c.consumer, e.seq, e.id, 'pending', 0, c."updatedAt", c."updatedAt", c."updatedAt"
       FROM plugin_cursors c JOIN checkout_events e ON e.seq > c."lastSeq" AND e."dispatchedAt" IS NOT NULL
       WHERE NOT EXISTS (SELECT 1 FROM plugin_deliveries d WHERE d.consumer = c.consumer AND d."eventSeq" = e.seq)`,
    );
    await queryRunner.dropTable('plugin_cursors');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const ts = timestampType(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'plugin_cursors',
        columns: [
          { name: 'consumer', type: 'varchar', length: '64', isPrimary: true },
          { name: 'lastSeq', type: 'bigint' },
          { name: 'updatedAt', type: ts },
        ],
      }),
    );
    // The cursor resumes after the newest event already fanned out: those have their deliveries.
    await queryRunner.query(
      `INSERT INTO plugin_cursors (consumer, "lastSeq", "updatedAt") SELECT consumer, COALESCE((SELECT MAX(seq) FROM checkout_events WHERE "dispatchedAt" IS NOT NULL), "sinceSeq"), "updatedAt" FROM plugin_consumers`,
    );
    await queryRunner.dropTable('plugin_consumers');
  }
}
