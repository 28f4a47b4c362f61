import 'reflect-metadata';
import { readIssuerConfig } from '@roomkey/config';
import { runService } from '@roomkey/nats';
import { startIssuerService } from './issuer.app';

void runService('issuer', () => startIssuerService(readIssuerConfig()));
