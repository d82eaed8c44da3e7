/**
 * The option shapes the call-time checker reads are generated from the TypeScript types; this
 * fails when lib/engine/option-shapes.generated.ts is not what the types give (run `npx projen shapes`).
 */
import * as fs from 'fs';
import { generateOptionShapes, OUTPUT } from '../../tools/option-shapes';

test('the generated option shapes are current', () => {
  expect(fs.readFileSync(OUTPUT, 'utf8')).toBe(generateOptionShapes());
});
