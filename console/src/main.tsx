/**
 * @module The console's shell: sign-in gate, Cloudscape app layout with the side navigation, and
 * the hash routes (`#/images`, `#/pipelines/ARN`, …) that pick a page.
 */
import '@cloudscape-design/global-styles/index.css';
import AppLayout from '@cloudscape-design/components/app-layout';
import Button from '@cloudscape-design/components/button';
import SideNavigation from '@cloudscape-design/components/side-navigation';
import Spinner from '@cloudscape-design/components/spinner';
import { type ComponentType, lazy, type ReactNode, Suspense, useEffect, useMemo, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { ImageBuildsPage, ImagesPage } from './pages/images.tsx';
import { SignInPage } from './pages/sign-in.tsx';
import { type Clients, clearSession, clientsFor, loadSession, type Session, saveSession } from './session.ts';

const readHash = (): string[] =>
  window.location.hash
    .replace(/^#\/?/, '')
    .split('/')
    .filter(Boolean)
    .map((s) => decodeURIComponent(s));

function useHashRoute(): string[] {
  const [route, setRoute] = useState(readHash);
  useEffect(() => {
    const on = () => setRoute(readHash());
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return route;
}

/** A page loaded on first visit (its own chunk): the images list, the busiest page, is in the main bundle. */
function later<P extends object>(load: () => Promise<Record<string, unknown>>, name: string) {
  return lazy(async () => ({ default: (await load())[name] as ComponentType<P> }));
}
type C = { c: Clients };
type A = { c: Clients; arn: string };
const DashboardPage = later<C>(() => import('./pages/dashboard.tsx'), 'DashboardPage');
const ImageDetailPage = later<A>(() => import('./pages/image-detail.tsx'), 'ImageDetailPage');
const PipelinesPage = later<C>(() => import('./pages/pipelines.tsx'), 'PipelinesPage');
const PipelineDetailPage = later<A>(() => import('./pages/pipelines.tsx'), 'PipelineDetailPage');
const PipelineCreatePage = later<C>(() => import('./pages/pipelines.tsx'), 'PipelineCreatePage');
const ComponentsPage = later<C>(() => import('./pages/components.tsx'), 'ComponentsPage');
const ComponentDetailPage = later<A>(() => import('./pages/components.tsx'), 'ComponentDetailPage');
const ComponentCreatePage = later<C>(() => import('./pages/components.tsx'), 'ComponentCreatePage');
const RecipesPage = later<C>(() => import('./pages/recipes.tsx'), 'RecipesPage');
const RecipeDetailPage = later<A>(() => import('./pages/recipes.tsx'), 'RecipeDetailPage');
const ConfigurationsPage = later<C>(() => import('./pages/configurations.tsx'), 'ConfigurationsPage');
const ConfigurationDetailPage = later<A>(() => import('./pages/configurations.tsx'), 'ConfigurationDetailPage');
const LifecyclePage = later<C>(() => import('./pages/lifecycle.tsx'), 'LifecyclePage');
const LifecycleDetailPage = later<A>(() => import('./pages/lifecycle.tsx'), 'LifecycleDetailPage');
const RecipeCreatePage = later<C>(() => import('./pages/recipes.tsx'), 'RecipeCreatePage');

function page(route: string[], c: Clients): ReactNode {
  const [section, a, b] = route;
  switch (section) {
    case undefined:
    case 'dashboard':
      return <DashboardPage c={c} />;
    case 'images':
      if (a === 'builds' && b) return <ImageBuildsPage c={c} versionArn={b} />;
      if (a === 'build' && b) return <ImageDetailPage c={c} arn={b} />;
      return <ImagesPage c={c} />;
    case 'pipelines':
      if (a === 'create') return <PipelineCreatePage c={c} />;
      if (a) return <PipelineDetailPage c={c} arn={a} />;
      return <PipelinesPage c={c} />;
    case 'components':
      if (a === 'create') return <ComponentCreatePage c={c} />;
      if (a) return <ComponentDetailPage c={c} arn={a} />;
      return <ComponentsPage c={c} />;
    case 'recipes':
      if (a === 'create') return <RecipeCreatePage c={c} />;
      if (a) return <RecipeDetailPage c={c} arn={a} />;
      return <RecipesPage c={c} />;
    case 'configurations':
      if (a) return <ConfigurationDetailPage c={c} arn={a} />;
      return <ConfigurationsPage c={c} />;
    case 'lifecycle':
      if (a) return <LifecycleDetailPage c={c} arn={a} />;
      return <LifecyclePage c={c} />;
    default:
      return <p>No page at #{route.join('/')}.</p>;
  }
}

const NAV = [
  { type: 'link' as const, text: 'Dashboard', href: '#/dashboard' },
  { type: 'link' as const, text: 'Image pipelines', href: '#/pipelines' },
  { type: 'link' as const, text: 'Images', href: '#/images' },
  { type: 'link' as const, text: 'Recipes', href: '#/recipes' },
  { type: 'link' as const, text: 'Components', href: '#/components' },
  { type: 'link' as const, text: 'Configurations', href: '#/configurations' },
  { type: 'link' as const, text: 'Lifecycle policies', href: '#/lifecycle' },
];

function App(): ReactNode {
  const [session, setSession] = useState<Session | undefined>(loadSession);
  const route = useHashRoute();
  const clients = useMemo(() => (session ? clientsFor(session) : undefined), [session]);
  if (!clients) {
    return (
      <SignInPage
        onSignedIn={(s) => {
          saveSession(s);
          setSession(s);
        }}
      />
    );
  }
  const active = `#/${route[0] ?? 'dashboard'}`;
  return (
    <AppLayout
      navigation={
        <SideNavigation
          header={{ text: 'Ingot', href: '#/dashboard' }}
          activeHref={active}
          items={[
            ...NAV,
            { type: 'divider' },
            { type: 'link', text: `${clients.accessKeyId} · ${clients.region}`, href: '#/dashboard' },
          ]}
        />
      }
      navigationOpen
      onNavigationChange={() => undefined}
      breadcrumbs={
        <Button
          variant="link"
          onClick={() => {
            clearSession();
            setSession(undefined);
          }}
        >
          Sign out
        </Button>
      }
      toolsHide
      ariaLabels={{
        navigation: 'Navigation',
        navigationClose: 'Close navigation',
        navigationToggle: 'Open navigation',
      }}
      content={
        <main>
          <Suspense fallback={<Spinner size="large" />}>{page(route, clients)}</Suspense>
        </main>
      }
    />
  );
}

createRoot(document.getElementById('root')!).render(<App />);
