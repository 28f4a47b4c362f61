/**
 * Guests, anonymous viewers and invites (contract §3–5): the public subjects
 * `roomkey.v1.guests.create` and `roomkey.v1.anonymous.create`, and the identity service's internal
 * invite subjects, each described by the schemas in `schemas/identity.ts`. The identity service
 * answers all of them; the gateway only routes.
 */
import { ApiCallerSchema } from './caller';
import type { Role } from './roles';
import { Type, type Static } from './schema';
import {
  AnonymousResultSchema,
  CreateAnonymousBodySchema,
  CreatedInviteSchema,
  CreateGuestBodySchema,
  CreateInviteBodySchema,
  GuestResultSchema,
  RedeemInviteBodySchema,
} from './schemas/identity';
import { repeatable, schemaRoute } from './subjects';

/** The role of a guest token and the highest role an invite may hand out. */
export const GUEST_ROLE: Role = 'GUEST';
/** The role of an anonymous viewer's token. */
export const ANONYMOUS_ROLE: Role = 'VIEWER';

/**
 * Who creates an invite: the Bearer access token the gateway forwards (it must hold guests:invite).
 * Absent when the caller sent none, so the identity service answers 401 itself.
 */
export const InviterCallerSchema = Type.Object({ accessToken: Type.Optional(Type.String({ description: "The inviter's Bearer access token" })) });
export type InviterCaller = Static<typeof InviterCallerSchema>;

/** Internal: the inviter's token beside the body (absent when the caller sent none: then `{}`). */
export const CreateInviteRequestSchema = Type.Composite([InviterCallerSchema, Type.Object({ body: Type.Optional(CreateInviteBodySchema) })]);
/** Internal: the code from the path and the body (absent when the caller sent none). */
export const RedeemInviteRequestSchema = Type.Object({
  code: Type.String({ description: 'The invite code from the path; one that cannot exist is 404' }),
  body: Type.Optional(RedeemInviteBodySchema),
});
export type RedeemInviteRequest = Static<typeof RedeemInviteRequestSchema>;

/**
 * A public request on the wire: the body's fields and, beside them, the caller's credentials
 * (contract §5), which the handler splits off before validating the body (caller.ts). The unknown
 * field sentence lists both, as a NATS caller may send both.
 */
const withCaller = <P extends typeof CreateGuestBodySchema | typeof CreateAnonymousBodySchema>(body: P) =>
  Type.Composite([body, ApiCallerSchema], { additionalProperties: false, title: body.title });

/** Public NATS API (contract §5) answered by the identity service. */
export const IdentityPublicRoutes = {
  createGuest: repeatable(schemaRoute('roomkey.v1.guests.create', 'identity', withCaller(CreateGuestBodySchema), GuestResultSchema)),
  createAnonymous: repeatable(schemaRoute('roomkey.v1.anonymous.create', 'identity', withCaller(CreateAnonymousBodySchema), AnonymousResultSchema)),
} as const;

/** Internal identity subjects (the gateway's `/v1/invites` routes). */
export const IdentityRoutes = {
  createInvite: schemaRoute('roomkey.internal.identity.invites.create', 'identity', CreateInviteRequestSchema, CreatedInviteSchema),
  redeemInvite: schemaRoute('roomkey.internal.identity.invites.redeem', 'identity', RedeemInviteRequestSchema, GuestResultSchema),
} as const;
