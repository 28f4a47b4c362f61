/**
 * @roomkey/sdk (contract §8): RoomkeyClient, TokenProvider, RoomkeyVerifier, verifyWebhook.
 * The browser-safe part alone is `@roomkey/sdk/token-provider`.
 */
export { RoomkeyClient, RoomkeyAdmin, RoomkeyOAuth, type RoomkeyClientOptions, type VerifiedToken, type LoginRequests } from './client';
export type {
  OAuthClientAuth,
  ConfidentialClientAuth,
  ClientCredentialsOptions,
  RefreshOptions,
  AuthorizationCodeOptions,
  TokenExchangeOptions,
  IntrospectOptions,
  RevokeOptions,
} from './client';
export { TokenProvider, expiryOf, type TokenProviderOptions, type TokenLoader } from './token-provider';
export { RoomkeyVerifier, type RoomkeyVerifierOptions, type RoomkeyVerifierStatus, type VerifiedClaims } from './verifier';
export { verifyWebhook, signWebhook, INVALID_SIGNATURE, type WebhookHeaders, type WebhookVerifyOptions } from './webhooks';
export { RoomkeyError, isRoomkeyError, NOT_SUPPORTED, UNAVAILABLE } from './errors';
export type { NatsConnectionLike, NatsMessageLike } from './nats';
export type * from './contract-types';
