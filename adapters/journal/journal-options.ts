/** Options and counters of a `Journal` (journal.ts). */
export interface JournalStats {
  /** Records appended since open. */
  appended: number;
  /** fdatasync calls since open (appended / syncs = records per group commit). */
  syncs: number;
  compactions: number;
  /** Compactions given up because more was written meanwhile than they would have saved. */
  compactionsAbandoned: number;
  /** Lines skipped at replay: torn or corrupt. */
  corruptRecords: number;
  /** Syncs that failed (with `appendThisTick`, nobody may be waiting to hear of it). */
  syncErrors: number;
  /** `appendThisTick` records whose write failed (their positions are never readable). */
  writeErrors: number;
}

export interface JournalOptions {
  /** Compact once the journal grew this many bytes past its last compaction. Default 8 MiB. */
  compactAfterBytes?: number;
  /**
   * How an `append` batch is made durable. `dsync` (default where the OS has O_DSYNC): the journal
   * is opened with O_DSYNC, so the append itself returns only once the data is on disk — one
   * system call and one threadpool round trip per batch. `fdatasync`: append, then fdatasync, with
   * up to `syncConcurrency` syncs overlapping.
   */
  sync?: 'dsync' | 'fdatasync';
  /** With `sync: 'fdatasync'`: fdatasyncs that may be in flight at once (writes stay sequential). Default 2. */
  syncConcurrency?: number;
  /**
   * With `appendThisTick`: the longest a written record waits for its fdatasync when nobody calls
   * `sync()` (the group-commit window). Default 0: only `sync()` syncs.
   */
  syncWindowMs?: number;
  /**
   * With `appendThisTick`: how many records are live now. A background compaction then waits
   * until at most an eighth of the file is live records (a compaction copies the live ones: one
   * in the middle of a burst would copy the burst). Without it: until the file doubled since the
   * last one.
   */
  liveRecords?: () => number;
}
