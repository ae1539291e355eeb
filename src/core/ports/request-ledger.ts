// Request-level memory the signed cloud APIs need across restarts and replicas: idempotency tokens (Alibaba's
// ClientToken) that replay the first answer, and signature nonces that may be used once. Kept in the metadata store
// so every replica sees the same ledger.

/** What a client token holds when a request presents it. */
export type ClientTokenClaim =
  /** First use (or the earlier use has expired): the caller now owns the token and must complete or release it. */
  | { kind: 'new' }
  /** Another request with this token is still running. */
  | { kind: 'pending' }
  /** Used before with other parameters. */
  | { kind: 'mismatch' }
  /** Used before with the same parameters: answer exactly this. */
  | { kind: 'done'; status: number; body: string };

export interface RequestLedger {
  /**
   * Claims `key` for a request whose parameters hash to `fingerprint`. Entries created before `validSince` are
   * forgotten; a pending claim older than `pendingStaleBefore` (its owner crashed) is taken over.
   */
  claimClientToken(key: string, fingerprint: string, at: Date, limits: { validSince: Date; pendingStaleBefore: Date }): Promise<ClientTokenClaim>;
  /** Stores the answer to replay for a claimed token. */
  completeClientToken(key: string, fingerprint: string, answer: { status: number; body: string }): Promise<void>;
  /** Drops a pending claim (the request failed in a way a retry should redo). */
  releaseClientToken(key: string, fingerprint: string): Promise<void>;
  /** True the first time `key` is used since `validSince`; false for a replay. */
  useNonce(key: string, at: Date, validSince: Date): Promise<boolean>;
  /** Forgets tokens and nonces recorded before the given instants, at most `limit` rows; returns how many went. */
  pruneRequestLedger(before: { tokens: Date; nonces: Date }, limit: number): Promise<number>;
}
