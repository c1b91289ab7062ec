import { createRoot } from 'react-dom/client';
import { startAuth } from '../common/auth';
import '../common/styles.css';
import { ConsoleApp, store } from './console-app';

// config.json picks the sign-in (local platform or Cognito) and a hosted sign-in coming back is finished first.
await startAuth('console', store);
createRoot(document.getElementById('root')!).render(<ConsoleApp />);
