/** Small building blocks shared by the portal and the console: routing, data loading, messages. */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ReactNode } from 'react';
import { ApiError } from './api';
import { asError } from './field-errors';

/** The current path and query (History API), re-rendered on navigation. */
export function useLocation(): { path: string; search: URLSearchParams } {
  const current = () => `${window.location.pathname}${window.location.search}`;
  const [location, setLocation] = useState(current);
  useEffect(() => {
    const update = () => setLocation(current());
    window.addEventListener('popstate', update);
    return () => window.removeEventListener('popstate', update);
  }, []);
  const query = location.indexOf('?');
  return { path: query < 0 ? location : location.slice(0, query), search: new URLSearchParams(query < 0 ? '' : location.slice(query)) };
}

export function navigate(to: string): void {
  window.history.pushState(null, '', to);
  window.dispatchEvent(new PopStateEvent('popstate'));
}

export function Link(props: { to: string; children: ReactNode; className?: string }) {
  const { path } = useLocation();
  return (
    <a
      href={props.to}
      className={props.className}
      aria-current={path === props.to ? 'page' : undefined}
      onClick={(event) => {
        if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
        event.preventDefault();
        navigate(props.to);
      }}
    >
      {props.children}
    </a>
  );
}

export type Resource<T> = { state: 'loading' } | { state: 'error'; error: Error } | { state: 'ready'; data: T };

/** Loads `load()` when `key` changes; `reload()` loads again (after a change). */
export function useResource<T>(key: string, load: () => Promise<T>): [Resource<T>, () => void] {
  const [resource, setResource] = useState<Resource<T>>({ state: 'loading' });
  const [generation, setGeneration] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  useEffect(() => {
    let live = true;
    loadRef.current().then(
      (data) => live && setResource({ state: 'ready', data }),
      (error: unknown) => live && setResource({ state: 'error', error: asError(error) }),
    );
    return () => {
      live = false;
    };
  }, [key, generation]);
  const reload = useCallback(() => setGeneration((value) => value + 1), []);
  return [resource, reload];
}

export function Alert(props: { kind: 'error' | 'success' | 'info'; title?: string; children: ReactNode }) {
  return (
    <div className={`alert alert-${props.kind}`} role={props.kind === 'error' ? 'alert' : 'status'}>
      {props.title ? <strong className="alert-title">{props.title}</strong> : null}
      <div>{props.children}</div>
    </div>
  );
}

/** The message for an error from the API, with the 403 text the caller chooses. */
export function ErrorMessage(props: { error: Error; forbidden?: string }) {
  const { error } = props;
  if (error instanceof ApiError && error.status === 403) {
    return <Alert kind="error" title="Not allowed">{props.forbidden ?? error.message}</Alert>;
  }
  if (error instanceof ApiError && error.status === 404) return <Alert kind="error" title="Not found">{error.message}</Alert>;
  return <Alert kind="error" title="Something went wrong">{error.message}</Alert>;
}

export function Loading(props: { what: string }) {
  return (
    <p className="loading" role="status" aria-live="polite">
      Loading {props.what}…
    </p>
  );
}

/** Renders a resource: loading text, the error, or `children(data)`. */
export function Load<T>(props: { resource: Resource<T>; what: string; forbidden?: string; children: (data: T) => ReactNode }) {
  const { resource } = props;
  if (resource.state === 'loading') return <Loading what={props.what} />;
  if (resource.state === 'error') return <ErrorMessage error={resource.error} forbidden={props.forbidden} />;
  return <>{props.children(resource.data)}</>;
}

/** A labelled form field; `hint` is tied to the control with aria-describedby. */
export function Field(props: { id: string; label: string; hint?: string; children: ReactNode }) {
  return (
    <div className="field">
      <label htmlFor={props.id}>{props.label}</label>
      {props.children}
      {props.hint ? (
        <p className="hint" id={`${props.id}-hint`}>
          {props.hint}
        </p>
      ) : null}
    </div>
  );
}

/**
 * After a client-side navigation (or signing in or out) focus goes to the new page's heading, so
 * keyboard and screen reader users start at the top of what changed; the tab title follows the
 * heading. The heading may appear only after its data loads: it is awaited for a while.
 */
function useHeadingFocus(appTitle: string, path: string, user: string | undefined): void {
  const first = useRef(true);
  useEffect(() => {
    const initial = first.current;
    first.current = false;
    const main = document.getElementById('main');
    if (!main) return;
    const settle = (): boolean => {
      const heading = main.querySelector('h1');
      if (!heading) return false;
      document.title = `${heading.textContent ?? ''} – ${appTitle}`;
      if (!initial) {
        heading.setAttribute('tabindex', '-1');
        heading.focus();
      }
      return true;
    };
    if (settle()) return;
    const observer = new MutationObserver(() => {
      if (settle()) observer.disconnect();
    });
    observer.observe(main, { childList: true, subtree: true });
    const timer = setTimeout(() => observer.disconnect(), 10_000);
    return () => {
      observer.disconnect();
      clearTimeout(timer);
    };
  }, [appTitle, path, user]);
}

/** The skip link, header and main landmark of an app. */
export function Shell(props: { title: string; user?: string; onSignOut?: () => void; nav?: ReactNode; children: ReactNode }) {
  const { path } = useLocation();
  useHeadingFocus(props.title, path, props.user);
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="app-header">
        <div className="app-header-inner">
          <span className="brand">{props.title}</span>
          {props.nav ? <nav aria-label="Main">{props.nav}</nav> : null}
          {props.user ? (
            <div className="user">
              <span className="user-name">{props.user}</span>
              <button type="button" className="button button-quiet" onClick={props.onSignOut}>
                Sign out
              </button>
            </div>
          ) : null}
        </div>
      </header>
      <main id="main" tabIndex={-1} className="app-main">
        {props.children}
      </main>
    </>
  );
}

/**
 * A filter of a list screen: one labelled select and a Show button that navigates to
 * `{path}?{name}={value}` (the screen reads it from the URL, so the filter survives a reload).
 */
export function SelectFilter(props: { label: string; formLabel: string; id: string; name: string; path: string; value: string; options: readonly string[]; text: (value: string) => string }) {
  return (
    <form
      className="card"
      aria-label={props.formLabel}
      onSubmit={(event) => {
        event.preventDefault();
        navigate(`${props.path}?${props.name}=${encodeURIComponent(String(new FormData(event.currentTarget).get(props.name)))}`);
      }}
    >
      <Field id={props.id} label={props.label}>
        <select id={props.id} name={props.name} defaultValue={props.value} key={props.value}>
          {props.options.map((option) => (
            <option key={option} value={option}>
              {props.text(option)}
            </option>
          ))}
        </select>
      </Field>
      <button className="button" type="submit">
        Show
      </button>
    </form>
  );
}
