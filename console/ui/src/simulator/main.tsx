import { render } from 'preact';
import { SimulatorApp } from './simulator-app.tsx';

const root = document.getElementById('app');
if (!root) throw new Error('simulator.html has no #app element');
render(<SimulatorApp />, root);
