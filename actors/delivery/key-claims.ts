/**
 * Business keys being created, stopped or retried outside the runner: the scan leaves them
 * alone. Counted: concurrent calls on one key each hold a claim until they are done.
 */
export class KeyClaims {
  private readonly claimed = new Map<string, number>();

  claim(key: string): void {
    this.claimed.set(key, (this.claimed.get(key) ?? 0) + 1);
  }

  unclaim(key: string): void {
    const held = (this.claimed.get(key) ?? 1) - 1;
    if (held > 0) this.claimed.set(key, held);
    else this.claimed.delete(key);
  }

  has(key: string): boolean {
    return this.claimed.has(key);
  }
}
