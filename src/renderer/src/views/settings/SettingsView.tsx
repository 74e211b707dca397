import { useRelay } from '../../state/relay-context.js';
import { ConnectionSection } from './ConnectionSection.js';
import { DeliverySection } from './DeliverySection.js';
import { EmulationSection } from './EmulationSection.js';
import { RehearseLimitsToggle } from './RehearseLimitsToggle.js';
import { RetentionSection } from './RetentionSection.js';
import { SyncSection } from './SyncSection.js';

export function SettingsView() {
  const { settings } = useRelay();
  if (!settings) return <p className="muted pad">Loading settings…</p>;
  return (
    <div className="settings-grid">
      <DeliverySection settings={settings} />
      <RehearseLimitsToggle settings={settings} />
      <ConnectionSection />
      <SyncSection settings={settings} />
      <RetentionSection settings={settings} />
      <EmulationSection />
    </div>
  );
}
