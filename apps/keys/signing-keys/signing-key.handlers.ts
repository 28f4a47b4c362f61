import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { KeysRoutes, type RequestOf } from '@roomkey/contracts';
import { SigningKeyService } from './signing-key.service';

@Controller()
export class SigningKeyHandlers {
  constructor(private readonly signingKeys: SigningKeyService) {}

  @MessagePattern(KeysRoutes.listSigningKeys.subject)
  async list(@Payload() request: RequestOf<typeof KeysRoutes.listSigningKeys>) {
    return { items: await this.signingKeys.list(request.tenant) };
  }

  @MessagePattern(KeysRoutes.rotateSigningKeys.subject)
  async rotate(@Payload() request: RequestOf<typeof KeysRoutes.rotateSigningKeys>) {
    return (await this.signingKeys.rotate(request.tenant))!;
  }

  @MessagePattern(KeysRoutes.revokeSigningKey.subject)
  revoke(@Payload() request: RequestOf<typeof KeysRoutes.revokeSigningKey>) {
    return this.signingKeys.revoke(request.tenant, request.kid);
  }

  @MessagePattern(KeysRoutes.getJwks.subject)
  jwks(@Payload() request: RequestOf<typeof KeysRoutes.getJwks>) {
    return this.signingKeys.jwks(request.tenant);
  }

  @MessagePattern(KeysRoutes.getSigningMaterial.subject)
  material(@Payload() request: RequestOf<typeof KeysRoutes.getSigningMaterial>) {
    return this.signingKeys.signingMaterial(request.tenant);
  }
}
