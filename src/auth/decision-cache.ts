import type { FailureCode } from '../ha/gateway-failures.js';

/** NetBox's verdict on one credential. */
export type Decision =
  | { allowed: true }
  | { allowed: false; code: Extract<FailureCode, 'credentials_rejected' | 'permission_denied'>; netboxDetail?: string };

interface Entry {
  decision: Decision;
  expiresAt: number;
}

export interface DecisionCacheStats {
  hits: number;
  misses: number;
  size: number;
}

/** Entries kept at most; the least recently used one is dropped first. */
export const MAX_CACHED_DECISIONS = 10_000;

/**
 * Remembers decisions by credential fingerprint, with separate lifetimes for
 * allow and deny, and shares one pending check among concurrent requests
 * that carry the same credential.
 */
export class DecisionCache {
  private readonly entries = new Map<string, Entry>();
  private readonly pending = new Map<string, Promise<Decision>>();
  private hits = 0;
  private misses = 0;

  constructor(
    private readonly allowTtlMs: number,
    private readonly denyTtlMs: number,
    private readonly maxEntries = MAX_CACHED_DECISIONS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Returns the cached decision, or runs `check` once for all concurrent callers and caches its result. */
  decide(fingerprint: string, check: () => Promise<Decision>): Promise<Decision> {
    const cached = this.lookup(fingerprint);
    if (cached !== null) {
      this.hits += 1;
      return Promise.resolve(cached);
    }

    const inFlight = this.pending.get(fingerprint);
    if (inFlight !== undefined) {
      this.hits += 1;
      return inFlight;
    }

    this.misses += 1;
    const started = check()
      .then((decision) => {
        this.store(fingerprint, decision);
        return decision;
      })
      .finally(() => this.pending.delete(fingerprint));
    this.pending.set(fingerprint, started);
    return started;
  }

  stats(): DecisionCacheStats {
    return { hits: this.hits, misses: this.misses, size: this.entries.size };
  }

  private lookup(fingerprint: string): Decision | null {
    const entry = this.entries.get(fingerprint);
    if (entry === undefined) return null;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(fingerprint);
      return null;
    }
    // Re-insert so that Map order stays least recently used first.
    this.entries.delete(fingerprint);
    this.entries.set(fingerprint, entry);
    return entry.decision;
  }

  private store(fingerprint: string, decision: Decision): void {
    const ttl = decision.allowed ? this.allowTtlMs : this.denyTtlMs;
    if (ttl <= 0) return;

    this.entries.delete(fingerprint);
    this.entries.set(fingerprint, { decision, expiresAt: this.now() + ttl });
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }
}
