/**
 * The request and answer types of the contract, taken from its TypeBox schemas (libs/contracts).
 * Type-only: nothing of TypeBox reaches the package's JavaScript. The published .d.ts gets these
 * expanded into plain types by the build (scripts/build.js), so users need no TypeBox.
 */
export type {
  CreateAccessTokenBody,
  CreateAccessTokenResult,
  VerifyTokenResult,
  RevokeTokenBody,
  RevokeTokenResult,
  RevokedUserTokens,
  RevokeBeforeBody,
  RevokedTenantTokens,
} from '../../../libs/contracts/schemas/tokens';
export type {
  CreateGuestBody,
  GuestResult,
  CreateAnonymousBody,
  AnonymousResult,
  CreateInviteBody,
  CreatedInvite,
  RedeemInviteBody,
} from '../../../libs/contracts/schemas/identity';
export type {
  CreateTenantBody,
  AdminTenant,
  UpdateTenantBody,
  CreateApiKeyBody,
  ApiKeyView,
  CreatedApiKey,
  RotateApiKeyBody,
  RotatedApiKey,
  UpdateApiKeyBody,
  CreateClientBody,
  ClientView,
  CreatedClient,
  UpdateClientBody,
  RotateClientSecretBody,
  RotatedClientSecret,
  SigningKeyView,
  Jwks,
} from '../../../libs/contracts/schemas/admin';
export type { CreateAdminKeyBody, CreatedAdminKey, AdminKeyView } from '../../../libs/contracts/schemas/admin-keys';
export type { TenantEvent, TenantEventPage } from '../../../libs/contracts/schemas/events';
export type { AccessTokenClaims } from '../../../libs/contracts/claims';
export type { Role } from '../../../libs/contracts/roles';

import type { Static } from '../../../libs/contracts/schema';
import type { AdminTenantPageSchema, ListTenantsQuerySchema } from '../../../libs/contracts/schemas/admin';
import type { ListEventsQuerySchema } from '../../../libs/contracts/schemas/events';
import type { AdminKeyListSchema } from '../../../libs/contracts/schemas/admin-keys';
export type AdminTenantPage = Static<typeof AdminTenantPageSchema>;
export type ListTenantsQuery = Static<typeof ListTenantsQuerySchema>;
export type ListEventsQuery = Static<typeof ListEventsQuerySchema>;
export type AdminKeyList = Static<typeof AdminKeyListSchema>;
/** `{items: [...]}`, the contract's shape of every unpaged list. */
export type Items<T> = { items: T[] };

export type { CreateWebhookBody, WebhookView, CreatedWebhook, WebhookDelivery } from '../../../libs/contracts/schemas/webhooks';
export type { RevocationSnapshot } from '../../../libs/contracts/schemas/events';

// Media platforms (contract §4, §3.1): the platforms of the claim profiles and their credentials.
export type { MediaPlatform, ClaimProfile } from '../../../libs/contracts/profiles';
import type { PutMediaPlatformBody } from '../../../libs/contracts/schemas/admin';
export type MediaPlatformCredentials = PutMediaPlatformBody;

// OAuth 2.0 endpoints and the login-challenge API (contract §4): the form parameters as the
// contract's schemas name them (the SDK's OAuth calls build these), and the answers.
export type {
  TokenEndpointResult,
  IntrospectionResult,
  LoginRequestView,
  AcceptLoginRequestBody,
  RejectLoginRequestBody,
  LoginRequestRedirect,
  TokenRequest,
  IntrospectionRequest,
  RevocationRequest,
} from '../../../libs/contracts/schemas/oauth';
/** RFC 8693 `subject_token_type` values roomkey takes. */
export type { SubjectTokenType } from '../../../libs/contracts/oauth';
