/** Light and dark themes: the system's by default, a toggle that remembers the choice. */
import { useSyncExternalStore } from 'react'

export type ThemeChoice = 'light' | 'dark' | 'system'
const KEY = 'pmd-theme'
const listeners = new Set<() => void>()
const media = typeof window !== 'undefined' ? window.matchMedia('(prefers-color-scheme: dark)') : null

function stored(): ThemeChoice {
  try {
    const v = localStorage.getItem(KEY)
    return v === 'light' || v === 'dark' ? v : 'system'
  } catch {
    return 'system'
  }
}

export function resolvedTheme(choice: ThemeChoice = stored()): 'light' | 'dark' {
  if (choice === 'system') return media?.matches ? 'dark' : 'light'
  return choice
}

export function applyTheme() {
  document.documentElement.classList.toggle('dark', resolvedTheme() === 'dark')
  listeners.forEach((l) => l())
}

export function setTheme(choice: ThemeChoice) {
  try {
    if (choice === 'system') localStorage.removeItem(KEY)
    else localStorage.setItem(KEY, choice)
  } catch {
    // private mode: the choice lasts for this page only
  }
  applyTheme()
}

media?.addEventListener('change', applyTheme)

export function useTheme(): 'light' | 'dark' {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l)
      return () => listeners.delete(l)
    },
    () => resolvedTheme(),
  )
}
