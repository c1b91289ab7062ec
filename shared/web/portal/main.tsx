import { createRoot } from 'react-dom/client';
import { startAuth } from '../common/auth';
import '../common/styles.css';
import { PortalApp, store } from './portal-app';

// config.json picks the sign-in (local platform or Cognito) and a hosted sign-in coming back is finished first.
await startAuth('portal', store);
createRoot(document.getElementById('root')!).render(<PortalApp />);
