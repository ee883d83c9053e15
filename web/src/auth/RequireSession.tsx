import { useEffect } from 'react'
import { Navigate, Outlet, useLocation } from 'react-router'
import { session } from '../api/client'
import { NotFoundPage } from '../app/NotFoundPage'
import { Loading } from '../app/ui'
import { useSession } from './useSession'

/** Restores the session on load (refresh cookie) and sends a signed-out visitor to /login. */
export function RequireSession() {
  const { status } = useSession()
  const location = useLocation()
  useEffect(() => {
    if (status === 'unknown') void session.restore()
  }, [status])
  if (status === 'unknown') {
    return (
      <main className="grid min-h-screen place-items-center">
        <Loading label="Opening your dashboard…" />
      </main>
    )
  }
  if (status === 'signed_out') {
    const next = location.pathname + location.search
    return <Navigate to={next === '/' ? '/login' : `/login?next=${encodeURIComponent(next)}`} replace />
  }
  return <Outlet />
}

/** Admin-only pages: anybody else sees the not-found page (nothing to learn from it). */
export function RequireAdmin() {
  const { user } = useSession()
  return user?.role === 'admin' ? <Outlet /> : <NotFoundPage />
}
