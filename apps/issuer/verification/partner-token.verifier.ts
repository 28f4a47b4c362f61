import { Inject, Injectable } from '@nestjs/common';
import {
  CLOCK_TOLERANCE_SECONDS,
  PERMISSIONS,
  ROOM_ID_PATTERN,
  VIDEOSDK_PERMISSIONS,
  type PartnerTokenClaims,
  type Permission,
  type VideoSdkPermission, assertTokenShape } from '@roomkey/contracts';
import type { SecretBox } from '@roomkey/crypto';
import { InvalidTokenError } from '@roomkey/errors';
import { decodeJwt, jwtVerify } from 'jose';
import { CredentialCache } from '../authentication/credential-cache';
import { CLOCK, SECRET_BOX, type Clock } from '../ports';
import type { RequestContext } from '@roomkey/nats';

const PARTNER_ROLES = ['crawler', 'rtc'];
/** What any valid partner token may do: see the room (a VIEWER's permissions). */
const BASELINE: readonly Permission[] = ['live:read', 'layout:read'];
const encoder = new TextEncoder();

const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

/**
 * Partner-signed tokens (VideoSDK style): HS256 with the secret of the API key the `apikey` claim
 * names, which must belong to the caller's tenant. Their `permissions` map onto roomkey's
 * (allow_join → webrtc:join, allow_mod → layout:write + live:write, ask_join → join pending approval).
 */
@Injectable()
export class PartnerTokenVerifier {
  constructor(
    private readonly credentials: CredentialCache,
    @Inject(SECRET_BOX) private readonly secretBox: SecretBox,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async verify(tenant: string, token: string, context: RequestContext): Promise<PartnerTokenClaims> {
    assertTokenShape(token);
    let apiKey: unknown;
    try {
      apiKey = decodeJwt(token).apikey;
    } catch {
      throw new InvalidTokenError('malformed');
    }
    if (typeof apiKey !== 'string') throw new InvalidTokenError('no apikey claim');
    const credential = await this.credentials.lookup(apiKey, context).catch(() => {
      throw new InvalidTokenError('unknown or revoked apikey');
    });
    if (credential.tenant !== tenant) throw new InvalidTokenError('apikey of another tenant');
    const secret = this.secretBox.open(credential.secretCiphertext, credential.apiKey);
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, encoder.encode(secret), {
        algorithms: ['HS256'],
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        currentDate: new Date(this.clock.now()),
        requiredClaims: ['exp'],
      }));
    } catch {
      throw new InvalidTokenError('signature or time claims');
    }
    const { permissions, version, roomId, participantId, roles } = payload;
    if (!isStringArray(permissions) || permissions.length === 0 || !permissions.every((p) => p in VIDEOSDK_PERMISSIONS)) {
      throw new InvalidTokenError('permissions');
    }
    if (version !== undefined && !(typeof version === 'number' && Number.isInteger(version) && version >= 1)) throw new InvalidTokenError('version');
    if (roomId !== undefined && !(typeof roomId === 'string' && ROOM_ID_PATTERN.test(roomId))) throw new InvalidTokenError('roomId');
    if (participantId !== undefined && !(typeof participantId === 'string' && participantId.length > 0 && participantId.length <= 255)) {
      throw new InvalidTokenError('participantId');
    }
    if (roles !== undefined && !(isStringArray(roles) && roles.every((r) => PARTNER_ROLES.includes(r)))) throw new InvalidTokenError('roles');

    const granted = new Set<Permission>([...BASELINE, ...permissions.flatMap((p) => VIDEOSDK_PERMISSIONS[p as VideoSdkPermission])]);
    return {
      ...payload,
      apikey: credential.apiKey,
      tid: tenant,
      env: credential.environment,
      kind: 'partner',
      perms: PERMISSIONS.filter((p) => granted.has(p)),
      ...(typeof roomId === 'string' ? { rooms: [roomId] } : {}),
      ...(permissions.includes('ask_join') && !permissions.includes('allow_join') ? { join_approval: 'required' } : {}),
    };
  }
}
