/**
 * The admin portal's routes (issue 13 builds them), mounted inside the app's layout under
 * `/admin`. Add entries here; `RequireAdmin` keeps client users out (the API enforces it too).
 */
import type { RouteObject } from 'react-router'
import { RequireAdmin } from '../auth/RequireSession'

export const adminRoutes: RouteObject[] = [
  {
    path: 'admin',
    element: <RequireAdmin />,
    children: [],
  },
]

/** Links the layout shows to an admin; the portal adds its pages here. */
export const adminNav: { to: string; label: string }[] = []
