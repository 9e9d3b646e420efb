import { close, fdatasync, fstatSync, fsync, ftruncateSync, open, openSync, read, statSync, write, writeSync, writevSync } from 'node:fs';

/**
 * One open journal file, by descriptor: the same file is written synchronously (a record that
 * must be in the OS before the caller goes on), asynchronously, synced and read by position.
 *
 * `close()` waits for the operations still running on the descriptor: a compaction retires a file
 * while a read may still be on its way, and a descriptor closed under it could be reused by the
 * next open, sending the read to another file.
 */
export class JournalFile {
  private running = 0;
  private idle: Array<() => void> = [];
  private closing: Promise<void> | undefined;

  private constructor(readonly fd: number) {}

  static open(path: string, flags: string | number): Promise<JournalFile> {
    return new Promise((resolve, reject) => open(path, flags, 0o644, (error, fd) => (error ? reject(error) : resolve(new JournalFile(fd)))));
  }

  static openSync(path: string, flags: string | number): JournalFile {
    return new JournalFile(openSync(path, flags, 0o644));
  }

  /**
   * Writes all of `text` before returning (in the OS page cache: it survives a crash of the
   * process). Returns its length in bytes. One system call, short writes aside.
   */
  writeSync(text: string): number {
    const length = Buffer.byteLength(text);
    const done = writeSync(this.fd, text);
    if (done < length) {
      const rest = Buffer.from(text).subarray(done);
      for (let more = 0; more < rest.length; ) more += writeSync(this.fd, rest, more);
    }
    return length;
  }

  /** `writeSync` for pieces of bytes, in one system call (short writes aside). Returns the bytes written. */
  writevSync(parts: readonly Buffer[]): number {
    const total = parts.reduce((sum, part) => sum + part.length, 0);
    const done = writevSync(this.fd, parts as Buffer[]);
    if (done < total) {
      const rest = Buffer.concat(parts as Buffer[]).subarray(done);
      for (let more = 0; more < rest.length; ) more += writeSync(this.fd, rest, more);
    }
    return total;
  }

  write(text: string): Promise<void> {
    const bytes = Buffer.from(text);
    return this.track(async () => {
      for (let done = 0; done < bytes.length; ) {
        done += await new Promise<number>((resolve, reject) => write(this.fd, bytes, done, (error, n) => (error ? reject(error) : resolve(n))));
      }
    });
  }

  datasync(): Promise<void> {
    return this.track(() => new Promise((resolve, reject) => fdatasync(this.fd, (error) => (error ? reject(error) : resolve()))));
  }

  sync(): Promise<void> {
    return this.track(() => new Promise((resolve, reject) => fsync(this.fd, (error) => (error ? reject(error) : resolve()))));
  }

  /** `length` bytes from `offset` (fewer at the end of the file). */
  read(offset: number, length: number): Promise<Buffer> {
    return this.track(
      () =>
        new Promise((resolve, reject) => {
          const buffer = Buffer.allocUnsafe(length);
          read(this.fd, buffer, 0, length, offset, (error, n) => (error ? reject(error) : resolve(buffer.subarray(0, n))));
        }),
    );
  }

  truncateSync(length: number): void {
    ftruncateSync(this.fd, length);
  }

  size(): number {
    return fstatSync(this.fd).size;
  }

  /** Whether `path` still names this file (not removed, replaced or moved away under us). */
  isAt(path: string): boolean {
    try {
      const here = fstatSync(this.fd);
      const there = statSync(path);
      return here.ino === there.ino && here.dev === there.dev;
    } catch {
      return false;
    }
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      while (this.running > 0) await new Promise<void>((resolve) => this.idle.push(resolve));
      await new Promise<void>((resolve, reject) => close(this.fd, (error) => (error ? reject(error) : resolve())));
    })();
    return this.closing;
  }

  private async track<T>(operation: () => Promise<T>): Promise<T> {
    this.running++;
    try {
      return await operation();
    } finally {
      if (--this.running === 0) for (const wake of this.idle.splice(0)) wake();
    }
  }
}
