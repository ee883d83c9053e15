/**
 * Routes. Feature areas add theirs here: the admin portal's live in `admin/routes.tsx`.
 * Everything past the login and the shell is lazy-loaded so the first screen stays small.
 */
import { createBrowserRouter, type RouteObject } from 'react-router'
import { adminRoutes } from '../admin/routes'
import { LoginPage } from '../auth/LoginPage'
import { RequireSession } from '../auth/RequireSession'
import { HomeRedirect } from './HomeRedirect'
import { Layout } from './Layout'
import { NotFoundPage } from './NotFoundPage'

const dashboard = () => import('../dashboard/ClientDashboard').then((m) => ({ Component: m.ClientDashboard }))
const summaries = () => import('../dashboard/summaries/SummariesPage').then((m) => ({ Component: m.SummariesPage }))
const summary = () => import('../dashboard/summaries/SummaryDetailPage').then((m) => ({ Component: m.SummaryDetailPage }))

const clientRoutes: RouteObject[] = [
  { path: 'clients/:clientId', lazy: dashboard },
  { path: 'clients/:clientId/campaigns/:campaignId', lazy: dashboard },
  { path: 'clients/:clientId/campaigns/:campaignId/strategies/:strategyId', lazy: dashboard },
  { path: 'clients/:clientId/campaigns/:campaignId/strategies/:strategyId/placements/:placementId', lazy: dashboard },
  { path: 'clients/:clientId/summaries/:kind', lazy: summaries },
  { path: 'clients/:clientId/summaries/:kind/:periodStart', lazy: summary },
]

export const routes: RouteObject[] = [
  { path: '/login', element: <LoginPage /> },
  {
    element: <RequireSession />,
    children: [
      {
        element: <Layout />,
        children: [{ index: true, element: <HomeRedirect /> }, ...clientRoutes, ...adminRoutes, { path: '*', element: <NotFoundPage /> }],
      },
    ],
  },
]

export const router = createBrowserRouter(routes)
