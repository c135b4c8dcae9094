// The relay's acks, gathered into one acknowledge call each, as the Pub/Sub client libraries batch theirs.

/** How long an ack waits for others to share its call; the push it settles has freed its slot already. */
const ACK_BATCH_MS = 20;
/** The most ack ids in one acknowledge call. */
const ACK_BATCH_MAX = 500;

export class AckBatcher {
  private acks: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private sending: Promise<void> = Promise.resolve();

  /** `send` acknowledges its ids and never throws: an ack that cannot reach the emulator lets the lease run out. */
  constructor(private readonly send: (ackIds: string[]) => Promise<void>) {}

  add(ackId: string): void {
    this.acks.push(ackId);
    if (this.acks.length >= ACK_BATCH_MAX) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), ACK_BATCH_MS);
  }

  /** Sends the acks gathered so far in one call, after the calls before it; resolves when all have gone. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const ackIds = this.acks.splice(0);
    if (ackIds.length > 0) this.sending = this.sending.then(() => this.send(ackIds));
    return this.sending;
  }
}
