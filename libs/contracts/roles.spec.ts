import {
  DEFAULT_ROLE_MATRIX,
  PERMISSIONS,
  PRODUCTION_ONLY_PERMISSIONS,
  ROLES,
  VIDEOSDK_PERMISSIONS,
  internRoleMatrix,
  isPermission,
  isRole,
  isRoleAtMost,
  permissionsFor,
  roleRank,
  type Permission,
  type Role,
  type RoleMatrix,
} from './roles';

/** Contract §2, transcribed column by column (✓ = true). */
const COLUMNS: Permission[] = [
  'live:read',
  'layout:read',
  'webrtc:join',
  'layout:write',
  'webrtc:start',
  'live:write',
  'guests:invite',
  'broadcast:manage',
];
const TABLE: Record<Role, boolean[]> = {
  HOST: [true, true, true, true, true, true, true, true],
  COHOST: [true, true, true, true, true, true, true, false],
  CONTRIBUTOR: [true, true, true, true, true, false, false, false],
  GUEST: [true, true, true, false, false, false, false, false],
  VIEWER: [true, true, false, false, false, false, false, false],
};
const expected = (role: Role): Permission[] => COLUMNS.filter((_, i) => TABLE[role][i]);

describe('roles and permissions (contract §2)', () => {
  it('knows exactly the eight permissions of the contract, in table order', () => {
    expect([...PERMISSIONS]).toEqual(COLUMNS);
  });

  it('knows exactly the five roles, highest first', () => {
    expect([...ROLES]).toEqual(['HOST', 'COHOST', 'CONTRIBUTOR', 'GUEST', 'VIEWER']);
  });

  describe.each(ROLES)('%s', (role) => {
    it('has exactly the permissions of its row in the default matrix', () => {
      expect([...DEFAULT_ROLE_MATRIX[role]]).toEqual(expected(role));
    });

    it.each(COLUMNS.map((p, i) => [p, i] as const))('%s is granted only if the table says so (production)', (permission, i) => {
      expect(permissionsFor(role, 'production').includes(permission)).toBe(TABLE[role][i]);
    });

    it('permissionsFor(production) returns the full row in matrix order', () => {
      expect(permissionsFor(role, 'production')).toEqual(expected(role));
    });

    it('permissionsFor(development) strips broadcast:manage and nothing else', () => {
      expect(permissionsFor(role, 'development')).toEqual(expected(role).filter((p) => p !== 'broadcast:manage'));
    });
  });

  it('a development HOST has every HOST permission except broadcast:manage', () => {
    const dev = permissionsFor('HOST', 'development');
    expect(dev).not.toContain('broadcast:manage');
    expect(dev).toEqual(['live:read', 'layout:read', 'webrtc:join', 'layout:write', 'webrtc:start', 'live:write', 'guests:invite']);
    expect(PRODUCTION_ONLY_PERMISSIONS).toEqual(['broadcast:manage']);
  });

  it('permissionsFor returns a fresh array (callers cannot mutate the matrix through it)', () => {
    const first = permissionsFor('GUEST', 'production');
    first.push('broadcast:manage');
    expect(permissionsFor('GUEST', 'production')).toEqual(expected('GUEST'));
  });

  it('permissionsFor honours a tenant matrix override and still filters by environment, in canonical order', () => {
    const custom: RoleMatrix = { ...DEFAULT_ROLE_MATRIX, VIEWER: ['broadcast:manage', 'live:read'] };
    expect(permissionsFor('VIEWER', 'production', custom)).toEqual(['live:read', 'broadcast:manage']);
    expect(permissionsFor('VIEWER', 'development', custom)).toEqual(['live:read']);
  });

  describe('role order HOST > COHOST > CONTRIBUTOR > GUEST > VIEWER', () => {
    it('roleRank is 0 for HOST and grows as roles weaken', () => {
      expect(ROLES.map(roleRank)).toEqual([0, 1, 2, 3, 4]);
      expect(roleRank('HOST')).toBe(0);
      expect(roleRank('VIEWER')).toBe(4);
    });

    it.each(ROLES.flatMap((role, i) => ROLES.map((ceiling, j) => [role, ceiling, i >= j] as const)))(
      'isRoleAtMost(%s, %s) is %s',
      (role, ceiling, result) => {
        expect(isRoleAtMost(role, ceiling)).toBe(result);
      },
    );
  });

  it('isRole / isPermission accept only known names', () => {
    for (const role of ROLES) expect(isRole(role)).toBe(true);
    for (const value of ['host', 'ADMIN', '', 1, null, undefined, {}]) expect(isRole(value)).toBe(false);
    for (const permission of PERMISSIONS) expect(isPermission(permission)).toBe(true);
    for (const value of ['live', 'LIVE:READ', 'broadcast:Manage', 2, null]) expect(isPermission(value)).toBe(false);
  });

  it('maps VideoSDK permissions onto roomkey permissions', () => {
    expect(VIDEOSDK_PERMISSIONS).toEqual({
      allow_join: ['webrtc:join'],
      ask_join: [],
      allow_mod: ['layout:write', 'live:write'],
    });
    for (const mapped of Object.values(VIDEOSDK_PERMISSIONS)) {
      for (const permission of mapped) expect(isPermission(permission)).toBe(true);
    }
  });
});

describe('internRoleMatrix', () => {
  const fromJson = (matrix: RoleMatrix): RoleMatrix => JSON.parse(JSON.stringify(matrix)) as RoleMatrix;

  it('answers the default matrix itself for a copy of it', () => {
    expect(internRoleMatrix(fromJson(DEFAULT_ROLE_MATRIX))).toBe(DEFAULT_ROLE_MATRIX);
  });

  it('shares one frozen instance between equal matrices, in matrix order', () => {
    const custom = { ...fromJson(DEFAULT_ROLE_MATRIX), VIEWER: ['layout:read', 'live:read', 'webrtc:join'] } as RoleMatrix;
    const first = internRoleMatrix(custom);
    const second = internRoleMatrix(fromJson({ ...custom, VIEWER: ['webrtc:join', 'live:read', 'layout:read'] }));
    expect(second).toBe(first);
    expect(first.VIEWER).toEqual(['live:read', 'layout:read', 'webrtc:join']);
    expect(Object.isFrozen(first) && Object.isFrozen(first.VIEWER)).toBe(true);
    // The permission strings are PERMISSIONS' own, not the JSON's copies.
    expect(first.VIEWER.every((p) => PERMISSIONS.includes(p))).toBe(true);
  });

  it('keeps a matrix apart from the default when only its sets differ, not its sizes', () => {
    const swapped = { ...fromJson(DEFAULT_ROLE_MATRIX), VIEWER: ['live:read', 'webrtc:join'] } as RoleMatrix;
    const interned = internRoleMatrix(swapped);
    expect(interned).not.toBe(DEFAULT_ROLE_MATRIX);
    expect(permissionsFor('VIEWER', 'production', interned)).toEqual(['live:read', 'webrtc:join']);
  });
});
