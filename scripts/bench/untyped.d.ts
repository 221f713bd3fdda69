// The few members of PouchDB, express and express-pouchdb the benches use (no @types installed).

declare module 'pouchdb-core' {
  export interface Doc {
    _id: string;
    _rev?: string;
    [field: string]: unknown;
  }
  export interface Replication extends PromiseLike<unknown> {
    cancel(): void;
  }
  export interface ReplicateOptions {
    since?: number | string;
    batch_size?: number;
    batches_limit?: number;
    live?: boolean;
    retry?: boolean;
    push?: ReplicateOptions;
    pull?: ReplicateOptions;
  }
  export default class PouchDB {
    constructor(name: string, options?: { adapter?: string; headers?: Record<string, string> });
    static plugin(plugin: unknown): typeof PouchDB;
    static defaults(options: { adapter?: string }): typeof PouchDB;
    static sync(a: PouchDB, b: PouchDB, options?: ReplicateOptions): Replication;
    replicate: {
      from(source: PouchDB, options?: ReplicateOptions): Replication;
      to(target: PouchDB, options?: ReplicateOptions): Replication;
    };
    info(): Promise<{ doc_count: number; update_seq: number | string }>;
    get(id: string, options?: { conflicts?: boolean }): Promise<Doc & { _conflicts?: string[] }>;
    bulkDocs(docs: Doc[]): Promise<{ ok?: boolean; error?: string; id?: string }[]>;
    allDocs(options?: {
      include_docs?: boolean;
      conflicts?: boolean;
      startkey?: string;
      endkey?: string;
      keys?: string[];
    }): Promise<{
      total_rows: number;
      rows: {
        id: string;
        key: string;
        value: { rev: string };
        error?: string;
        doc?: Doc & { _conflicts?: string[] };
      }[];
    }>;
    destroy(): Promise<void>;
  }
}

declare module 'pouchdb-adapter-memory' {
  const plugin: unknown;
  export default plugin;
}
declare module 'pouchdb-adapter-http' {
  const plugin: unknown;
  export default plugin;
}
declare module 'pouchdb-replication' {
  const plugin: unknown;
  export default plugin;
}
declare module 'pouchdb-mapreduce' {
  const plugin: unknown;
  export default plugin;
}

declare module 'express' {
  import type { RequestListener } from 'node:http';
  export interface Express extends RequestListener {
    use(path: string, handler: unknown): Express;
  }
  export default function express(): Express;
}

declare module 'express-pouchdb' {
  export default function expressPouchDB(
    pouch: unknown,
    options?: { mode?: string; inMemoryConfig?: boolean; logPath?: string },
  ): unknown;
}
