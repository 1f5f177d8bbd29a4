import type { FunctionComponent } from 'preact';
import { HomeView } from './views/Home';
import { RoomView } from './views/Room';
import { SettingsView } from './views/Settings';

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
];
