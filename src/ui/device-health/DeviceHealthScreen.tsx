import { useCallback, useEffect, useState } from 'react';
import { SCHEMA_VERSION } from '../../domain/entities';
import { appVersion } from '../app-version';
import { useDatabaseProblem, useDeviceId, useSetAside, useSyncStatus } from '../data/device-data';
import { useServiceWorkerState } from '../pwa/service-worker-state';
import { DeviceHealthView } from './DeviceHealthView';
import { readStorage, requestPersistence, type StorageReport } from './storage';

export default function DeviceHealthScreen() {
  const [storage, setStorage] = useState<StorageReport | null>(null);
  const [answer, setAnswer] = useState<boolean | null | undefined>(undefined);
  const refresh = useCallback(() => {
    readStorage().then(setStorage);
  }, []);
  useEffect(() => {
    refresh();
  }, [refresh]);
  const onRequestPersistence = async () => {
    setAnswer(await requestPersistence());
    refresh();
  };
  return (
    <DeviceHealthView
      storage={storage}
      persistenceAnswer={answer}
      onRequestPersistence={onRequestPersistence}
      appVersion={appVersion()}
      schemaVersion={SCHEMA_VERSION}
      deviceId={useDeviceId()}
      sync={useSyncStatus()}
      setAside={useSetAside()}
      databaseProblem={useDatabaseProblem()}
      serviceWorker={useServiceWorkerState()}
      onRefresh={refresh}
    />
  );
}
