import { useSyncExternalStore } from 'react'
import { session } from '../api/client'

/** The session's status and user, re-rendering when they change (in this tab or another). */
export function useSession() {
  return useSyncExternalStore(session.subscribe, session.getSnapshot)
}
