import { createRoot } from 'react-dom/client';
import '../common/styles.css';
import { ConsoleApp } from './console-app';

createRoot(document.getElementById('root')!).render(<ConsoleApp />);
