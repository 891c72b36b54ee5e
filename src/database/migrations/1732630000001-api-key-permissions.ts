import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

/**
 * API keys carry BTCPay permission strings (JSON array of `policy:storeId`). Keys issued before
 * could do everything in their store, so they get the store's top policy and keep working.
 */
export class ApiKeyPermissions1732630000001 implements MigrationInterface {
  name = 'ApiKeyPermissions1732630000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn('api_keys', new TableColumn({ name: 'permissions', type: 'text', default: "'[]'" }));
    await queryRunner.query(`UPDATE "api_keys" SET "permissions" = '["btcpay.store.canmodifystoresettings:' || "storeId" || '"]'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('api_keys', 'permissions');
  }
}
