// Test helper: an HTTP endpoint that records every push it is sent, with the time it came, and answers as told.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { PushEnvelope } from '../../../emulators/push-envelope.js';

export interface Pushed {
  envelope: PushEnvelope;
  at: number;
  path: string;
}

/** An endpoint whose answer each test decides; it records every push, with the time it arrived. */
export class Endpoint {
  readonly pushes: Pushed[] = [];
  open = 0;
  maxOpen = 0;
  answer: (pushed: Pushed, response: ServerResponse, request: IncomingMessage) => void = (_p, response) => void response.writeHead(204).end();
  private server: Server | undefined;

  constructor(readonly port: number) {}

  async listen(): Promise<void> {
    this.server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        const pushed = { envelope: JSON.parse(body) as PushEnvelope, at: Date.now(), path: request.url ?? '' };
        this.pushes.push(pushed);
        this.open++;
        this.maxOpen = Math.max(this.maxOpen, this.open);
        response.on('close', () => this.open--);
        this.answer(pushed, response, request);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = undefined;
  }

  of(id: string): Pushed[] {
    return this.pushes.filter((p) => p.envelope.message.attributes.id === id);
  }

  /** Leaves the first delivery of message `id` unanswered (the responses, for the test to end); acks all else. */
  holdFirst(id: string): ServerResponse[] {
    const held: ServerResponse[] = [];
    this.answer = (pushed, response) => {
      if (pushed.envelope.message.attributes.id === id && pushed.envelope.deliveryAttempt === 1) held.push(response);
      else response.writeHead(204).end();
    };
    return held;
  }
}
