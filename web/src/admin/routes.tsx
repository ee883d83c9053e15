/**
 * The admin portal's routes, mounted inside the app's layout under `/admin`, lazy-loaded
 * (the client dashboard's first screen never carries them). `AdminOnly` shows a
 * not-allowed page to anybody but an admin; the API enforces the same (403).
 */
import type { RouteObject } from 'react-router'
import { AdminOnly } from './AdminOnly'

const page = <K extends string>(load: () => Promise<Record<K, React.ComponentType>>, name: K) => () =>
  load().then((m) => ({ Component: m[name] }))

export const adminRoutes: RouteObject[] = [
  {
    path: 'admin',
    element: <AdminOnly />,
    children: [
      { index: true, lazy: page(() => import('./OverviewPage'), 'OverviewPage') },
      { path: 'clients', lazy: page(() => import('./ClientsPage'), 'ClientsPage') },
      { path: 'clients/:clientId', lazy: page(() => import('./ClientDetailPage'), 'ClientDetailPage') },
      { path: 'clients/:clientId/rate-card', lazy: page(() => import('./RateCardPage'), 'RateCardPage') },
      { path: 'clients/:clientId/margin', lazy: page(() => import('./MarginPage'), 'MarginPage') },
      { path: 'users', lazy: page(() => import('./UsersPage'), 'UsersPage') },
      { path: 'ingestions', lazy: page(() => import('./RunsPage'), 'RunsPage') },
      { path: 'ingestions/:runId', lazy: page(() => import('./RunDetailPage'), 'RunDetailPage') },
      { path: 'summaries', lazy: page(() => import('./SummariesBackfillPage'), 'SummariesBackfillPage') },
      { path: 'alerts', lazy: page(() => import('./AlertsPage'), 'AlertsPage') },
    ],
  },
]

/** Links the layout shows to an admin. */
export const adminNav: { to: string; label: string; end?: boolean }[] = [
  { to: '/admin', label: 'Overview', end: true },
  { to: '/admin/clients', label: 'Clients' },
  { to: '/admin/users', label: 'Users' },
  { to: '/admin/ingestions', label: 'Runs' },
  { to: '/admin/summaries', label: 'Summaries' },
  { to: '/admin/alerts', label: 'Alerts' },
]
