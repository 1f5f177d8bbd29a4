import { createStore } from './store';

// History-API routing. The route table itself is in ../routes.tsx; the hub answers every non-API path with
// index.html, so deep links and reloads work.

export const location$ = createStore<string>(window.location.pathname + window.location.search);

export function navigate(to: string, replace = false): void {
  if (to === location$.get()) return;
  if (replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  location$.set(to);
}

window.addEventListener('popstate', () => location$.set(window.location.pathname + window.location.search));

/** Matches "/rooms/:id" against a path; returns the decoded parameters or null. */
export function matchPath(pattern: string, path: string): Record<string, string> | null {
  const pathname = path.split('?')[0];
  const want = pattern.split('/').filter(Boolean);
  const have = pathname.split('/').filter(Boolean);
  if (want.length !== have.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    if (want[i].startsWith(':')) {
      try {
        params[want[i].slice(1)] = decodeURIComponent(have[i]);
      } catch {
        return null;
      }
    } else if (want[i] !== have[i]) {
      return null;
    }
  }
  return params;
}

/** A plain link that navigates without a reload (ctrl/middle clicks keep the browser's behaviour). */
export function onLinkClick(event: MouseEvent, to: string): void {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  navigate(to);
}
