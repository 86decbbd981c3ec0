import * as cronParser from 'cron-parser';

/**
 * node:module for the browser bundle: the model's one require() (src/autoscaler/keda/cron.ts loads cron-parser
 * on the first cron expression, not at start) gets the copy bundled here.
 */
export function createRequire(_url: string | URL): (id: string) => unknown {
  return (id: string) => {
    if (id === 'cron-parser') return cronParser;
    throw new Error(`${id}: not in the playground's bundle (playground/shims/module.ts)`);
  };
}
export default { createRequire };
