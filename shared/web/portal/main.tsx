import { createRoot } from 'react-dom/client';
import '../common/styles.css';
import { PortalApp } from './portal-app';

createRoot(document.getElementById('root')!).render(<PortalApp />);
