/**
 * This repo's policy program: `npm run synth` compiles its default export
 * into dist/. Each target is one cluster or environment: dist/<target>/.
 */
import { PolicyApp, Target } from '../constructs';
import { bookinfo } from './bookinfo';

const app = new PolicyApp({ partOf: 'bookinfo-policy' });

bookinfo(new Target(app, 'demo'));

export default app;
