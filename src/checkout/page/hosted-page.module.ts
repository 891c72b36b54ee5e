import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { StoresModule } from '../../stores/stores.module';
import { Checkout } from '../checkout.entity';
import { CheckoutModule } from '../checkout.module';
import { CheckoutWatcher } from './checkout-watcher';
import { EventStreams } from './event-streams';
import { HostedPageController } from './hosted-page.controller';
import { QrCodeRenderer } from './qr-code';

/** The hosted checkout page customers pay on, at `/i/:id`. */
@Module({
  imports: [TypeOrmModule.forFeature([Checkout]), CheckoutModule, StoresModule],
  controllers: [HostedPageController],
  providers: [CheckoutWatcher, EventStreams, QrCodeRenderer],
  exports: [CheckoutWatcher],
})
export class HostedPageModule {}
