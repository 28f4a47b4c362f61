/**
 * Claim profiles (contract §3.1): one roomkey token, rendered in the shape a media platform's own
 * servers verify (LiveKit, GetStream Video, VideoSDK). The issuer builds the roomkey claims as for
 * any token (role, the tenant's matrix, the key's environment, rooms, lifetime, jti) and then turns
 * them into the platform's claims here, by ONE table from roomkey permissions to each platform's
 * grants. The result is signed HS256 with the tenant's stored secret for that platform.
 */
import { InvalidRequestError } from '@roomkey/errors';
import type { AccessTokenClaims } from './claims';
import type { Permission } from './roles';

export const MEDIA_PLATFORMS = ['livekit', 'getstream', 'videosdk'] as const;
export type MediaPlatform = (typeof MEDIA_PLATFORMS)[number];

/** `roomkey` (the default): roomkey's own access token; the others: that platform's token shape. */
export const CLAIM_PROFILES = ['roomkey', ...MEDIA_PLATFORMS] as const;
export type ClaimProfile = (typeof CLAIM_PROFILES)[number];
export const DEFAULT_CLAIM_PROFILE: ClaimProfile = 'roomkey';

export const PLATFORM_NAMES: Readonly<Record<MediaPlatform, string>> = { livekit: 'LiveKit', getstream: 'GetStream', videosdk: 'VideoSDK' };

export function isMediaPlatform(value: unknown): value is MediaPlatform {
  return typeof value === 'string' && (MEDIA_PLATFORMS as readonly string[]).includes(value);
}

/** What a sealed platform secret is bound to (associated data): it cannot be moved to another tenant or platform. */
export const mediaPlatformSecretContext = (tenant: string, platform: MediaPlatform) => `${tenant}:${platform}`;

/** What the issuer holds of a tenant's platform (the secret signs; only the key reaches a token). */
export interface MediaPlatformKey {
  apiKey: string;
}

/**
 * A grant of the platform, given when the token holds EVERY permission listed (`all`), and — for
 * rights a development API key may never hand out, like broadcast:manage — only from a production key.
 */
interface GrantRule {
  all: readonly Permission[];
  productionOnly?: boolean;
}

/**
 * THE mapping table (README "Claim profiles"). LiveKit: one boolean per `video` grant. GetStream:
 * the first call role whose rule holds, highest first. VideoSDK: each permission whose rule holds.
 */
export const PROFILE_GRANTS = {
  livekit: {
    roomJoin: { all: ['live:read'] },
    canSubscribe: { all: ['live:read'] },
    canPublish: { all: ['webrtc:join'] },
    canPublishData: { all: ['webrtc:join'] },
    canUpdateOwnMetadata: { all: ['webrtc:join'] },
    roomAdmin: { all: ['live:write'], productionOnly: true },
    roomRecord: { all: ['broadcast:manage'], productionOnly: true },
    ingressAdmin: { all: ['broadcast:manage'], productionOnly: true },
  },
  getstream: {
    admin: { all: ['broadcast:manage'], productionOnly: true },
    host: { all: ['live:write'] },
    user: { all: ['webrtc:join'] },
    viewer: { all: ['live:read'] },
  },
  videosdk: {
    allow_join: { all: ['webrtc:join'] },
    allow_mod: { all: ['layout:write', 'live:write'] },
  },
} as const satisfies Record<MediaPlatform, Record<string, GrantRule>>;

export type LiveKitVideoGrant = { room?: string } & { [K in keyof typeof PROFILE_GRANTS.livekit]: boolean };

function holds(rule: GrantRule, perms: readonly Permission[], claims: AccessTokenClaims): boolean {
  return rule.all.every((p) => perms.includes(p)) && (!rule.productionOnly || (claims.env ?? 'production') === 'production');
}

function inexpressible(claims: AccessTokenClaims, platform: MediaPlatform): InvalidRequestError {
  const what = claims.role ? `role '${claims.role}'` : 'a token without a role';
  return new InvalidRequestError(
    `Profile '${platform}' cannot express ${what}: ${PLATFORM_NAMES[platform]} needs at least live:read, which the tenant's role matrix does not grant it`,
    'role',
  );
}

/** LiveKit and VideoSDK name one room: several are refused (400 naming `rooms`); none leaves the room open. */
function singleRoom(claims: AccessTokenClaims, platform: MediaPlatform): string | undefined {
  const rooms = claims.rooms;
  if (rooms && rooms.length > 1) {
    throw new InvalidRequestError(`Field 'rooms' must name one room for profile '${platform}': a ${PLATFORM_NAMES[platform]} token is good for one room`, 'rooms');
  }
  return rooms?.[0];
}

/** The participant's identity on the platform: the user id, or `anon-{anon_id}` so anonymous viewers never share one. */
function participantIdentity(claims: AccessTokenClaims): string {
  return claims.kind === 'anonymous' && claims.anon_id ? `anon-${claims.anon_id}` : claims.sub;
}

/** GetStream calls: `default:{room}` (the `default` call type) for each room. */
export const GETSTREAM_CALL_TYPE = 'default';

/**
 * The platform's claims for a roomkey token's claims. `jti`, `exp` and the issue time are the roomkey
 * token's, so revocation, audit and the iat cut-offs apply to the profile token as to the roomkey one.
 */
export function profileClaims(platform: MediaPlatform, claims: AccessTokenClaims, key: MediaPlatformKey): Record<string, unknown> {
  const perms = claims.perms ?? [];
  if (!perms.includes('live:read')) throw inexpressible(claims, platform);
  const { iat, exp, jti } = claims;
  switch (platform) {
    case 'livekit': {
      const room = singleRoom(claims, platform);
      const video = Object.fromEntries(Object.entries(PROFILE_GRANTS.livekit).map(([grant, rule]) => [grant, holds(rule, perms, claims)])) as unknown as LiveKitVideoGrant;
      return {
        iss: key.apiKey,
        sub: participantIdentity(claims),
        ...(claims.name !== undefined ? { name: claims.name } : {}),
        // LiveKit carries metadata as a string; roomkey's is a JSON object.
        ...(claims.metadata !== undefined ? { metadata: JSON.stringify(claims.metadata) } : {}),
        video: { ...(room !== undefined ? { room } : {}), ...video },
        nbf: iat,
        iat,
        exp,
        jti,
      };
    }
    case 'getstream': {
      const role = (Object.entries(PROFILE_GRANTS.getstream) as [string, GrantRule][]).find(([, rule]) => holds(rule, perms, claims))![0];
      return {
        user_id: claims.kind === 'anonymous' ? '!anon' : claims.sub,
        role,
        ...(claims.rooms ? { call_cids: claims.rooms.map((room) => `${GETSTREAM_CALL_TYPE}:${room}`) } : {}),
        iat,
        exp,
        jti,
      };
    }
    case 'videosdk': {
      const roomId = singleRoom(claims, platform);
      const permissions = (Object.entries(PROFILE_GRANTS.videosdk) as [string, GrantRule][]).filter(([, rule]) => holds(rule, perms, claims)).map(([p]) => p);
      // A role without webrtc:join (a viewer, or guests of a tenant whose matrix withholds it so that a host admits them) asks to join.
      if (!permissions.includes('allow_join')) permissions.unshift('ask_join');
      return {
        apikey: key.apiKey,
        permissions,
        version: 2,
        ...(roomId !== undefined ? { roomId } : {}),
        participantId: participantIdentity(claims),
        roles: ['rtc'],
        iat,
        exp,
        jti,
      };
    }
  }
}

/**
 * Which platform's shape a decoded HS256 payload has, given the tenant's platform keys: LiveKit
 * (`video`, `iss` = its key), VideoSDK (`apikey` = its key) or GetStream (`user_id`). Undefined: none.
 */
export function profileOfPayload(payload: Record<string, unknown>, keys: ReadonlyMap<MediaPlatform, MediaPlatformKey>): MediaPlatform | undefined {
  if (typeof payload.video === 'object' && payload.video !== null && keys.get('livekit')?.apiKey === payload.iss) return 'livekit';
  if (typeof payload.apikey === 'string' && keys.get('videosdk')?.apiKey === payload.apikey) return 'videosdk';
  if (typeof payload.user_id === 'string' && keys.has('getstream')) return 'getstream';
  return undefined;
}

/** The participant a profile token stands for (the user id, for the per-user revocation cut-offs). */
export function profileSubject(platform: MediaPlatform, payload: Record<string, unknown>): string | undefined {
  const value = platform === 'livekit' ? payload.sub : platform === 'getstream' ? payload.user_id : payload.participantId;
  return typeof value === 'string' ? value : undefined;
}

/** A verified profile token as `/v1/tokens/verify` and introspection report it: the platform's claims, plus the tenant and profile. */
export interface ProfileTokenClaims extends Record<string, unknown> {
  profile: MediaPlatform;
  tid: string;
  jti: string;
  iat: number;
  exp: number;
}
