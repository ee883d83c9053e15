import { NavLink, Outlet, useLocation, useMatch, useNavigate } from 'react-router'
import { session } from '../api/client'
import { useClients } from '../api/queries'
import { adminNav } from '../admin/routes'
import { useSession } from '../auth/useSession'
import { setTheme, useTheme } from './theme'

function ThemeToggle() {
  const theme = useTheme()
  const next = theme === 'dark' ? 'light' : 'dark'
  return (
    <button
      type="button"
      onClick={() => setTheme(next)}
      aria-label={`Switch to ${next} theme`}
      title={`Switch to ${next} theme`}
      className="rounded-lg p-2 text-zinc-500 hover:bg-zinc-100 hover:text-zinc-900 dark:text-zinc-400 dark:hover:bg-zinc-800 dark:hover:text-zinc-100"
    >
      {theme === 'dark' ? (
        <svg viewBox="0 0 20 20" className="size-5" fill="currentColor" aria-hidden="true">
          <path d="M10 2a1 1 0 0 1 1 1v1a1 1 0 1 1-2 0V3a1 1 0 0 1 1-1Zm0 13a1 1 0 0 1 1 1v1a1 1 0 1 1-2 0v-1a1 1 0 0 1 1-1Zm8-5a1 1 0 0 1-1 1h-1a1 1 0 1 1 0-2h1a1 1 0 0 1 1 1ZM5 10a1 1 0 0 1-1 1H3a1 1 0 1 1 0-2h1a1 1 0 0 1 1 1Zm9.95-4.95a1 1 0 0 1 0 1.414l-.707.707a1 1 0 1 1-1.414-1.414l.707-.707a1 1 0 0 1 1.414 0ZM7.17 12.83a1 1 0 0 1 0 1.414l-.707.707a1 1 0 0 1-1.414-1.414l.707-.707a1 1 0 0 1 1.414 0Zm7.78 2.12a1 1 0 0 1-1.414 0l-.707-.707a1 1 0 0 1 1.414-1.414l.707.707a1 1 0 0 1 0 1.414ZM7.17 7.17a1 1 0 0 1-1.414 0l-.707-.707A1 1 0 0 1 6.463 5.05l.707.707a1 1 0 0 1 0 1.414ZM10 6a4 4 0 1 1 0 8 4 4 0 0 1 0-8Z" />
        </svg>
      ) : (
        <svg viewBox="0 0 20 20" className="size-5" fill="currentColor" aria-hidden="true">
          <path d="M17.293 13.293A8 8 0 0 1 6.707 2.707a8.001 8.001 0 1 0 10.586 10.586Z" />
        </svg>
      )}
    </button>
  )
}

function ClientSwitcher() {
  const clients = useClients()
  const match = useMatch('/clients/:clientId/*')
  const navigate = useNavigate()
  const location = useLocation()
  const current = match?.params.clientId ?? ''
  if (!clients.data || clients.data.length === 0) return null
  return (
    <div className="flex min-w-0 items-center gap-2">
      <label htmlFor="client-switcher" className="sr-only">
        Client
      </label>
      <select
        id="client-switcher"
        value={clients.data.some((c) => c.id === current) ? current : ''}
        onChange={(e) => {
          const q = new URLSearchParams(location.search)
          const keep = new URLSearchParams()
          for (const k of ['from', 'to', 'compare']) if (q.get(k)) keep.set(k, q.get(k)!)
          navigate(`/clients/${e.target.value}${keep.size ? `?${keep}` : ''}`)
        }}
        className="max-w-[11rem] truncate rounded-lg border border-zinc-300 bg-white py-1.5 pl-2 pr-7 md:max-w-[16rem] text-sm font-medium dark:border-zinc-700 dark:bg-zinc-900"
      >
        {!clients.data.some((c) => c.id === current) && <option value="">Choose a client…</option>}
        {clients.data.map((c) => (
          <option key={c.id} value={c.id}>
            {c.name}
            {c.status !== 'active' ? ' (disabled)' : ''}
          </option>
        ))}
      </select>
    </div>
  )
}

export function Layout() {
  const { user } = useSession()
  const navigate = useNavigate()
  const isAdmin = user?.role === 'admin'
  const navClass = ({ isActive }: { isActive: boolean }) =>
    `rounded-md px-2.5 py-1.5 text-sm font-medium ${isActive ? 'bg-zinc-100 text-zinc-900 dark:bg-zinc-800 dark:text-white' : 'text-zinc-600 hover:text-zinc-900 dark:text-zinc-400 dark:hover:text-white'}`

  return (
    <div className="min-h-screen">
      <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:left-4 focus:top-4 focus:z-50 focus:rounded-md focus:bg-white focus:px-3 focus:py-2 focus:shadow">
        Skip to content
      </a>
      <header className="sticky top-0 z-20 border-b border-zinc-200 bg-white/90 backdrop-blur dark:border-zinc-800 dark:bg-zinc-950/90">
        <div className="mx-auto flex h-14 max-w-7xl items-center gap-3 px-4 sm:px-6">
          <NavLink to="/" className="flex shrink-0 items-center gap-2" aria-label="Performance — home">
            <img src="/favicon.svg" alt="" className="size-7" />
            <span className="hidden font-semibold tracking-tight sm:inline">Performance</span>
          </NavLink>
          {isAdmin && <ClientSwitcher />}
          {isAdmin && adminNav.length > 0 && (
            <nav aria-label="Admin" className="hidden gap-1 lg:flex">
              {adminNav.map((n) => (
                <NavLink key={n.to} to={n.to} end={n.end} className={navClass}>
                  {n.label}
                </NavLink>
              ))}
            </nav>
          )}
          <div className="ml-auto flex items-center gap-1">
            <span className="mr-2 hidden max-w-[16rem] truncate text-sm text-zinc-500 lg:inline dark:text-zinc-400">{user?.email}</span>
            <ThemeToggle />
            <button
              type="button"
              onClick={async () => {
                await session.logout().catch(() => undefined)
                navigate('/login', { replace: true })
              }}
              className="whitespace-nowrap rounded-lg px-2.5 py-1.5 text-sm font-medium text-zinc-600 hover:bg-zinc-100 hover:text-zinc-900 dark:text-zinc-300 dark:hover:bg-zinc-800 dark:hover:text-white"
            >
              Sign out
            </button>
          </div>
        </div>
        {isAdmin && adminNav.length > 0 && (
          // Below lg the admin links get their own row, wrapping so every section stays in sight.
          <nav aria-label="Admin sections" className="mx-auto flex max-w-7xl flex-wrap gap-1 px-4 pb-2 sm:px-6 lg:hidden">
            {adminNav.map((n) => (
              <NavLink key={n.to} to={n.to} end={n.end} className={(a) => `${navClass(a)} shrink-0`}>
                {n.label}
              </NavLink>
            ))}
          </nav>
        )}
      </header>
      <Outlet />
    </div>
  )
}

export { ThemeToggle }
