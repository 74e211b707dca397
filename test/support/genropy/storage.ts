/**
 * Genropy's storage as the mail-proxy code uses it: nodes addressed `volume:path`, with bytes and an
 * MD5. Faults are per path (or '*'): the storage service fails while checking, reading, or both.
 */
import crypto from 'node:crypto';

/** A storage backend error (S3 outage and the like): Genropy treats it as transient. */
export class StorageError extends Error {}

/** Python's FileNotFoundError as storage.open raises it for a missing file. */
export class FileMissingError extends Error {
  constructor(storagePath: string) {
    super(`[Errno 2] No such file or directory: '${storagePath}'`);
  }
}

export interface StoredFile {
  storage_path: string;
  bytes: Buffer;
  md5: string;
}

export type StorageFaultStage = 'check' | 'read' | 'both';

interface Fault {
  message: string;
  stage: StorageFaultStage;
}

export class Storage {
  private readonly files = new Map<string, StoredFile>();
  private readonly faults = new Map<string, Fault>();

  /** Writes a file; `storage_path` must look like `volume:path`. */
  put(storagePath: string, content: Buffer | string): StoredFile {
    if (!isStoragePath(storagePath)) throw new Error(`not a volume:path storage path: ${storagePath}`);
    const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    const file = { storage_path: storagePath, bytes, md5: md5Hex(bytes) };
    this.files.set(storagePath, file);
    return file;
  }

  /** Deletes a file: the endpoint then answers 404 and a fetch failure for it is final. */
  remove(storagePath: string): void {
    this.files.delete(storagePath);
  }

  get(storagePath: string): StoredFile | undefined {
    return this.files.get(storagePath);
  }

  /** Makes the storage fail for one path, or for every path with '*', until heal(). */
  fail(storagePath: string, message = 'storage service unavailable', stage: StorageFaultStage = 'both'): void {
    this.faults.set(storagePath, { message, stage });
  }

  heal(storagePath?: string): void {
    if (storagePath === undefined) this.faults.clear();
    else this.faults.delete(storagePath);
  }

  /** site.storageNode(path): null when the path names no volume. */
  hasNode(storagePath: string): boolean {
    return isStoragePath(storagePath);
  }

  /** node.exists; throws StorageError when the storage fails while checking. */
  exists(storagePath: string): boolean {
    this.raiseFault(storagePath, 'check');
    return this.files.has(storagePath);
  }

  /** node.open('rb').read(); throws StorageError or FileMissingError. */
  read(storagePath: string): Buffer {
    this.raiseFault(storagePath, 'read');
    const file = this.files.get(storagePath);
    if (!file) throw new FileMissingError(storagePath);
    return file.bytes;
  }

  /** node.md5hash: reads the file, so it fails as read() does. */
  md5(storagePath: string): string {
    return md5Hex(this.read(storagePath));
  }

  /** node.basename */
  basename(storagePath: string): string {
    return storagePath.slice(storagePath.indexOf(':') + 1).split('/').pop() ?? '';
  }

  private raiseFault(storagePath: string, stage: 'check' | 'read'): void {
    const fault = this.faults.get(storagePath) ?? this.faults.get('*');
    if (fault && (fault.stage === 'both' || fault.stage === stage)) throw new StorageError(fault.message);
  }
}

function md5Hex(bytes: Buffer): string {
  return crypto.createHash('md5').update(bytes).digest('hex');
}

function isStoragePath(p: string): boolean {
  return /^[^:/]+:.+/.test(p);
}
