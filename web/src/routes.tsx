import type { FunctionComponent } from 'preact';
import { HomeView } from './views/Home';
import { RoomView } from './views/Room';
import { SettingsView } from './views/Settings';
import { AgentsView } from './views/Agents';
import { TasksView } from './views/Tasks';
import { CapacityView } from './views/admin/Capacity';
import { RuntimeSettingsView } from './views/admin/RuntimeSettings';
import { UsersAdminView } from './views/admin/Users';

// The app's pages. A new page is one entry here (and, if it belongs in the sidebar, `nav`): the path pattern
// (":name" segments become props), the view, and whether it needs the admin role.

export interface RouteEntry {
  path: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  view: FunctionComponent<any>;
  adminOnly?: boolean;
  /** Shown in the sidebar's navigation when set. */
  nav?: string;
}

export const routes: RouteEntry[] = [
  { path: '/', view: HomeView },
  { path: '/rooms/:roomId', view: RoomView },
  { path: '/settings', view: SettingsView, nav: 'Settings' },
  { path: '/rooms/:roomId/tasks', view: TasksView },
  { path: '/agents', view: AgentsView, nav: 'Agents' },
  { path: '/admin/users', view: UsersAdminView, adminOnly: true, nav: 'Users' },
  { path: '/admin/settings', view: RuntimeSettingsView, adminOnly: true, nav: 'Runtime' },
  { path: '/admin/capacity', view: CapacityView, adminOnly: true, nav: 'Capacity' },
];
