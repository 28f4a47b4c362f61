import { InvalidRequestError } from '@roomkey/errors';
import {
  ANONYMOUS_SUBJECT,
  MalformedJsonBody,
  readRole,
  readRooms,
  readSeconds,
  readShortcode,
  readUrl,
  readUserId,
  rejectUnknownFields,
  requireObject,
} from './validation';

/** Runs `fn`, expecting an InvalidRequestError naming `field` both in its message and in details.field. */
function expectInvalid(fn: () => unknown, field: string, message?: RegExp): InvalidRequestError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(InvalidRequestError);
  const error = caught as InvalidRequestError;
  expect(error.status).toBe(400);
  expect(error.code).toBe('invalid_request');
  expect(error.message).toContain(`'${field}'`);
  expect(error.details.field).toBe(field);
  if (message) expect(error.message).toMatch(message);
  return error;
}

describe('readUserId', () => {
  it('accepts an ordinary id and returns it unchanged', () => {
    expect(readUserId({ userId: 'alice-42' })).toBe('alice-42');
    expect(readUserId({ uid: 'bob' }, 'uid')).toBe('bob');
  });

  it('requires the field', () => {
    expectInvalid(() => readUserId({}), 'userId', /required/);
    expectInvalid(() => readUserId({ userId: null }), 'userId', /required/);
  });

  it('rejects the empty string', () => {
    expectInvalid(() => readUserId({ userId: '' }), 'userId', /1–255/);
  });

  it('accepts 255 code points and rejects 256, counting ASCII characters', () => {
    expect(readUserId({ userId: 'a'.repeat(255) })).toHaveLength(255);
    expectInvalid(() => readUserId({ userId: 'a'.repeat(256) }), 'userId', /1–255/);
  });

  it('counts an emoji (two UTF-16 units) as one code point', () => {
    const emoji255 = '😀'.repeat(255);
    expect(emoji255.length).toBe(510);
    expect(readUserId({ userId: emoji255 })).toBe(emoji255);
    expectInvalid(() => readUserId({ userId: '😀'.repeat(256) }), 'userId', /1–255/);
    // 254 ASCII + one emoji = 255 code points, 256 UTF-16 units
    expect(readUserId({ userId: `${'a'.repeat(254)}😀` })).toHaveLength(256);
  });

  it.each([
    ['U+0000', '\u0000'],
    ['U+001F', '\u001f'],
    ['U+007F', '\u007f'],
    ['U+0085', '\u0085'],
    ['LF', '\n'],
    ['TAB', '\t'],
  ])('rejects the control character %s', (_label, control) => {
    expectInvalid(() => readUserId({ userId: `ab${control}cd` }), 'userId', /control characters/);
  });

  it.each([
    ['lone high surrogate', 'ab\ud800cd'],
    ['lone low surrogate', '\udc00'],
    ['reversed pair', '\ude00\ud83d'],
  ])('rejects a %s', (_label, value) => {
    expectInvalid(() => readUserId({ userId: value }), 'userId');
  });

  it('accepts non-ASCII printable text (letters, CJK, combining marks)', () => {
    for (const value of ['zoë', '山田太郎', 'e\u0301', 'a b']) expect(readUserId({ userId: value })).toBe(value);
  });

  it(`reserves '${ANONYMOUS_SUBJECT}' for anonymous tokens`, () => {
    expect(ANONYMOUS_SUBJECT).toBe('!anon');
    expectInvalid(() => readUserId({ userId: '!anon' }), 'userId', /!anon/);
    expect(readUserId({ userId: '!anon2' })).toBe('!anon2');
  });

  it.each([42, true, ['alice'], { id: 'alice' }])('rejects the non-string %p', (value) => {
    expectInvalid(() => readUserId({ userId: value }), 'userId', /must be a string/);
  });
});

describe('readRooms', () => {
  const optional = { required: false, max: 100 };
  const required = { required: true, max: 10 };

  it('returns undefined when optional and absent (or null)', () => {
    expect(readRooms({}, 'rooms', optional)).toBeUndefined();
    expect(readRooms({ rooms: null }, 'rooms', optional)).toBeUndefined();
  });

  it('throws when required and absent, naming the field and the maximum', () => {
    expectInvalid(() => readRooms({}, 'rooms', required), 'rooms', /required.*1–10/);
  });

  it('rejects an empty array, even when optional', () => {
    expectInvalid(() => readRooms({ rooms: [] }, 'rooms', optional), 'rooms', /1–100/);
    expectInvalid(() => readRooms({ rooms: [] }, 'rooms', required), 'rooms', /1–10/);
  });

  it('accepts exactly max rooms and rejects max + 1', () => {
    const ten = Array.from({ length: 10 }, (_, i) => `room-${i}`);
    expect(readRooms({ rooms: ten }, 'rooms', required)).toEqual(ten);
    expectInvalid(() => readRooms({ rooms: [...ten, 'room-10'] }, 'rooms', required), 'rooms', /1–10/);
  });

  it('rejects a non-array', () => {
    expectInvalid(() => readRooms({ rooms: 'room-1' }, 'rooms', optional), 'rooms', /array/);
    expectInvalid(() => readRooms({ rooms: { 0: 'a' } }, 'rooms', optional), 'rooms', /array/);
  });

  it.each(['has space', 'slash/room', 'ümlaut', '', 'a\u0000', 'star*', 42, null])('rejects the bad room id %p', (room) => {
    expectInvalid(() => readRooms({ rooms: ['ok', room] }, 'rooms', optional), 'rooms', /room ids/);
  });

  it('accepts every allowed character and 128-character ids, rejects 129', () => {
    const allowed = 'AZaz09._:-';
    expect(readRooms({ rooms: [allowed, 'x'.repeat(128)] }, 'rooms', optional)).toEqual([allowed, 'x'.repeat(128)]);
    expectInvalid(() => readRooms({ rooms: ['x'.repeat(129)] }, 'rooms', optional), 'rooms', /1–128/);
  });

  it('folds duplicates, keeping first-seen order', () => {
    expect(readRooms({ rooms: ['b', 'a', 'b', 'a', 'c'] }, 'rooms', optional)).toEqual(['b', 'a', 'c']);
  });

  it('names the field it was asked to read', () => {
    expectInvalid(() => readRooms({ spaces: [] }, 'spaces', optional), 'spaces');
  });
});

describe('readSeconds', () => {
  it('returns undefined when absent or null', () => {
    expect(readSeconds({}, 'ttlSeconds', 3600)).toBeUndefined();
    expect(readSeconds({ ttlSeconds: null }, 'ttlSeconds', 3600)).toBeUndefined();
  });

  it('accepts 1 and max', () => {
    expect(readSeconds({ ttlSeconds: 1 }, 'ttlSeconds', 3600)).toBe(1);
    expect(readSeconds({ ttlSeconds: 3600 }, 'ttlSeconds', 3600)).toBe(3600);
    expect(readSeconds({ ttlSeconds: 90 }, 'ttlSeconds', 3600)).toBe(90);
  });

  it.each([0, -1, -3600])('rejects %p (below 1)', (value) => {
    expectInvalid(() => readSeconds({ ttlSeconds: value }, 'ttlSeconds', 3600), 'ttlSeconds', /from 1 to 3600/);
  });

  it('rejects over max, with the hint', () => {
    const error = expectInvalid(
      () => readSeconds({ ttlSeconds: 3601 }, 'ttlSeconds', 3600, 'for a development API key'),
      'ttlSeconds',
      /from 1 to 3600/,
    );
    expect(error.message).toContain('for a development API key');
  });

  it.each([1.5, Number.NaN, Number.POSITIVE_INFINITY, '60', true, [60]])('rejects the non-integer %p', (value) => {
    expectInvalid(() => readSeconds({ ttlSeconds: value }, 'ttlSeconds', 3600), 'ttlSeconds', /whole number/);
  });
});

describe('readRole', () => {
  it.each(['HOST', 'COHOST', 'CONTRIBUTOR', 'GUEST', 'VIEWER'])('accepts %s', (role) => {
    expect(readRole({ role })).toBe(role);
  });

  it('requires the field', () => {
    expectInvalid(() => readRole({}), 'role', /required/);
  });

  it.each(['host', 'ADMIN', '', 1, ['HOST']])('rejects %p, listing the roles', (role) => {
    expectInvalid(() => readRole({ role }), 'role', /HOST, COHOST, CONTRIBUTOR, GUEST, VIEWER/);
  });

  it('names a custom field', () => {
    expectInvalid(() => readRole({ inviteRole: 'X' }, 'inviteRole'), 'inviteRole');
  });
});

describe('readShortcode', () => {
  it.each(['ab', 'a1', '0abc', 'acme-video', 'a'.repeat(63), 'a-'])('accepts %p', (value) => {
    expect(readShortcode(value)).toBe(value);
  });

  it.each(['a', 'a'.repeat(64), '-abc', 'Acme', 'acme_video', 'acme.video', 'ac me', '', 42, null, undefined])(
    'rejects %p',
    (value) => {
      expectInvalid(() => readShortcode(value), 'shortcode');
    },
  );

  it('names a custom field', () => {
    expectInvalid(() => readShortcode('X', 'tenant'), 'tenant');
  });
});

describe('readUrl', () => {
  it('returns undefined when absent', () => {
    expect(readUrl({}, 'loginUrl')).toBeUndefined();
  });

  it.each(['https://partner.example/login', 'http://127.0.0.1:3000/x?y=1'])('accepts %p', (value) => {
    expect(readUrl({ loginUrl: value }, 'loginUrl')).toBe(value);
  });

  it.each(['not a url', '/relative/path', 'ftp://example.com/', 'javascript:alert(1)', 'file:///etc/passwd'])(
    'rejects %p',
    (value) => {
      expectInvalid(() => readUrl({ loginUrl: value }, 'loginUrl'), 'loginUrl', /absolute http\(s\) URL/);
    },
  );

  it('rejects non-strings, the empty string and over-long URLs', () => {
    expectInvalid(() => readUrl({ loginUrl: 5 }, 'loginUrl'), 'loginUrl');
    expectInvalid(() => readUrl({ loginUrl: '' }, 'loginUrl'), 'loginUrl');
    expectInvalid(() => readUrl({ loginUrl: `https://e.example/${'a'.repeat(2048)}` }, 'loginUrl'), 'loginUrl');
  });
});

describe('rejectUnknownFields', () => {
  it('passes when every field is allowed (or the body is empty)', () => {
    expect(() => rejectUnknownFields({ a: 1, b: 2 }, ['a', 'b', 'c'])).not.toThrow();
    expect(() => rejectUnknownFields({}, ['a'])).not.toThrow();
  });

  it('names the unknown field and lists the allowed ones', () => {
    const error = expectInvalid(() => rejectUnknownFields({ userId: 'x', room: ['a'] }, ['userId', 'rooms']), 'room');
    expect(error.message).toContain('userId, rooms');
  });
});

describe('requireObject', () => {
  it('returns a plain object as is', () => {
    const body = { a: 1 };
    expect(requireObject(body)).toBe(body);
  });

  it.each([[[]], [null], ['string'], [42], [undefined], [true]])('rejects %p', (value) => {
    let caught: unknown;
    try {
      requireObject(value);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidRequestError);
    expect((caught as Error).message).toBe('Request body must be a JSON object');
  });

  it('accepts an object without a prototype (JSON.parse reviver output, Object.create(null))', () => {
    const bare = Object.create(null) as Record<string, unknown>;
    bare.a = 1;
    expect(requireObject(bare)).toBe(bare);
  });

  it.each([[new Date(0)], [new Map()], [/re/], [new (class Custom {})()]])('rejects the non-plain object %p', (value) => {
    expect(() => requireObject(value)).toThrow(InvalidRequestError);
    expect(() => requireObject(value)).toThrow('Request body must be a JSON object');
  });

  it('says a body that was not valid JSON is not valid JSON', () => {
    expect(() => requireObject(new MalformedJsonBody())).toThrow(InvalidRequestError);
    expect(() => requireObject(new MalformedJsonBody())).toThrow('Request body is not valid JSON');
  });

  it('names what it was asked to check', () => {
    expect(() => requireObject([], "Field 'act'")).toThrow("Field 'act' must be a JSON object");
  });
});
