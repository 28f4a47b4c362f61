/**
 * Guests, anonymous viewers and invites (contract §4): one schema per body and answer. Limits that
 * depend on who asks (a development key's rooms and lifetime, an invite within its inviter's role,
 * rooms and lifetime, the reserved `!anon`) are checked by the identity service after validation.
 */
import { MAX_ROOMS, MAX_TOKEN_LIFETIME_SECONDS } from '../lifetimes';
import { ROLES } from '../roles';
import { RequestBody, Type, type Static } from '../schema';
import { ROOM_ID_PATTERN } from '../validation';
import { MetadataField, ProfileAnswer, ProfileField } from './tokens';

/** An invite may be redeemed this many times at most; without `maxUses` it is good for one redemption. */
export const INVITE_MAX_USES = 1000;
export const INVITE_DEFAULT_MAX_USES = 1;

const Rooms = (description: string) =>
  Type.Array(Type.String({ pattern: ROOM_ID_PATTERN.source }), {
    minItems: 1,
    maxItems: MAX_ROOMS,
    description,
    errorMessage: `must name 1–${MAX_ROOMS} rooms, each an id of 1–128 characters from A–Z, a–z, 0–9 and . _ : -`,
  });

const DisplayText = (description: string) =>
  Type.String({ format: 'text-255', description, errorMessage: 'must be 1–255 characters long, without control characters' });

const TtlSeconds = (description: string) =>
  Type.Integer({
    minimum: 1,
    maximum: MAX_TOKEN_LIFETIME_SECONDS,
    description,
    errorMessage: `must be a whole number of seconds from 1 to ${MAX_TOKEN_LIFETIME_SECONDS}`,
  });

export const CreateGuestBodySchema = RequestBody(
  {
    userId: Type.Optional(
      Type.String({
        format: 'text-255',
        description: "The partner's user id; made unique (e.g. `alice-7f3k2q9a`). `!anon` is reserved",
        errorMessage: 'must be 1–255 characters long, without control characters',
      }),
    ),
    name: Type.Optional(DisplayText('Display name carried in the token')),
    image: Type.Optional(DisplayText('Image URL carried in the token')),
    rooms: Type.Optional(Rooms('Rooms the token is good for; required (1–10) from a development API key; absent: every room')),
    ttlSeconds: Type.Optional(TtlSeconds('Token lifetime; default 3600, at most 3600 from a development API key')),
    metadata: MetadataField(),
    profile: ProfileField(),
  },
  { title: 'CreateGuestBody' },
);
export type CreateGuestBody = Static<typeof CreateGuestBodySchema>;

export const GuestUserSchema = Type.Object(
  {
    id: Type.String({ description: 'Made unique from the requested id; never equal to it' }),
    name: Type.Union([Type.String(), Type.Null()]),
    image: Type.Union([Type.String(), Type.Null()]),
    kind: Type.Literal('guest'),
  },
  { title: 'GuestUser' },
);
export type GuestUser = Static<typeof GuestUserSchema>;

/** The answer of `/v1/guests`, `roomkey.v1.guests.create` and an invite's redemption. */
export const GuestResultSchema = Type.Object(
  {
    user: GuestUserSchema,
    accessToken: Type.String(),
    expiresIn: Type.Integer({ description: 'Seconds until the token expires' }),
    profile: ProfileAnswer(),
  },
  { title: 'GuestResult' },
);
export type GuestResult = Static<typeof GuestResultSchema>;

export const CreateAnonymousBodySchema = RequestBody(
  {
    rooms: Rooms('Rooms the viewer may watch (1–10 from a development API key)'),
    ttlSeconds: Type.Optional(TtlSeconds('Token lifetime; default 3600, at most 3600 from a development API key')),
    profile: ProfileField(),
  },
  { title: 'CreateAnonymousBody' },
);
export type CreateAnonymousBody = Static<typeof CreateAnonymousBodySchema>;

export const AnonymousResultSchema = Type.Object(
  {
    accessToken: Type.String(),
    expiresIn: Type.Integer({ description: 'Seconds until the token expires' }),
    profile: ProfileAnswer(),
  },
  { title: 'AnonymousResult' },
);
export type AnonymousResult = Static<typeof AnonymousResultSchema>;

export const CreateInviteBodySchema = RequestBody(
  {
    role: Type.Union(
      ROLES.map((role) => Type.Literal(role)),
      { description: "The invited guest's role: GUEST or lower, and never above the inviter's" },
    ),
    rooms: Type.Optional(Rooms("A subset of the inviter's rooms; absent: the inviter's rooms")),
    ttlSeconds: Type.Optional(TtlSeconds("The invite's lifetime; default 86400, never past the inviter's token")),
    maxUses: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: INVITE_MAX_USES,
        description: 'Redemptions allowed; default 1',
        errorMessage: `must be a whole number from 1 to ${INVITE_MAX_USES}`,
      }),
    ),
  },
  { title: 'CreateInviteBody' },
);
export type CreateInviteBody = Static<typeof CreateInviteBodySchema>;

export const CreatedInviteSchema = Type.Object(
  {
    inviteCode: Type.String({ description: 'Shown once; whoever holds it may redeem the invite' }),
    expiresAt: Type.String({ description: 'ISO 8601 UTC' }),
  },
  { title: 'CreatedInvite' },
);
export type CreatedInvite = Static<typeof CreatedInviteSchema>;

export const RedeemInviteBodySchema = RequestBody(
  { name: Type.Optional(DisplayText("The guest's display name")), profile: ProfileField() },
  { title: 'RedeemInviteBody' },
);
export type RedeemInviteBody = Static<typeof RedeemInviteBodySchema>;
