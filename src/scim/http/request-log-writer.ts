import type { Logger } from 'pino';
import { sqlState, type Queryable } from '../../store/db.js';
import { settlesWithin } from '../../runtime/settles-within.js';
import { insertScimRequests, type ScimRequestEntry } from '../../store/events/provisioning-log.js';

/** Entries written per statement; a busy second is written in a few statements, not one per request. */
const FLUSH_AT = 500;
/** The longest an entry waits in memory before it is written. */
const FLUSH_EVERY_MS = 1000;
/**
 * Entries held while the database refuses them. Past this, the oldest are dropped (and counted in a
 * warning) rather than letting an outage grow the heap without end.
 */
const MAX_HELD = 20_000;
/** The longest shutdown waits for the last entries to be written. */
const CLOSE_WAIT_MS = 5000;

/**
 * Writes the provisioning log in batches, off the request path: `record` only appends to memory;
 * a batch is written when it is full or a second old, one statement at a time. A batch the database
 * refuses is kept and tried again with the next. `close` writes what is left (shutdown, after the
 * last request has finished). Several serving processes each write their own batches to the one table.
 */
export class RequestLogWriter {
  readonly #db: Queryable;
  readonly #logger: Logger | undefined;
  #held: ScimRequestEntry[] = [];
  #timer: NodeJS.Timeout | undefined;
  #writing: Promise<void> | undefined;
  #dropped = 0;
  #closed = false;

  constructor(options: { db: Queryable; logger?: Logger | undefined }) {
    this.#db = options.db;
    this.#logger = options.logger;
  }

  record(entry: ScimRequestEntry): void {
    this.#held.push(entry);
    this.#bound();
    if (this.#held.length >= FLUSH_AT && this.#writing === undefined) void this.flush();
    else if (!this.#closed) this.#timer ??= setTimeout(() => void this.flush(), FLUSH_EVERY_MS).unref();
  }

  /** Writes every entry held now; resolves when done (or when the database refused them: they stay held). */
  flush(): Promise<void> {
    this.#writing ??= this.#write().finally(() => {
      this.#writing = undefined;
      if (this.#held.length > 0 && !this.#closed) this.#timer ??= setTimeout(() => void this.flush(), FLUSH_EVERY_MS).unref();
    });
    return this.#writing;
  }

  /**
   * Writes what is held (shutdown, after the last request), waiting at most `CLOSE_WAIT_MS`: a
   * database that does not answer must not hold the process up.
   */
  async close(): Promise<void> {
    this.#closed = true;
    const written = settlesWithin(
      (async () => {
        await this.#writing;
        await this.flush();
      })(),
      CLOSE_WAIT_MS,
    );
    if (!(await written)) this.#logger?.warn({ entries: this.#held.length }, 'provisioning log: the database did not answer at shutdown; entries not written');
    else if (this.#held.length > 0) this.#logger?.warn({ entries: this.#held.length }, 'provisioning log: entries not written at shutdown (the database refused them)');
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /**
   * A batch PostgreSQL refused for a value it cannot store: each entry alone, so one such entry costs
   * only itself. (The recorder makes entries storable; this keeps a miss from stopping the log.)
   */
  async #writeOneByOne(batch: ScimRequestEntry[]): Promise<{ unwritten: ScimRequestEntry[]; error?: unknown }> {
    let refused = 0;
    try {
      for (let i = 0; i < batch.length; i++) {
        try {
          await insertScimRequests(this.#db, batch.slice(i, i + 1));
        } catch (error) {
          if (!refusesValue(error)) return { unwritten: batch.slice(i), error };
          refused++;
        }
      }
      return { unwritten: [] };
    } finally {
      if (refused > 0) this.#logger?.warn({ refused }, 'provisioning log: entries the database cannot store were left out');
    }
  }

  /** Drops the oldest entries past `MAX_HELD`. */
  #bound(): void {
    const over = this.#held.length - MAX_HELD;
    if (over <= 0) return;
    this.#held.splice(0, over);
    this.#dropped += over;
  }

  async #write(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    while (this.#held.length > 0) {
      let batch = this.#held.splice(0, FLUSH_AT);
      try {
        await insertScimRequests(this.#db, batch);
      } catch (caught) {
        let error = caught;
        if (refusesValue(error)) {
          const alone = await this.#writeOneByOne(batch);
          if (alone.unwritten.length === 0) continue;
          ({ unwritten: batch, error } = alone);
        }
        // Back in front of what was recorded meanwhile, oldest first.
        this.#held = batch.concat(this.#held);
        this.#bound();
        this.#logger?.warn({ entries: this.#held.length, err: error }, 'provisioning log not written; trying again');
        return;
      }
      if (this.#dropped > 0) {
        this.#logger?.warn({ dropped: this.#dropped }, 'provisioning log: oldest entries dropped while the database refused writes');
        this.#dropped = 0;
      }
    }
  }
}

/** PostgreSQL refused a value (SQLSTATE classes 22 and 54: bad text, out of range, too long), not the connection. */
function refusesValue(error: unknown): boolean {
  const state = sqlState(error);
  return state !== undefined && (state.startsWith('22') || state.startsWith('54'));
}
