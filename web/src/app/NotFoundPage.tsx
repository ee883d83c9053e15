import { Link } from 'react-router'

/** Also what a URL with another client's id shows: no hint whether that client exists. */
export function NotFoundPage() {
  return (
    <main id="main" className="mx-auto max-w-xl px-4 py-20 text-center">
      <p className="text-sm font-semibold text-indigo-600 dark:text-indigo-400">404</p>
      <h1 className="mt-2 text-2xl font-semibold tracking-tight">Page not found</h1>
      <p className="mt-2 text-zinc-600 dark:text-zinc-400">This page does not exist, or your account cannot see it. Check the link, or go back to your dashboard.</p>
      <Link to="/" className="mt-6 inline-block rounded-lg bg-indigo-600 px-4 py-2 text-sm font-medium text-white hover:bg-indigo-500">
        Go to your dashboard
      </Link>
    </main>
  )
}
