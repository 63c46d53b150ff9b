/**
 * Checks that bytes are one JSON document (RFC 8259) in valid UTF-8 without
 * building any object. The gateway forwards the backend's bytes unchanged,
 * so a parse would allocate a whole object tree only to throw it away. For a
 * 10 MB summary that tree is several times the size of the body.
 *
 * The check runs on every backend body, so it is written for speed. UTF-8 is
 * validated natively by `isUtf8`. The grammar is checked in one function,
 * because V8 in Node.js 20 did not inline string and number helpers of that
 * size into it (seen with --trace-turbo-inlining). test/json-document.test.ts
 * compares the result with JSON.parse on generated and mutated documents.
 */
import { isUtf8 } from 'node:buffer';

const OPEN_OBJECT = 0x7b;
const OPEN_ARRAY = 0x5b;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const ONE = 0x31;
const NINE = 0x39;
const SPACE = 0x20;

/** Nesting deeper than this is rejected rather than tracked. */
export const MAX_JSON_DEPTH = 4096;

/** Opening byte of each open container, reused by every call because the check is synchronous. */
const containers = new Uint8Array(MAX_JSON_DEPTH);

/** Returns true when `bytes` hold exactly one JSON value, with optional surrounding whitespace. */
export function isJsonDocument(bytes: Uint8Array): boolean {
  // A byte of 0x80 or more is invalid JSON outside a string. So the input is
  // valid UTF-8 as a whole exactly when every string in it is, and the
  // grammar check can pass over such bytes inside strings unchecked.
  return isUtf8(bytes) && followsJsonGrammar(bytes);
}

/** Checks the JSON grammar, taking every byte of 0x80 or more inside a string as text. */
function followsJsonGrammar(bytes: Uint8Array): boolean {
  const end = bytes.length;
  // Empty input is invalid. Returning here also keeps a view of a detached
  // buffer, which reads as empty, away from the DataView constructor, which
  // throws on it.
  if (end === 0) return false;

  // Strings are scanned four bytes at a time through this view. getInt32 reads
  // big-endian at any offset, so the first of the four bytes is in the top bits.
  const view = new DataView(bytes.buffer, bytes.byteOffset, end);

  let depth = 0;
  let i = 0;
  let byte = 0;
  // True after `{` or after a comma in an object: the next token must be a member name.
  let expectName = false;

  // Each turn reads one value or member name, then the punctuation after it.
  for (;;) {
    if (i >= end) return false;
    byte = bytes[i];
    while (byte <= SPACE && isWhitespace(byte)) {
      i += 1;
      if (i >= end) return false;
      byte = bytes[i];
    }

    if (byte === QUOTE) {
      i += 1;
      // Find the closing quote. Each turn stops at a quote, a backslash or a
      // control character, or at a byte that stopFlags flagged wrongly. The
      // last three bytes of the input are scanned one at a time.
      for (;;) {
        while (i + 4 <= end) {
          const stops = stopFlags(view.getInt32(i));
          if (stops !== 0) {
            // Each byte before the first flagged one adds 8 leading zero bits.
            i += Math.clz32(stops) >> 3;
            break;
          }
          i += 4;
        }
        if (i >= end) return false;
        byte = bytes[i];
        if (byte === QUOTE) break;
        if (byte === BACKSLASH) {
          i = escapeEnd(bytes, i + 1, end);
          if (i < 0) return false;
        } else if (byte < SPACE) {
          return false;
        } else {
          i += 1;
        }
      }
      i += 1;

      if (expectName) {
        if (i >= end) return false;
        byte = bytes[i];
        while (byte <= SPACE && isWhitespace(byte)) {
          i += 1;
          if (i >= end) return false;
          byte = bytes[i];
        }
        if (byte !== COLON) return false;
        i += 1;
        expectName = false;
        continue;
      }
    } else if (expectName) {
      return false;
    } else if (byte === OPEN_OBJECT || byte === OPEN_ARRAY) {
      if (depth >= MAX_JSON_DEPTH) return false;
      i += 1;
      if (i >= end) return false;
      let next = bytes[i];
      while (next <= SPACE && isWhitespace(next)) {
        i += 1;
        if (i >= end) return false;
        next = bytes[i];
      }
      // The closing brace or bracket is the opening byte plus 2.
      if (next === byte + 2) {
        i += 1;
      } else {
        containers[depth] = byte;
        depth += 1;
        expectName = byte === OPEN_OBJECT;
        continue;
      }
    } else if (byte === MINUS || (byte >= ZERO && byte <= NINE)) {
      if (byte === MINUS) {
        i += 1;
        if (i >= end) return false;
        byte = bytes[i];
      }
      // The integer part is 0 or starts with 1 to 9.
      if (byte === ZERO) {
        i += 1;
      } else if (byte >= ONE && byte <= NINE) {
        i += 1;
        while (i < end && isDigit(bytes[i])) i += 1;
      } else {
        return false;
      }
      if (i < end && bytes[i] === DOT) {
        i += 1;
        if (i >= end || !isDigit(bytes[i])) return false;
        while (i < end && isDigit(bytes[i])) i += 1;
      }
      // `e` or `E`.
      if (i < end && (bytes[i] | 0x20) === 0x65) {
        i += 1;
        if (i < end && (bytes[i] === PLUS || bytes[i] === MINUS)) i += 1;
        if (i >= end || !isDigit(bytes[i])) return false;
        while (i < end && isDigit(bytes[i])) i += 1;
      }
    } else if (byte === 0x74) {
      // `true`
      if (i + 3 >= end || bytes[i + 1] !== 0x72 || bytes[i + 2] !== 0x75 || bytes[i + 3] !== 0x65) return false;
      i += 4;
    } else if (byte === 0x66) {
      // `false`
      if (i + 4 >= end || bytes[i + 1] !== 0x61 || bytes[i + 2] !== 0x6c || bytes[i + 3] !== 0x73 || bytes[i + 4] !== 0x65) {
        return false;
      }
      i += 5;
    } else if (byte === 0x6e) {
      // `null`
      if (i + 3 >= end || bytes[i + 1] !== 0x75 || bytes[i + 2] !== 0x6c || bytes[i + 3] !== 0x6c) return false;
      i += 4;
    } else {
      return false;
    }

    // After a value: close containers, or pass the comma before the next value.
    for (;;) {
      if (i >= end) return depth === 0;
      byte = bytes[i];
      while (byte <= SPACE && isWhitespace(byte)) {
        i += 1;
        if (i >= end) return depth === 0;
        byte = bytes[i];
      }
      if (depth === 0) return false;

      i += 1;
      const container = containers[depth - 1];
      if (byte === COMMA) {
        expectName = container === OPEN_OBJECT;
        break;
      }
      if (byte !== container + 2) return false;
      depth -= 1;
    }
  }
}

/**
 * Flags, in bit 7 of each byte, the bytes of a big-endian word that may stop
 * a string: a quote, a backslash or a byte below 0x20. Every such byte is
 * flagged, but the subtractions borrow from the byte before a flagged one.
 * So '#' bytes just before a quote or control byte, and ']' bytes just
 * before a backslash, are flagged too.
 */
function stopFlags(word: number): number {
  // XOR with 0x02 maps a quote to 0x20 and keeps control characters below
  // 0x20, so one "below 0x21" test covers both.
  const quoteOrControl = word ^ 0x02020202;
  const backslash = word ^ 0x5c5c5c5c;
  return (((quoteOrControl - 0x21212121) & ~quoteOrControl) | ((backslash - 0x01010101) & ~backslash)) & 0x80808080;
}

/** Returns the index after the escape whose letter is at `start`, or -1 when it is invalid. */
function escapeEnd(bytes: Uint8Array, start: number, end: number): number {
  if (start >= end) return -1;
  const letter = bytes[start];
  // `\uXXXX`
  if (letter === 0x75) {
    if (start + 4 >= end) return -1;
    for (let k = 1; k <= 4; k += 1) {
      if (!isHexDigit(bytes[start + k])) return -1;
    }
    return start + 5;
  }
  // One of `"`, `\`, `/`, `b`, `f`, `n`, `r` and `t`.
  const isSimpleEscape =
    letter === QUOTE || letter === BACKSLASH || letter === 0x2f || letter === 0x62 ||
    letter === 0x66 || letter === 0x6e || letter === 0x72 || letter === 0x74;
  return isSimpleEscape ? start + 1 : -1;
}

function isWhitespace(byte: number): boolean {
  return byte === SPACE || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

function isDigit(byte: number): boolean {
  return byte >= ZERO && byte <= NINE;
}

function isHexDigit(byte: number): boolean {
  const lower = byte | 0x20;
  return isDigit(byte) || (lower >= 0x61 && lower <= 0x66);
}

function skipWhitespace(bytes: Uint8Array, start: number): number {
  let i = start;
  while (i < bytes.length && isWhitespace(bytes[i])) i += 1;
  return i;
}

/** Returns true when the document is the JSON literal `null`, with optional whitespace. */
export function isJsonNull(bytes: Uint8Array): boolean {
  const start = skipWhitespace(bytes, 0);
  const isNull =
    start + 3 < bytes.length && bytes[start] === 0x6e && bytes[start + 1] === 0x75 &&
    bytes[start + 2] === 0x6c && bytes[start + 3] === 0x6c;
  return isNull && skipWhitespace(bytes, start + 4) === bytes.length;
}
