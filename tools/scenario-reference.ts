// Prints docs/scenario-reference.md (see `npm run docs:scenario`).
import { scenarioReferenceMarkdown } from '../src/scenario/reference.js';

process.stdout.write(scenarioReferenceMarkdown());
