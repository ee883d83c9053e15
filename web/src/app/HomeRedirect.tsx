import { Navigate } from 'react-router'
import { useClients } from '../api/queries'
import { useSession } from '../auth/useSession'
import { EmptyState, ErrorState, Loading } from './ui'

/** A client user goes straight to its client; an admin to the agency overview. */
export function HomeRedirect() {
  const { user } = useSession()
  const clients = useClients()
  if (user?.role !== 'admin' && user?.client_id) return <Navigate to={`/clients/${user.client_id}`} replace />
  // The admin's home is the agency overview (the client switcher is in the header).
  if (user?.role === 'admin') return <Navigate to="/admin" replace />
  if (clients.isPending) return <main id="main" className="px-4 py-10"><Loading label="Loading clients…" /></main>
  if (clients.isError) return <main id="main" className="mx-auto max-w-3xl px-4 py-10"><ErrorState error={clients.error} onRetry={() => void clients.refetch()} what="your clients" /></main>
  const first = clients.data.find((c) => c.status === 'active') ?? clients.data[0]
  if (!first)
    return (
      <main id="main" className="mx-auto max-w-3xl px-4 py-10">
        <h1 className="sr-only">Dashboard</h1>
        <EmptyState title="No clients yet">Create a client in the admin portal, then its dashboard appears here.</EmptyState>
      </main>
    )
  return <Navigate to={`/clients/${first.id}`} replace />
}
