// Live pokes: after each accepted push, every device listening for that organisation is told
// the new last sequence. In-process; several central instances share pokes through PostgreSQL
// NOTIFY (store/pg-fanout.ts).
import { EventEmitter } from 'node:events';

export class Pokes {
  private readonly emitter = new EventEmitter();

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  poke(org: string, lastSeq: number): void {
    this.emitter.emit(org, lastSeq);
  }

  listen(org: string, listener: (lastSeq: number) => void): () => void {
    this.emitter.on(org, listener);
    return () => this.emitter.off(org, listener);
  }
}
