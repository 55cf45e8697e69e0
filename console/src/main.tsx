/**
 * @module The console's shell: sign-in gate, Cloudscape app layout with the side navigation, and
 * the hash routes (`#/images`, `#/pipelines/ARN`, …) that pick a page.
 */
import '@cloudscape-design/global-styles/index.css';
import AppLayout from '@cloudscape-design/components/app-layout';
import Button from '@cloudscape-design/components/button';
import SideNavigation from '@cloudscape-design/components/side-navigation';
import { type ReactNode, useEffect, useMemo, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { ComponentCreatePage, ComponentDetailPage, ComponentsPage } from './pages/components.tsx';
import { DashboardPage } from './pages/dashboard.tsx';
import { ImageBuildsPage, ImagesPage } from './pages/images.tsx';
import { ImageDetailPage } from './pages/image-detail.tsx';
import { PipelineCreatePage, PipelineDetailPage, PipelinesPage } from './pages/pipelines.tsx';
import { RecipeCreatePage, RecipeDetailPage, RecipesPage } from './pages/recipes.tsx';
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
      content={<main>{page(route, clients)}</main>}
    />
  );
}

createRoot(document.getElementById('root')!).render(<App />);
