// The scenarios' fixtures: a site (its own data directory seeded with the demo organisation,
// central serving the built app on loopback, the truck's relay on demand), the devices (Chromium
// contexts whose clock reads 10:00 in the truck, or the scenario's `truckTime` with the server's
// clock moved with them), and the screenshots of every screen visited.
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { type BrowserContext, test as base, type Page } from '@playwright/test';
import { zonedIso } from '../../../src/domain/time';
import {
  type E2EServer,
  makeDataDir,
  seedDemo,
  startRelay,
  startServer,
  todayInParis,
} from './server';
import { type EnrolOptions, enrol, type Profile, type Shot } from './steps';

export { expect } from '@playwright/test';

const SHOTS = 'tests/e2e/screenshots';

export type Demo = Awaited<ReturnType<typeof seedDemo>>;

/**
 * The demo organisation's servers for one scenario. Central keeps the port it got first, so a
 * scenario can cut it and bring it back where the devices (and the relay) know it.
 */
export class Site {
  central: E2EServer | null = null;
  relay: E2EServer | null = null;
  private port = 0;

  constructor(
    readonly dataDir: string,
    readonly demo: Demo,
    /** Central's clock, when the scenario runs at another time of day than the real one. */
    private readonly clock?: () => number,
  ) {}

  /** Central's origin, where the devices load the app from. */
  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  requireCentral(): E2EServer {
    if (!this.central) throw new Error('central is stopped');
    return this.central;
  }

  requireRelay(): E2EServer {
    if (!this.relay) throw new Error('no relay');
    return this.relay;
  }

  /** Starts central on its port, serving `staticDir` (the built app by default). */
  async startCentral(staticDir?: string): Promise<E2EServer> {
    this.central = await startServer(this.dataDir, this.port, staticDir, this.clock);
    this.port = this.central.port;
    return this.central;
  }

  async stopCentral(): Promise<void> {
    const central = this.central;
    this.central = null;
    await central?.stop();
  }

  /** The truck's relay, enrolled at central (which must be up). */
  async startRelay(): Promise<E2EServer> {
    this.relay = await startRelay(this.dataDir, this.requireCentral(), this.demo.org);
    return this.relay;
  }

  async close(): Promise<void> {
    const relay = this.relay;
    this.relay = null;
    await relay?.stop();
    await this.stopCentral();
  }
}

export interface Devices {
  /** A device fresh out of its box: a page of its own, nothing stored. */
  fresh(): Promise<Page>;
  /** A device enrolled for `profile` (through `relay` when given), unlocked on its own screen. */
  enrol(profile: Profile, options?: EnrolOptions): Promise<Page>;
}

interface Fixtures {
  /** The scenario's letter, which prefixes its screenshots (`a-03-reception-ticket.png`). */
  scenario: string;
  /**
   * The truck's wall-clock time today ('HH:MM', Paris) for a scenario run at another hour: the
   * demo is seeded as `npm start` would at that moment, the devices' clocks read it and central's
   * clock runs from that moment. Unset: the usual demo day and devices at 10:00.
   */
  truckTime: string | null;
  shot: Shot;
  site: Site;
  devices: Devices;
}

export const test = base.extend<Fixtures>({
  scenario: ['', { option: true }],
  truckTime: [null, { option: true }],

  shot: async ({ scenario }, use) => {
    if (!scenario) throw new Error('test.use({ scenario }) names the screenshots');
    mkdirSync(SHOTS, { recursive: true });
    // This scenario's screenshots from an earlier run would mix with this run's.
    for (const file of readdirSync(SHOTS)) {
      if (file.startsWith(`${scenario}-`)) rmSync(join(SHOTS, file));
    }
    let n = 0;
    await use(async (page, name) => {
      n += 1;
      const file = `${scenario}-${String(n).padStart(2, '0')}-${name}.png`;
      await page.screenshot({ path: join(SHOTS, file), fullPage: true });
    });
  },

  site: async ({ truckTime }, use) => {
    const data = makeDataDir();
    const at = truckTime ? Date.parse(zonedIso(todayInParis(), truckTime)) : null;
    // Central's clock runs from `truckTime`; the devices' stand still there, and their ops are
    // stamped with the server's time they learn at each sync (src/device/sync-client.ts), after
    // the sign-in that opened the person's session (docs/decisions/0006-person-sessions.md).
    const shift = at === null ? 0 : at - Date.now();
    const site = new Site(
      data.dir,
      await seedDemo(data.dir, at === null ? undefined : new Date(at).toISOString()),
      at === null ? undefined : () => Date.now() + shift,
    );
    try {
      await site.startCentral();
      await use(site);
    } finally {
      await site.close();
      data.remove();
    }
  },

  devices: async ({ browser, site, shot, truckTime }, use) => {
    const contexts: BrowserContext[] = [];
    /**
     * A device whose wall clock reads 10:00 in the truck today: the rooms' roster offers their
     * services (the run may happen at night). The server keeps the real time; HLCs absorb the skew.
     */
    const fresh = async (): Promise<Page> => {
      const context = await browser.newContext();
      contexts.push(context);
      await context.clock.setFixedTime(new Date(zonedIso(todayInParis(), truckTime ?? '10:00')));
      return context.newPage();
    };
    await use({
      fresh,
      async enrol(profile, options = {}) {
        const page = await fresh();
        await enrol(page, site, profile, shot, options);
        return page;
      },
    });
    for (const context of contexts) await context.close();
  },
});
