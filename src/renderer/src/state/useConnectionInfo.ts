import { useMemo } from 'react';
import { connectionInfo, type ConnectionInfo } from '../views/settings/connection-info.js';
import { useRelay } from './relay-context.js';

export function useConnectionInfo(): ConnectionInfo {
  const { settings, api } = useRelay();
  return useMemo(
    () => connectionInfo(settings, api.connection.baseUrl, api.connection.token, window.location.origin),
    [settings, api],
  );
}
