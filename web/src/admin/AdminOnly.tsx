import { Link, Outlet } from 'react-router'
import { useSession } from '../auth/useSession'

/** Admin pages for the admin only; anybody else is told so (the API answers 403 as well). */
export function AdminOnly() {
  const { user } = useSession()
  if (user?.role === 'admin') return <Outlet />
  return (
    <main id="main" className="mx-auto max-w-xl px-4 py-20 text-center" data-testid="not-allowed">
      <p className="text-sm font-semibold text-rose-600 dark:text-rose-400">403</p>
      <h1 className="mt-2 text-2xl font-semibold tracking-tight">Not allowed</h1>
      <p className="mt-2 text-zinc-600 dark:text-zinc-400">This page is for the agency's administrators. Your account can see your own dashboard only.</p>
      <Link to="/" className="mt-6 inline-block rounded-lg bg-indigo-600 px-4 py-2 text-sm font-medium text-white hover:bg-indigo-500">
        Go to your dashboard
      </Link>
    </main>
  )
}
