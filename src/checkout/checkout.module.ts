import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { StoresModule } from '../stores/stores.module';
import { Checkout } from './checkout.entity';
import { CheckoutEvent } from './checkout-event.entity';
import { CheckoutController } from './checkout.controller';
import { CheckoutEventsBus } from './checkout-events.bus';
import { CheckoutService } from './checkout.service';
import { CheckoutTransitions } from './checkout-transitions';
import { ExpiryScheduler } from './expiry.scheduler';

@Module({
  imports: [TypeOrmModule.forFeature([Checkout, CheckoutEvent]), StoresModule],
  controllers: [CheckoutController],
  providers: [CheckoutService, CheckoutTransitions, CheckoutEventsBus, ExpiryScheduler],
  exports: [CheckoutService, CheckoutTransitions, CheckoutEventsBus, ExpiryScheduler],
})
export class CheckoutModule {}
