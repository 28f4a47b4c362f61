import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { KeysRoutes } from '@roomkey/contracts';
import { SigningKeyService } from './signing-key.service';
import { InRequest, type RequestContext } from '@roomkey/nats';

@Controller()
export class SigningKeyHandlers {
  constructor(private readonly signingKeys: SigningKeyService) {}

  @MessagePattern(KeysRoutes.listSigningKeys.subject)
  async list(@Payload() payload: unknown) {
    return { items: await this.signingKeys.list(KeysRoutes.listSigningKeys.request.parse(payload).tenant) };
  }

  @MessagePattern(KeysRoutes.rotateSigningKeys.subject)
  async rotate(@Payload() payload: unknown, @InRequest() context: RequestContext) {
    // Without a deadline, rotate always rotates (null only answers a scheduled rotation that lost a race).
    return (await this.signingKeys.rotate(KeysRoutes.rotateSigningKeys.request.parse(payload).tenant, context))!;
  }

  @MessagePattern(KeysRoutes.revokeSigningKey.subject)
  async revoke(@Payload() payload: unknown, @InRequest() context: RequestContext) {
    const { tenant, kid } = KeysRoutes.revokeSigningKey.request.parse(payload);
    return this.signingKeys.revoke(tenant, kid, context);
  }

  @MessagePattern(KeysRoutes.getJwks.subject)
  async jwks(@Payload() payload: unknown) {
    return this.signingKeys.jwks(KeysRoutes.getJwks.request.parse(payload).tenant);
  }

  @MessagePattern(KeysRoutes.getSigningMaterial.subject)
  async material(@Payload() payload: unknown) {
    return this.signingKeys.signingMaterial(KeysRoutes.getSigningMaterial.request.parse(payload).tenant);
  }
}
