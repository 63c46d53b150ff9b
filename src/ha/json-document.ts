/**
 * Checks that bytes are one JSON document (RFC 8259) in valid UTF-8 without
 * building any object. The gateway forwards the backend's bytes unchanged,
 * so a parse would allocate a whole object tree only to throw it away. For a
 * 10 MB summary that tree is several times the size of the body.
 */

const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;

const IN_OBJECT = 1;
const IN_ARRAY = 2;

/** Nesting deeper than this is rejected rather than tracked. */
export const MAX_JSON_DEPTH = 4096;

const isWhitespace = (byte: number) => byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
const isDigit = (byte: number) => byte >= ZERO && byte <= NINE;
const isHexDigit = (byte: number) =>
  isDigit(byte) || (byte >= 0x41 && byte <= 0x46) || (byte >= 0x61 && byte <= 0x66);
const isContinuation = (byte: number) => (byte & 0xc0) === 0x80;

/** Returns the index after a string that opens at `start`, or -1 when it is invalid. */
function scanString(bytes: Uint8Array, start: number): number {
  let i = start + 1;
  const end = bytes.length;

  while (i < end) {
    const byte = bytes[i];
    if (byte === QUOTE) return i + 1;
    if (byte < 0x20) return -1;

    if (byte === BACKSLASH) {
      const escaped = bytes[i + 1];
      if (escaped === 0x75) {
        for (let k = 2; k < 6; k += 1) if (!isHexDigit(bytes[i + k])) return -1;
        i += 6;
      } else if (
        escaped === QUOTE || escaped === BACKSLASH || escaped === 0x2f || escaped === 0x62 ||
        escaped === 0x66 || escaped === 0x6e || escaped === 0x72 || escaped === 0x74
      ) {
        i += 2;
      } else {
        return -1;
      }
      continue;
    }

    if (byte < 0x80) {
      i += 1;
      continue;
    }
    const length = utf8SequenceLength(bytes, i);
    if (length === 0) return -1;
    i += length;
  }
  return -1;
}

/** Returns the length of the valid UTF-8 sequence at `i`, or 0 (overlong forms and surrogates are invalid). */
function utf8SequenceLength(bytes: Uint8Array, i: number): number {
  const lead = bytes[i];
  const second = bytes[i + 1];

  if (lead >= 0xc2 && lead <= 0xdf) {
    return isContinuation(second) ? 2 : 0;
  }
  if (lead >= 0xe0 && lead <= 0xef) {
    const low = lead === 0xe0 ? 0xa0 : 0x80;
    const high = lead === 0xed ? 0x9f : 0xbf;
    return second >= low && second <= high && isContinuation(bytes[i + 2]) ? 3 : 0;
  }
  if (lead >= 0xf0 && lead <= 0xf4) {
    const low = lead === 0xf0 ? 0x90 : 0x80;
    const high = lead === 0xf4 ? 0x8f : 0xbf;
    return second >= low && second <= high && isContinuation(bytes[i + 2]) && isContinuation(bytes[i + 3]) ? 4 : 0;
  }
  return 0;
}

/** Returns the index after a number that starts at `start`, or -1. */
function scanNumber(bytes: Uint8Array, start: number): number {
  let i = start;
  if (bytes[i] === MINUS) i += 1;

  if (bytes[i] === ZERO) {
    i += 1;
  } else if (isDigit(bytes[i])) {
    while (isDigit(bytes[i])) i += 1;
  } else {
    return -1;
  }

  if (bytes[i] === DOT) {
    i += 1;
    if (!isDigit(bytes[i])) return -1;
    while (isDigit(bytes[i])) i += 1;
  }
  if (bytes[i] === 0x65 || bytes[i] === 0x45) {
    i += 1;
    if (bytes[i] === PLUS || bytes[i] === MINUS) i += 1;
    if (!isDigit(bytes[i])) return -1;
    while (isDigit(bytes[i])) i += 1;
  }
  return i;
}

function matchesLiteral(bytes: Uint8Array, start: number, literal: string): boolean {
  for (let k = 0; k < literal.length; k += 1) {
    if (bytes[start + k] !== literal.charCodeAt(k)) return false;
  }
  return true;
}

function skipWhitespace(bytes: Uint8Array, start: number): number {
  let i = start;
  while (i < bytes.length && isWhitespace(bytes[i])) i += 1;
  return i;
}

/** Returns true when `bytes` hold exactly one JSON value, with optional surrounding whitespace. */
export function isJsonDocument(bytes: Uint8Array): boolean {
  const containers: number[] = [];
  let i = skipWhitespace(bytes, 0);

  // Each turn reads one value, then the punctuation that follows it.
  for (;;) {
    const byte = bytes[i];

    if (byte === OPEN_OBJECT || byte === OPEN_ARRAY) {
      if (containers.length >= MAX_JSON_DEPTH) return false;
      i = skipWhitespace(bytes, i + 1);
      const closing = byte === OPEN_OBJECT ? CLOSE_OBJECT : CLOSE_ARRAY;
      if (bytes[i] === closing) {
        i += 1;
      } else {
        containers.push(byte === OPEN_OBJECT ? IN_OBJECT : IN_ARRAY);
        if (byte === OPEN_OBJECT) {
          i = scanMemberName(bytes, i);
          if (i < 0) return false;
        }
        continue;
      }
    } else if (byte === QUOTE) {
      i = scanString(bytes, i);
    } else if (byte === MINUS || isDigit(byte)) {
      i = scanNumber(bytes, i);
    } else if (byte === 0x74 && matchesLiteral(bytes, i, 'true')) {
      i += 4;
    } else if (byte === 0x66 && matchesLiteral(bytes, i, 'false')) {
      i += 5;
    } else if (byte === 0x6e && matchesLiteral(bytes, i, 'null')) {
      i += 4;
    } else {
      return false;
    }
    if (i < 0) return false;

    // After a value: close containers, or find the separator to the next value.
    for (;;) {
      i = skipWhitespace(bytes, i);
      if (containers.length === 0) return i === bytes.length;

      const container = containers[containers.length - 1];
      const next = bytes[i];
      if (next === COMMA) {
        i = skipWhitespace(bytes, i + 1);
        if (container === IN_OBJECT) {
          i = scanMemberName(bytes, i);
          if (i < 0) return false;
        }
        break;
      }
      if ((container === IN_OBJECT && next === CLOSE_OBJECT) || (container === IN_ARRAY && next === CLOSE_ARRAY)) {
        containers.pop();
        i += 1;
        continue;
      }
      return false;
    }
  }
}

/** Reads `"name" :` at `start` and returns the index of the member's value, or -1. */
function scanMemberName(bytes: Uint8Array, start: number): number {
  if (bytes[start] !== QUOTE) return -1;
  let i = scanString(bytes, start);
  if (i < 0) return -1;
  i = skipWhitespace(bytes, i);
  if (bytes[i] !== COLON) return -1;
  return skipWhitespace(bytes, i + 1);
}

/** Returns true when the document is the JSON literal `null`, with optional whitespace. */
export function isJsonNull(bytes: Uint8Array): boolean {
  const start = skipWhitespace(bytes, 0);
  return matchesLiteral(bytes, start, 'null') && skipWhitespace(bytes, start + 4) === bytes.length;
}
