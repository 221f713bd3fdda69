// Storage persistence is asked for once, on the first save, and never breaks a save.
import { describe, expect, it } from 'vitest';
import { getMeta, META } from '../../src/device/db';
import { requestPersistence } from '../../src/device/persistence';
import { openTestDb } from './support';

function fakeStorage(answer: boolean | 'throw') {
  const calls = { persist: 0, persisted: 0 };
  return {
    calls,
    manager: {
      persisted: async () => {
        calls.persisted++;
        return false;
      },
      persist: async () => {
        calls.persist++;
        if (answer === 'throw') throw new Error('SecurityError');
        return answer;
      },
    },
  };
}

describe('requestPersistence', () => {
  it('asks the browser once per session and records the answer for the device-health screen', async () => {
    const db = openTestDb();
    const s = fakeStorage(true);
    expect(await requestPersistence(db, s.manager)).toMatchObject({ persisted: true });
    await requestPersistence(db, s.manager);
    expect(s.calls.persist).toBe(1);
    expect(await getMeta(db, META.persistence)).toMatchObject({ persisted: true });
  });

  it('a refusal is recorded and not asked again in the same session', async () => {
    const db = openTestDb();
    const s = fakeStorage(false);
    expect(await requestPersistence(db, s.manager)).toMatchObject({ persisted: false });
    expect(await requestPersistence(db, s.manager)).toMatchObject({ persisted: false });
    expect(s.calls.persist).toBe(1);
  });

  it('never throws: no Storage API, or a failing one, means "not persisted"', async () => {
    expect(await requestPersistence(openTestDb(), null)).toMatchObject({ persisted: false });
    const s = fakeStorage('throw');
    expect(await requestPersistence(openTestDb(), s.manager)).toMatchObject({ persisted: false });
  });
});
