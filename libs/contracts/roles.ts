/**
 * Roles and permissions (contract §2): the one definition every service uses.
 */
export const PERMISSIONS = [
  'live:read',
  'layout:read',
  'webrtc:join',
  'layout:write',
  'webrtc:start',
  'live:write',
  'guests:invite',
  'broadcast:manage',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** Highest first: HOST > COHOST > CONTRIBUTOR > GUEST > VIEWER. */
export const ROLES = ['HOST', 'COHOST', 'CONTRIBUTOR', 'GUEST', 'VIEWER'] as const;
export type Role = (typeof ROLES)[number];

export type RoleMatrix = Readonly<Record<Role, readonly Permission[]>>;

const grant = (...permissions: Permission[]): readonly Permission[] => Object.freeze(permissions);

export const DEFAULT_ROLE_MATRIX: RoleMatrix = Object.freeze({
  HOST: grant(...PERMISSIONS),
  COHOST: grant('live:read', 'layout:read', 'webrtc:join', 'layout:write', 'webrtc:start', 'live:write', 'guests:invite'),
  CONTRIBUTOR: grant('live:read', 'layout:read', 'webrtc:join', 'layout:write', 'webrtc:start'),
  GUEST: grant('live:read', 'layout:read', 'webrtc:join'),
  VIEWER: grant('live:read', 'layout:read'),
});

/** Permissions a development API key may never hand out (contract §3). */
export const PRODUCTION_ONLY_PERMISSIONS: readonly Permission[] = ['broadcast:manage'];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export function isPermission(value: unknown): value is Permission {
  return typeof value === 'string' && (PERMISSIONS as readonly string[]).includes(value);
}

/** 0 for HOST, growing as the role gets weaker. */
export function roleRank(role: Role): number {
  return ROLES.indexOf(role);
}

/** True when `role` is `ceiling` or below it. */
export function isRoleAtMost(role: Role, ceiling: Role): boolean {
  return roleRank(role) >= roleRank(ceiling);
}

/** The role's permissions in matrix order, less what the key's environment may not grant. */
export function permissionsFor(
  role: Role,
  environment: 'production' | 'development',
  matrix: RoleMatrix = DEFAULT_ROLE_MATRIX,
): Permission[] {
  const granted = matrix[role];
  return PERMISSIONS.filter(
    (p) => granted.includes(p) && (environment === 'production' || !PRODUCTION_ONLY_PERMISSIONS.includes(p)),
  );
}

/** VideoSDK-style permissions mapped onto roomkey's (contract §2). */
export const VIDEOSDK_PERMISSIONS = {
  allow_join: ['webrtc:join'],
  ask_join: [],
  allow_mod: ['layout:write', 'live:write'],
} as const satisfies Record<string, readonly Permission[]>;
export type VideoSdkPermission = keyof typeof VIDEOSDK_PERMISSIONS;

export type RoleMatrixOverride = Partial<Record<Role, readonly Permission[]>>;

/** The default matrix with a tenant's overrides applied (roles it does not override keep theirs). */
export function effectiveRoleMatrix(override: RoleMatrixOverride | null | undefined): RoleMatrix {
  if (!override) return DEFAULT_ROLE_MATRIX;
  const matrix = { ...DEFAULT_ROLE_MATRIX } as Record<Role, readonly Permission[]>;
  for (const role of ROLES) {
    const permissions = override[role];
    if (permissions) matrix[role] = Object.freeze(PERMISSIONS.filter((p) => permissions.includes(p)));
  }
  return Object.freeze(matrix);
}

/** Distinct role matrices kept by `internRoleMatrix`; past this, matrices are canonicalized but not shared. */
const MAX_INTERNED_MATRICES = 1000;
const internedMatrices = new Map<string, RoleMatrix>([[JSON.stringify(DEFAULT_ROLE_MATRIX), DEFAULT_ROLE_MATRIX]]);

/**
 * One shared, frozen instance per distinct matrix, with the permission strings of `PERMISSIONS`
 * itself. A matrix that arrives as JSON (each tenant's view from the keys service) otherwise holds
 * its own copy of every permission string and array: with 10,000 tenants, most on the default
 * matrix, that was ~15 MB of the issuer's heap (npm run bench, heap snapshot).
 */
export function internRoleMatrix(matrix: RoleMatrix): RoleMatrix {
  // A whole matrix is an override of every role: this gives it in matrix order, frozen.
  const canonical = effectiveRoleMatrix(matrix);
  const key = JSON.stringify(canonical);
  const known = internedMatrices.get(key);
  if (known) return known;
  if (internedMatrices.size < MAX_INTERNED_MATRICES) internedMatrices.set(key, canonical);
  return canonical;
}
