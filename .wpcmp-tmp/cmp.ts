import { Construct } from 'constructs';
import * as oldP from '/work/main/bench/.old-prov.tmp';
import * as newP from '/work/main/constructs/internal/provenance';
import { PolicyApp, Target, MeshNamespace, Waypoint } from '/work/main/constructs';
const app = new PolicyApp();
const t = new Target(app, 'x');
const ns = new MeshNamespace(t, 'ns');
function make(id: string) {
  const c = new Construct(ns, id);
  oldP.recordSource(c);
  return c;
}
const a = make('a');
[1].map(() => { const w = new Waypoint(ns, 'w'); oldP.recordSource(w); console.log('wp', oldP.sourceOf(w), newP.sourceOf(w)); });
console.log('old', oldP.sourceOf(a), 'ns new', newP.sourceOf(ns));
