import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

/** Endpoints remember which body shape their receiver expects ('standard' or 'btcpay'). */
export class WebhookFormat1732500000000 implements MigrationInterface {
  name = 'WebhookFormat1732500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn('webhook_endpoints', new TableColumn({ name: 'format', type: 'varchar', length: '16', default: "'standard'" }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('webhook_endpoints', 'format');
  }
}
