import { Global, Module } from '@nestjs/common';
import { LightningService } from './lightning.service';

@Global()
@Module({ providers: [LightningService], exports: [LightningService] })
export class LightningModule {}
