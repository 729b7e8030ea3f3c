/**
 * Token revocations, told to every serving process: design §5 makes `DELETE /tokens/{id}` effective
 * at once, and §6 keeps revocations out of any one process's memory. The revoking process publishes
 * the token's id on `{prefix}:token-revocations`; every serving process subscribes at start, on a
 * connection of its own (a subscribed connection can send nothing else), and forgets the token on
 * each message. The connection comes from `createRedis`, so a `redis+cluster://` URL works too
 * (a cluster forwards a PUBLISH to every node).
 *
 * Pub/sub delivers only to whoever is subscribed at that moment: a revocation published while this
 * process is starting, cut off from Redis or reconnecting is lost to it. `session` therefore says
 * whether the subscription is established, and changes each time it is established again, so that
 * the token cache trusts only what it found while listening without a break.
 *
 * On a Redis Cluster, ioredis keeps the subscription on one node and, when that connection drops,
 * silently moves it to another; a break is seen only once the node leaves the cluster's node list
 * (`-node`). Until then a revocation published during the move can be missed, and a token cached
 * before it is trusted for the rest of its cache time (2 s at most), as before this broadcast.
 */
import type { Logger } from 'pino';
import { Cluster } from 'ioredis';
import { createRedis, type RedisConnection } from './redis.js';

export interface TokenRevocationsOptions {
  url: string;
  /** The queue prefix (`{idsync}`), so deployments sharing a Redis (and tests) hear only their own. */
  prefix: string;
  /** Where revocations are published from: the producer connection, which fails fast while Redis is away. */
  publisher: RedisConnection;
  /** Called with the id of every token revoked, by this process or another. */
  onRevoked: (tokenId: string) => void;
  logger: Logger;
}

export function revocationChannel(prefix: string): string {
  return `${prefix}:token-revocations`;
}

export class TokenRevocations {
  readonly #channel: string;
  readonly #publisher: RedisConnection;
  readonly #subscriber: RedisConnection;
  readonly #onRevoked: (tokenId: string) => void;
  readonly #logger: Logger;
  /** Counts connections made and lost, so a SUBSCRIBE answered on a connection since lost is not believed. */
  #connection = 0;
  #sessions = 0;
  #session: number | undefined;
  #closed = false;

  private constructor(options: TokenRevocationsOptions) {
    this.#channel = revocationChannel(options.prefix);
    this.#publisher = options.publisher;
    this.#onRevoked = options.onRevoked;
    this.#logger = options.logger;
    this.#subscriber = createRedis(options.url, { lazy: true });
  }

  /**
   * Opens the subscriber connection and subscribes in the background: the process serves at once,
   * and its token cache stays unused until the subscription is established.
   */
  static start(options: TokenRevocationsOptions): TokenRevocations {
    const revocations = new TokenRevocations(options);
    revocations.#listen();
    return revocations;
  }

  /** A new number each time the subscription is established; undefined while it is not. */
  get session(): number | undefined {
    return this.#session;
  }

  /**
   * Tells every serving process, this one included (at once, before Redis is asked), that a token
   * was revoked. A failed publish is logged: the revocation is already stored, and processes that
   * miss it look the token up again within their cache time.
   */
  async revoked(tokenId: string): Promise<void> {
    this.#onRevoked(tokenId);
    try {
      await this.#publisher.publish(this.#channel, tokenId);
    } catch (error) {
      this.#logger.warn({ err: error, tokenId }, 'token revocation not broadcast; other processes refuse the token once their cache expires');
    }
  }

  /** Closes the subscriber connection. Disconnected, not quit: a subscriber awaits no replies, and a QUIT would wait behind a SUBSCRIBE queued while Redis is away. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#lost();
    this.#subscriber.disconnect();
  }

  #listen(): void {
    const subscriber = this.#subscriber;
    subscriber.on('error', (error: Error) => this.#logger.debug({ err: error }, 'token revocation subscriber error'));
    subscriber.on('message', (channel: string, tokenId: string) => {
      if (channel === this.#channel) this.#onRevoked(tokenId);
    });
    subscriber.on('ready', () => this.#subscribe());
    for (const event of ['close', 'end', 'reconnecting']) subscriber.on(event, () => this.#lost());
    // A cluster moves its subscription to another node when the node it used leaves; messages
    // published in between are lost, so the session ends and starts again once subscribed anew
    // (on the next turn: the client picks its new subscriber node after this event).
    if (subscriber instanceof Cluster) subscriber.on('-node', () => {
      this.#lost();
      setImmediate(() => this.#subscribe());
    });
    subscriber.connect().catch((error: unknown) => this.#logger.warn({ err: error }, 'token revocation subscriber cannot connect yet; SCIM tokens are looked up on every request until it does'));
  }

  #subscribe(): void {
    if (this.#closed) return;
    const connection = this.#connection;
    this.#subscriber.subscribe(this.#channel).then(
      () => {
        if (connection !== this.#connection || this.#closed) return;
        this.#session = ++this.#sessions;
      },
      (error: unknown) => this.#logger.warn({ err: error }, 'token revocation subscribe failed'),
    );
  }

  #lost(): void {
    this.#connection++;
    this.#session = undefined;
  }
}
