import type { Role } from '../../../../../../contract/common.ts';
import type { ConsoleRoute } from '../../shared/console-route.ts';

const TABS: { page: ConsoleRoute['page']; href: string; label: string; admins?: true }[] = [
  { page: 'dialer-monitor', href: '#/dialer-monitor', label: 'Dialer monitor' },
  { page: 'dialers', href: '#/dialers', label: 'Dialers' },
  { page: 'dncr', href: '#/dncr', label: 'DNCR' },
  { page: 'api-keys', href: '#/api-keys', label: 'API keys', admins: true },
];

/** The bulk broadcast pages' own row of links, under the top bar (API keys are the admins'). */
export function DialerTabs({ page, role }: { page: ConsoleRoute['page']; role: Role }) {
  return (
    <nav class="dialer-tabs" aria-label="Bulk broadcasts">
      {TABS.filter((tab) => !tab.admins || role === 'admin').map((tab) => (
        <a key={tab.page} href={tab.href} data-testid={`nav-${tab.page}`} aria-current={tab.page === page ? 'page' : undefined}>
          {tab.label}
        </a>
      ))}
    </nav>
  );
}
