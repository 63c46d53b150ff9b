import { describe, expect, test } from '@jest/globals';
import { MAX_JSON_DEPTH, isJsonDocument, isJsonNull } from '../src/ha/json-document.js';

const fatalDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Returns the verdict expected for `bytes`: false when they are not valid
 * UTF-8, otherwise whether JSON.parse accepts the decoded text. The BOM
 * is kept in the decoded text, so a leading BOM fails JSON.parse as it does
 * in the checker. Callers keep nesting below MAX_JSON_DEPTH, because
 * JSON.parse has no such limit.
 */
function expectedVerdict(bytes: Uint8Array): boolean {
  let text: string;
  try {
    text = fatalDecoder.decode(bytes);
  } catch {
    return false;
  }
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

const utf8 = (text: string) => Buffer.from(text, 'utf8');
const inString = (...bytes: number[]) => Buffer.from([0x22, ...bytes, 0x22]);
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

/** Mulberry32: a small seeded generator, so every run tests the same inputs. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('isJsonDocument value kinds', () => {
  test.each([
    ['empty object', '{}'],
    ['empty array', '[]'],
    ['object with members', '{"a":1,"b":"two","c":[3],"d":{},"e":null,"f":true,"g":false}'],
    ['array of every kind', '[{},[],"s",0,-1.5e3,true,false,null]'],
    ['string', '"text"'],
    ['empty string', '""'],
    ['integer', '42'],
    ['negative fraction with exponent', '-12.5e-3'],
    ['true', 'true'],
    ['false', 'false'],
    ['null', 'null'],
    ['duplicate member names', '{"a":1,"a":2}'],
    ['empty member name', '{"":0}'],
  ])('accepts %s', (_name, text) => {
    expect(isJsonDocument(utf8(text))).toBe(true);
  });

  test.each([
    ['truncated true', 'tru'],
    ['truncated false', 'fals'],
    ['truncated null', 'nul'],
    ['capitalised literal', 'True'],
    ['upper-case null', 'NULL'],
    ['literal with a letter after it', 'nulll'],
    ['literal followed by a word', 'truex'],
    ['bare word', 'undefined'],
    ['single-quoted string', "'a'"],
    ['NaN', 'NaN'],
    ['Infinity', 'Infinity'],
    ['minus Infinity', '-Infinity'],
  ])('rejects %s', (_name, text) => {
    expect(isJsonDocument(utf8(text))).toBe(false);
  });

  test('accepts a plain Uint8Array as well as a Buffer', () => {
    expect(isJsonDocument(new TextEncoder().encode('{"a":[1,2]}'))).toBe(true);
    expect(isJsonDocument(new TextEncoder().encode('{"a":[1,2]'))).toBe(false);
  });

  test('rejects input whose buffer was detached', () => {
    const buffer = new ArrayBuffer(4);
    const bytes = new Uint8Array(buffer);
    bytes.set(utf8('[42]'));
    structuredClone(buffer, { transfer: [buffer] });

    expect(bytes.length).toBe(0);
    expect(isJsonDocument(bytes)).toBe(false);
  });

  test('reads only the bytes of a view into a larger buffer', () => {
    const whole = utf8('["abc"] ');

    expect(isJsonDocument(whole.subarray(0, 4))).toBe(false);
    expect(isJsonDocument(whole.subarray(0, 6))).toBe(false);
    expect(isJsonDocument(whole.subarray(1, 6))).toBe(true);
    expect(isJsonDocument(whole.subarray(1, 5))).toBe(false);
  });
});

describe('isJsonDocument nesting', () => {
  test.each([
    ['nested arrays', '[[[]],[[1],[2,[3]]]]'],
    ['nested objects', '{"a":{"b":{"c":{}}}}'],
    ['objects in arrays in objects', '{"a":[{"b":[{"c":null}]},{}],"d":[[{}]]}'],
    ['closed containers followed by members', '{"a":{"b":[]},"c":[{}],"d":1}'],
  ])('accepts %s', (_name, text) => {
    expect(isJsonDocument(utf8(text))).toBe(true);
  });

  test.each([
    ['array closed by a brace', '[}'],
    ['object closed by a bracket', '{]'],
    ['array with a value closed by a brace', '[1}'],
    ['object with a member closed by a bracket', '{"a":1]'],
    ['unclosed array', '['],
    ['unclosed object', '{'],
    ['unclosed inner array', '[[1]'],
    ['unclosed object after a member', '{"a":1'],
    ['unclosed object after a colon', '{"a":'],
    ['unclosed object after a name', '{"a"'],
    ['unclosed object after a comma', '{"a":1,'],
    ['extra closing bracket', '[]]'],
    ['extra closing brace', '{}}'],
    ['lone closing bracket', ']'],
    ['lone closing brace', '}'],
    ['member without a value', '{"a"}'],
    ['member with an empty value', '{"a":}'],
    ['member with two colons', '{"a"::1}'],
    ['lone comma in an object', '{,}'],
    ['lone comma in an array', '[,]'],
    ['leading comma in an array', '[,1]'],
    ['trailing comma in an array', '[1,]'],
    ['trailing comma in an object', '{"a":1,}'],
    ['two commas in an array', '[1,,2]'],
    ['values without a comma', '[1 2]'],
    ['members without a comma', '{"a":1 "b":2}'],
    ['member without a colon', '{"a" 1}'],
    ['number as a member name', '{1:2}'],
    ['literal as a member name', '{null:2}'],
    ['single-quoted member name', "{'a':1}"],
    ['bare member name', '{a:1}'],
    ['colon in an array', '[1:2]'],
    ['array as a member name', '{[]:1}'],
  ])('rejects %s', (_name, text) => {
    expect(isJsonDocument(utf8(text))).toBe(false);
  });
});

describe('isJsonDocument depth limit', () => {
  const arrays = (depth: number, inner = '') => '['.repeat(depth) + inner + ']'.repeat(depth);
  const objects = (depth: number) => '{"k":'.repeat(depth - 1) + '{}' + '}'.repeat(depth - 1);

  test('MAX_JSON_DEPTH is 4096', () => {
    expect(MAX_JSON_DEPTH).toBe(4096);
  });

  test('accepts empty arrays nested exactly MAX_JSON_DEPTH deep', () => {
    expect(isJsonDocument(utf8(arrays(MAX_JSON_DEPTH)))).toBe(true);
  });

  test('rejects empty arrays nested one past MAX_JSON_DEPTH', () => {
    expect(isJsonDocument(utf8(arrays(MAX_JSON_DEPTH + 1)))).toBe(false);
  });

  test('accepts a value nested exactly MAX_JSON_DEPTH deep', () => {
    expect(isJsonDocument(utf8(arrays(MAX_JSON_DEPTH, '1')))).toBe(true);
  });

  test('rejects a value nested one past MAX_JSON_DEPTH', () => {
    expect(isJsonDocument(utf8(arrays(MAX_JSON_DEPTH + 1, '1')))).toBe(false);
  });

  test('counts objects towards the same limit', () => {
    expect(isJsonDocument(utf8(objects(MAX_JSON_DEPTH)))).toBe(true);
    expect(isJsonDocument(utf8(objects(MAX_JSON_DEPTH + 1)))).toBe(false);
  });

  test('counts arrays and objects together', () => {
    const half = MAX_JSON_DEPTH / 2;
    const mixed = (depth: number) => '[{"k":'.repeat(depth) + 'null' + '}]'.repeat(depth);

    expect(isJsonDocument(utf8(mixed(half)))).toBe(true);
    expect(isJsonDocument(utf8('[' + mixed(half) + ']'))).toBe(false);
  });

  test('frees depth when containers close', () => {
    const deep = arrays(MAX_JSON_DEPTH - 1);
    const deeper = arrays(MAX_JSON_DEPTH - 2);

    expect(isJsonDocument(utf8(`[${deep},${deep},{"k":${deeper}}]`))).toBe(true);
    expect(isJsonDocument(utf8(`[${deep},${deep},{"k":${deep}}]`))).toBe(false);
  });

  test('rejects a deep document that is never closed', () => {
    expect(isJsonDocument(utf8('['.repeat(MAX_JSON_DEPTH)))).toBe(false);
  });
});

describe('isJsonDocument whitespace', () => {
  test.each([
    ['space', ' '],
    ['tab', '\t'],
    ['line feed', '\n'],
    ['carriage return', '\r'],
    ['all four', ' \t\r\n'],
  ])('accepts %s around and between tokens', (_name, space) => {
    const text = ['', '{', '"a"', ':', '[', '1', ',', 'true', ']', ',', '"b"', ':', '{', '}', '}', ''].join(space);

    expect(isJsonDocument(utf8(text))).toBe(true);
  });

  test.each([
    ['form feed', [0x0c]],
    ['vertical tab', [0x0b]],
    ['NUL', [0x00]],
    ['no-break space', [0xc2, 0xa0]],
    ['line separator', [0xe2, 0x80, 0xa8]],
    ['byte-order mark', [0xef, 0xbb, 0xbf]],
  ])('rejects %s as whitespace', (_name, space) => {
    const before = Buffer.concat([Buffer.from(space), utf8('[1]')]);
    const inside = Buffer.concat([utf8('[1,'), Buffer.from(space), utf8('2]')]);
    const after = Buffer.concat([utf8('[1]'), Buffer.from(space)]);

    expect(isJsonDocument(before)).toBe(false);
    expect(isJsonDocument(inside)).toBe(false);
    expect(isJsonDocument(after)).toBe(false);
  });

  test('rejects a byte-order mark before the document', () => {
    expect(isJsonDocument(Buffer.from([0xef, 0xbb, 0xbf, 0x7b, 0x7d]))).toBe(false);
  });

  test('accepts a byte-order mark inside a string', () => {
    expect(isJsonDocument(inString(0xef, 0xbb, 0xbf))).toBe(true);
  });
});

describe('isJsonDocument empty and trailing input', () => {
  test('rejects empty input', () => {
    expect(isJsonDocument(new Uint8Array(0))).toBe(false);
  });

  test('rejects whitespace only', () => {
    expect(isJsonDocument(utf8(' \t\r\n'))).toBe(false);
  });

  test.each([
    ['two objects', '{} {}'],
    ['two numbers', '1 2'],
    ['two strings', '"a""b"'],
    ['a letter after a literal', 'nullx'],
    ['a letter after an object', '{}x'],
    ['a comma after an array', '[] ,'],
    ['a closing bracket after a number', '1]'],
    ['a NUL byte after an object', '{}\u0000'],
    ['a letter after a number', '12a'],
  ])('rejects %s', (_name, text) => {
    expect(isJsonDocument(utf8(text))).toBe(false);
  });

  test('rejects non-ASCII after the document', () => {
    expect(isJsonDocument(utf8('{}é'))).toBe(false);
  });

  test('rejects non-ASCII outside a string', () => {
    expect(isJsonDocument(utf8('[é]'))).toBe(false);
  });
});

describe('isJsonDocument numbers', () => {
  test.each([
    '0', '-0', '1', '-1', '10', '1234567890', '9007199254740993123', '0.5', '-0.5', '1.25', '10.01',
    '1e5', '1E5', '1e+5', '1e-5', '1E+05', '0e0', '-0.0e-0', '1.5e10', '123.456E-789',
    '[0,-0,1.0,2e2]', '{"n":-3}',
  ])('accepts %s', (text) => {
    expect(isJsonDocument(utf8(text))).toBe(true);
  });

  test.each([
    '01', '-01', '00', '-00', '007', '-', '--1', '+1', '1.', '-1.', '.5', '-.5', '1.e5', '1e', '1E',
    '1e+', '1e-', '1ee5', '1e5e5', '1e5.5', '1.5.5', '0x10', '1_000', '- 1', '1 .5', '[01]', '[1.]',
    '{"n":+1}', '[-]', '[.5]',
  ])('rejects %s', (text) => {
    expect(isJsonDocument(utf8(text))).toBe(false);
  });
});

describe('isJsonDocument string escapes', () => {
  test.each([
    ['quote', '"\\""'],
    ['backslash', '"\\\\"'],
    ['slash', '"\\/"'],
    ['backspace', '"\\b"'],
    ['form feed', '"\\f"'],
    ['line feed', '"\\n"'],
    ['carriage return', '"\\r"'],
    ['tab', '"\\t"'],
    ['\\u with digits', '"\\u0041"'],
    ['\\u with upper-case hex', '"\\uABCD"'],
    ['\\u with lower-case hex', '"\\uabcd"'],
    ['\\u surrogate pair', '"\\uD83D\\uDE00"'],
    ['\\u lone surrogate', '"\\uD800"'],
    ['escapes in a member name', '{"\\u0041\\n":1}'],
    ['escapes next to each other', '"\\\\\\"\\n\\u0000"'],
  ])('accepts %s', (_name, text) => {
    expect(isJsonDocument(utf8(text))).toBe(true);
  });

  test.each([
    ['\\x', '"\\x41"'],
    ['\\a', '"\\a"'],
    ["\\'", '"\\\'"'],
    ['\\0', '"\\0"'],
    ['\\U', '"\\U0041"'],
    ['\\u with two digits', '"\\u12"'],
    ['\\u with three digits before the quote', '"\\u123"'],
    ['\\u with a letter past F', '"\\u12G4"'],
    ['\\u with a sign', '"\\u-123"'],
    ['\\u with a space', '"\\u 123"'],
    ['backslash before the end of input', '"\\'],
    ['\\u at the end of input', '"\\u00'],
    ['escaped closing quote only', '"\\"'],
    ['backslash before a non-ASCII character', '"\\é"'],
    ['unterminated string', '"abc'],
    ['unterminated member name', '{"abc'],
  ])('rejects %s', (_name, text) => {
    expect(isJsonDocument(utf8(text))).toBe(false);
  });

  test('rejects every escape letter that JSON does not define', () => {
    const allowed = new Set('"\\/bfnrtu');
    for (let byte = 0; byte < 0x80; byte += 1) {
      const letter = String.fromCharCode(byte);
      if (allowed.has(letter)) continue;
      expect([letter, isJsonDocument(inString(0x5c, byte, 0x41, 0x41, 0x41, 0x41))]).toEqual([letter, false]);
    }
  });
});

describe('isJsonDocument control characters', () => {
  test('rejects every byte below 0x20 inside a string', () => {
    for (let byte = 0; byte < 0x20; byte += 1) {
      expect([byte, isJsonDocument(inString(0x61, byte, 0x62))]).toEqual([byte, false]);
    }
  });

  test('accepts DEL inside a string', () => {
    expect(isJsonDocument(inString(0x7f))).toBe(true);
  });

  test('rejects a raw control character in a member name', () => {
    expect(isJsonDocument(utf8('{"a\tb":1}'))).toBe(false);
  });
});

describe('isJsonDocument UTF-8 validity', () => {
  test.each([
    ['smallest 2-byte form', [0xc2, 0x80]],
    ['largest 2-byte form', [0xdf, 0xbf]],
    ['smallest 3-byte form', [0xe0, 0xa0, 0x80]],
    ['last code point before the surrogates', [0xed, 0x9f, 0xbf]],
    ['first code point after the surrogates', [0xee, 0x80, 0x80]],
    ['largest 3-byte form', [0xef, 0xbf, 0xbf]],
    ['smallest 4-byte form', [0xf0, 0x90, 0x80, 0x80]],
    ['largest code point', [0xf4, 0x8f, 0xbf, 0xbf]],
    ['line separator', [0xe2, 0x80, 0xa8]],
    ['emoji', [0xf0, 0x9f, 0x98, 0x80]],
  ])('accepts %s in a string', (_name, bytes) => {
    expect(isJsonDocument(inString(...bytes))).toBe(true);
  });

  test.each([
    ['overlong 2-byte form with C0', [0xc0, 0x80]],
    ['overlong 2-byte form with C1', [0xc1, 0xbf]],
    ['overlong 3-byte form', [0xe0, 0x80, 0x80]],
    ['overlong 3-byte form just below U+0800', [0xe0, 0x9f, 0xbf]],
    ['overlong 4-byte form', [0xf0, 0x80, 0x80, 0x80]],
    ['overlong 4-byte form just below U+10000', [0xf0, 0x8f, 0xbf, 0xbf]],
    ['first high surrogate', [0xed, 0xa0, 0x80]],
    ['last low surrogate', [0xed, 0xbf, 0xbf]],
    ['surrogate pair encoded as two sequences', [0xed, 0xa0, 0xbd, 0xed, 0xb8, 0x80]],
    ['code point above U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
    ['F5 lead byte', [0xf5, 0x80, 0x80, 0x80]],
    ['F7 lead byte', [0xf7, 0xbf, 0xbf, 0xbf]],
    ['F8 lead byte', [0xf8, 0x88, 0x80, 0x80, 0x80]],
    ['FC lead byte', [0xfc, 0x84, 0x80, 0x80, 0x80, 0x80]],
    ['FE byte', [0xfe]],
    ['FF byte', [0xff]],
    ['lone continuation byte 80', [0x80]],
    ['lone continuation byte BF', [0xbf]],
    ['continuation byte after a complete sequence', [0xc3, 0xa9, 0xa9]],
    ['2-byte lead without its continuation', [0xc3]],
    ['3-byte lead with one continuation', [0xe2, 0x82]],
    ['4-byte lead with two continuations', [0xf0, 0x9f, 0x98]],
    ['lead byte followed by ASCII', [0xc3, 0x41]],
    ['lead byte followed by another lead byte', [0xc3, 0xc3, 0xa9]],
    ['3-byte sequence with a bad last byte', [0xe2, 0x82, 0x41]],
    ['4-byte sequence with a bad last byte', [0xf0, 0x9f, 0x98, 0x41]],
  ])('rejects %s in a string', (_name, bytes) => {
    expect(isJsonDocument(inString(...bytes))).toBe(false);
  });

  test.each([
    ['2-byte lead', [0xc3]],
    ['3-byte lead and one continuation', [0xe2, 0x82]],
    ['4-byte lead and two continuations', [0xf0, 0x9f, 0x98]],
    ['4-byte lead only', [0xf0]],
  ])('rejects a sequence cut off at the end of input: %s', (_name, bytes) => {
    expect(isJsonDocument(Buffer.from([0x22, ...bytes]))).toBe(false);
  });

  test('rejects the bytes C0, C1 and F5 to FF anywhere in a string', () => {
    const never = [0xc0, 0xc1, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa, 0xfb, 0xfc, 0xfd, 0xfe, 0xff];
    for (const byte of never) {
      expect([byte, isJsonDocument(inString(byte, 0x80, 0x80, 0x80))]).toEqual([byte, false]);
      expect([byte, isJsonDocument(inString(0x61, byte))]).toEqual([byte, false]);
    }
  });

  test('matches a fatal UTF-8 decoder on every two-byte pair in a string', () => {
    const bytes = new Uint8Array([0x22, 0, 0, 0x22]);
    const mismatches: string[] = [];
    for (let first = 0; first < 256; first += 1) {
      for (let second = 0; second < 256; second += 1) {
        bytes[1] = first;
        bytes[2] = second;
        if (isJsonDocument(bytes) !== expectedVerdict(bytes)) mismatches.push(hex(bytes));
      }
    }
    expect(mismatches).toEqual([]);
  });

  test('matches a fatal UTF-8 decoder on 3 and 4-byte sequences in a string', () => {
    // Lead bytes C0 to FF and second bytes on both sides of the continuation
    // range, with later bytes drawn from the range edges and from bytes that
    // end a sequence early.
    const tails = [0x22, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0];
    const threeBytes = new Uint8Array([0x22, 0, 0, 0, 0x22]);
    const fourBytes = new Uint8Array([0x22, 0, 0, 0, 0, 0x22]);
    const mismatches: string[] = [];

    for (let lead = 0xc0; lead < 256; lead += 1) {
      for (let second = 0x70; second < 0xd0; second += 1) {
        for (const third of tails) {
          threeBytes.set([lead, second, third], 1);
          if (isJsonDocument(threeBytes) !== expectedVerdict(threeBytes)) mismatches.push(hex(threeBytes));
          if (lead < 0xf0) continue;
          for (const fourth of tails) {
            fourBytes.set([lead, second, third, fourth], 1);
            if (isJsonDocument(fourBytes) !== expectedVerdict(fourBytes)) mismatches.push(hex(fourBytes));
          }
        }
      }
    }
    expect(mismatches).toEqual([]);
  });
});

/** Builds varied JSON text with its own number spellings, escapes and whitespace. */
class DocumentGenerator {
  private static readonly SPACES = [' ', '\t', '\n', '\r', '  ', '\r\n'];
  private static readonly NUMBERS = ['0', '-0', '7', '-42', '1234567890123456789', '0.5', '-3.25', '1e9', '2E-7', '6.02e+23', '-0.0e0'];
  private static readonly PIECES = [
    'a', 'Z', '0', ' ', 'proxbox', 'vm:101', '~', '\u007f', 'é', '€', 'ß', '\u2028', '\uffff', '😀', '𝄞', '中文',
    '\\"', '\\\\', '\\/', '\\b', '\\f', '\\n', '\\r', '\\t', '\\u00e9', '\\uD83D\\uDE00', '\\u0000', '\\uFFFF',
  ];

  constructor(private readonly random: () => number) {}

  document(maxDepth: number): string {
    return this.space() + this.value(maxDepth) + this.space();
  }

  private pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)];
  }

  private space(): string {
    return this.random() < 0.7 ? '' : this.pick(DocumentGenerator.SPACES);
  }

  private string(): string {
    const length = Math.floor(this.random() * 6);
    let text = '"';
    for (let k = 0; k < length; k += 1) text += this.pick(DocumentGenerator.PIECES);
    return text + '"';
  }

  private number(): string {
    if (this.random() < 0.5) return this.pick(DocumentGenerator.NUMBERS);
    const integer = Math.floor(this.random() * 100_000);
    const fraction = this.random() < 0.4 ? `.${Math.floor(this.random() * 1000)}` : '';
    const exponent = this.random() < 0.3 ? `${this.pick(['e', 'E'])}${this.pick(['', '+', '-'])}${Math.floor(this.random() * 30)}` : '';
    return `${this.random() < 0.3 ? '-' : ''}${integer}${fraction}${exponent}`;
  }

  private value(depth: number): string {
    const roll = this.random();
    if (depth > 0 && roll < 0.25) return this.array(depth - 1);
    if (depth > 0 && roll < 0.5) return this.object(depth - 1);
    if (roll < 0.7) return this.string();
    if (roll < 0.88) return this.number();
    return this.pick(['true', 'false', 'null']);
  }

  private array(depth: number): string {
    const count = Math.floor(this.random() * 5);
    const items = Array.from({ length: count }, () => this.space() + this.value(depth) + this.space());
    return `[${count === 0 ? this.space() : items.join(',')}]`;
  }

  private object(depth: number): string {
    const count = Math.floor(this.random() * 5);
    const members = Array.from(
      { length: count },
      () => this.space() + this.string() + this.space() + ':' + this.space() + this.value(depth) + this.space(),
    );
    return `{${count === 0 ? this.space() : members.join(',')}}`;
  }
}

/** Bytes that mutations insert: structure, number parts, escapes, whitespace and UTF-8 edges. */
const MUTATION_BYTES = [
  ...Buffer.from('{}[]",:\\ \t\r\n0123456789-+.eEtrufalsn/bx'),
  0x00, 0x0c, 0x1f, 0x7f, 0x80, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff,
];

function mutate(source: Buffer, random: () => number): Buffer {
  const bytes = [...source];
  const position = Math.floor(random() * (bytes.length + 1));
  const newByte = random() < 0.8 ? MUTATION_BYTES[Math.floor(random() * MUTATION_BYTES.length)] : Math.floor(random() * 256);
  const kind = Math.floor(random() * 5);

  if (kind === 0) bytes.splice(position, 1, newByte);
  else if (kind === 1) bytes.splice(position, 0, newByte);
  else if (kind === 2) bytes.splice(position, 1);
  else if (kind === 3) bytes.length = position;
  else bytes.splice(position, 0, ...bytes.slice(position, position + 1 + Math.floor(random() * 4)));
  return Buffer.from(bytes);
}

describe('isJsonDocument against JSON.parse', () => {
  test('accepts every generated document that JSON.parse accepts', () => {
    const generator = new DocumentGenerator(seededRandom(0x5eed));
    const mismatches: string[] = [];
    let accepted = 0;

    for (let k = 0; k < 3000; k += 1) {
      const bytes = utf8(generator.document(1 + (k % 6)));
      const expected = expectedVerdict(bytes);
      if (expected) accepted += 1;
      if (isJsonDocument(bytes) !== expected) mismatches.push(bytes.toString('utf8'));
    }
    expect(mismatches).toEqual([]);
    expect(accepted).toBe(3000);
  });

  test('agrees with JSON.parse and a fatal UTF-8 decoder on mutated documents', () => {
    const random = seededRandom(0xbadc0de);
    const generator = new DocumentGenerator(random);
    const mismatches: string[] = [];
    const verdicts = { accepted: 0, rejectedJson: 0, rejectedUtf8: 0 };

    for (let k = 0; k < 4000; k += 1) {
      let bytes: Buffer = utf8(generator.document(1 + (k % 5)));
      for (let round = 0; round < 6; round += 1) {
        bytes = mutate(bytes, random);
        const expected = expectedVerdict(bytes);
        if (expected) verdicts.accepted += 1;
        else if (Buffer.from(bytes.toString('utf8'), 'utf8').equals(bytes)) verdicts.rejectedJson += 1;
        else verdicts.rejectedUtf8 += 1;
        if (isJsonDocument(bytes) !== expected) mismatches.push(hex(bytes));
      }
    }

    expect(mismatches).toEqual([]);
    // Each verdict must come up often, or the mutations test too little.
    expect(verdicts.accepted).toBeGreaterThan(1000);
    expect(verdicts.rejectedJson).toBeGreaterThan(1000);
    expect(verdicts.rejectedUtf8).toBeGreaterThan(1000);
  });

  test('agrees with JSON.parse on every prefix', () => {
    const generator = new DocumentGenerator(seededRandom(0x9e3779b9));
    const mismatches: string[] = [];

    for (let k = 0; k < 200; k += 1) {
      const bytes = utf8(generator.document(3));
      for (let end = 0; end < bytes.length; end += 1) {
        const prefix = bytes.subarray(0, end);
        if (isJsonDocument(prefix) !== expectedVerdict(prefix)) mismatches.push(hex(prefix));
      }
    }
    expect(mismatches).toEqual([]);
  });

  test('agrees on the benchmark-shaped summary and its prefixes', () => {
    const summary = utf8(
      JSON.stringify({
        status: [{ cluster_name: 'pve-prod', id: 'quorum', quorate: true, timestamp: 1_764_851_400 }],
        resources: [{ sid: 'vm:101', state: 'started', comment: 'guest été', max_restart: 1, node: null }],
        rules: [],
      }),
    );
    expect(isJsonDocument(summary)).toBe(true);
    for (let end = 0; end < summary.length; end += 1) {
      const prefix = summary.subarray(0, end);
      expect([end, isJsonDocument(prefix)]).toEqual([end, expectedVerdict(prefix)]);
    }
  });
});

/**
 * Returns a view of a copy of `bytes` that starts `offset` bytes into a larger
 * buffer filled with quotes, so a check that reads past either end of the
 * view finds a quote that could end a string there.
 */
function viewAtOffset(bytes: Uint8Array, offset: number): Uint8Array {
  const backing = new Uint8Array(offset + bytes.length + 8).fill(0x22);
  backing.set(bytes, offset);
  return backing.subarray(offset, offset + bytes.length);
}

describe('isJsonDocument at every byte alignment', () => {
  const offsets = [0, 1, 2, 3, 4, 5, 6, 7];

  test('agrees with JSON.parse on generated and mutated documents', () => {
    const random = seededRandom(0xa11ed);
    const generator = new DocumentGenerator(random);
    const mismatches: string[] = [];

    for (let k = 0; k < 400; k += 1) {
      const valid = utf8(generator.document(1 + (k % 4)));
      for (const bytes of [valid, mutate(valid, random), mutate(valid, random)]) {
        const expected = expectedVerdict(bytes);
        for (const offset of offsets) {
          if (isJsonDocument(viewAtOffset(bytes, offset)) !== expected) mismatches.push(`${offset}:${hex(bytes)}`);
        }
      }
    }
    expect(mismatches).toEqual([]);
  });

  test('finds the closing quote at every position in a word', () => {
    const mismatches: string[] = [];
    for (let length = 0; length <= 24; length += 1) {
      const bytes = utf8(`["${'abcdefghijklmnopqrstuvwxyz'.slice(0, length)}",1]`);
      for (const offset of offsets) {
        if (!isJsonDocument(viewAtOffset(bytes, offset))) mismatches.push(`${offset}:${length}`);
      }
    }
    expect(mismatches).toEqual([]);
  });

  test('rejects a stop byte at every position in a long string', () => {
    const mismatches: string[] = [];
    for (let position = 0; position < 20; position += 1) {
      for (const stop of [[0x00], [0x1f], [0x0a], [0x5c, 0x78]]) {
        const content = [...Buffer.from('x'.repeat(20))];
        content.splice(position, 1, ...stop);
        const bytes = Buffer.from([0x22, ...content, 0x22]);
        for (const offset of offsets) {
          if (isJsonDocument(viewAtOffset(bytes, offset))) mismatches.push(`${offset}:${position}:${hex(bytes)}`);
        }
      }
    }
    expect(mismatches).toEqual([]);
  });

  test('accepts strings that start with bytes just above the stop bytes', () => {
    // A quote, backslash or control byte before these can make the word scan
    // flag them, so the check must look at the byte itself.
    const texts = [
      '{"#a":"#","b":"\\\\#"}',
      '["!",""," ","]]"]',
      '["\\"#","\\\\]",";"]',
      '{"a":"\\u0041#"}',
      '["####","a#######","]]]]\\\\","x]]]]]]]\\n"]',
    ];
    for (const text of texts) {
      expect(JSON.parse(text)).toBeDefined();
      for (const offset of offsets) {
        expect([offset, text, isJsonDocument(viewAtOffset(utf8(text), offset))]).toEqual([offset, text, true]);
      }
    }
  });

  test('rejects a string left open at the end of the view', () => {
    for (let length = 0; length <= 12; length += 1) {
      const bytes = utf8(`["${'a'.repeat(length)}`);
      for (const offset of offsets) {
        expect([offset, length, isJsonDocument(viewAtOffset(bytes, offset))]).toEqual([offset, length, false]);
      }
    }
  });
});

describe('isJsonNull', () => {
  test.each([
    ['bare null', 'null'],
    ['null with spaces', ' null '],
    ['null with every kind of whitespace', '\t\r\n null\r\n\t '],
  ])('accepts %s', (_name, text) => {
    expect(isJsonNull(utf8(text))).toBe(true);
  });

  test.each([
    ['empty input', ''],
    ['whitespace only', '  '],
    ['truncated null', 'nul'],
    ['null with a letter after it', 'nullx'],
    ['two nulls', 'null null'],
    ['null as a string', '"null"'],
    ['null in an array', '[null]'],
    ['upper-case null', 'NULL'],
    ['an empty object', '{}'],
    ['false', 'false'],
    ['null after a form feed', '\fnull'],
    ['null after a byte-order mark', '\ufeffnull'],
  ])('rejects %s', (_name, text) => {
    expect(isJsonNull(utf8(text))).toBe(false);
  });

  test('reads only the bytes of a view into a larger buffer', () => {
    const whole = utf8('xnull!');

    expect(isJsonNull(whole.subarray(1, 5))).toBe(true);
    expect(isJsonNull(whole.subarray(1, 4))).toBe(false);
    expect(isJsonNull(whole.subarray(1, 6))).toBe(false);
  });
});
