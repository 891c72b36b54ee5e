import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Checkout } from '../checkout/checkout.entity';
import { CheckoutModule } from '../checkout/checkout.module';
import { Reconciler } from './reconciler';
import { SettlementWatcher } from './settlement-watcher';

@Module({
  imports: [TypeOrmModule.forFeature([Checkout]), CheckoutModule],
  providers: [SettlementWatcher, Reconciler],
  exports: [Reconciler],
})
export class PaymentsModule {}
