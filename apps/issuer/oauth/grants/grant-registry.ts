import { Inject, Injectable } from '@nestjs/common';
import { IMPLEMENTED_GRANT_TYPES, type GrantType } from '@roomkey/contracts';
import { GRANT_HANDLERS, type GrantHandler } from './grant-handler';

/** grant_type → handler. Fails at start-up if the handlers and IMPLEMENTED_GRANT_TYPES disagree. */
@Injectable()
export class GrantRegistry {
  private readonly handlers = new Map<string, GrantHandler>();

  constructor(@Inject(GRANT_HANDLERS) handlers: GrantHandler[]) {
    for (const handler of handlers) this.handlers.set(handler.grantType, handler);
    const registered = [...this.handlers.keys()].sort().join(',');
    const advertised = [...IMPLEMENTED_GRANT_TYPES].sort().join(',');
    if (registered !== advertised) {
      throw new Error(`Grant handlers (${registered}) do not match IMPLEMENTED_GRANT_TYPES (${advertised})`);
    }
  }

  find(grantType: string): GrantHandler | undefined {
    return this.handlers.get(grantType as GrantType);
  }
}
