import { z } from 'zod';

// `gmpsim validate` parses each file once: zod's JIT (a generated function per object schema, compiled on its
// first parse) costs more than it saves there (issue 24 item 4). zod reads the setting when it BUILDS each
// object schema (core/schemas.js: `const jit = !globalConfig.jitless`), so this module must be evaluated
// before the scenario schemas are: main.ts imports it, then validate-command.js, one after the other.
z.config({ jitless: true });
