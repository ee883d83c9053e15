import { useCallback, useMemo } from 'react'
import { useSearchParams } from 'react-router'
import { parseView, serializeView, type ViewState } from './state'

/** The view state of the URL, and a setter that writes it back (shareable, survives a reload). */
export function useView(anchor: string): [ViewState, (patch: Partial<ViewState>) => void] {
  const [params, setParams] = useSearchParams()
  const view = useMemo(() => parseView(params, anchor), [params, anchor])
  const update = useCallback(
    (patch: Partial<ViewState>) => {
      const nextView = { ...view, ...patch }
      setParams(serializeView(nextView), { replace: false })
    },
    [view, setParams],
  )
  return [view, update]
}
