/**
 * The console's side of a module spec, for module tests that check what an investigator types
 * becomes the parameters the agent checks: flag parsing, hunt argv splitting, help text and the
 * flags derived from a schema. Module folders import only protocol/ and modules/shared/, so
 * their tests reach the console here.
 */
export { splitHuntArgv } from '../../../console/cli/hunt-flags.js';
export { moduleParams } from '../../../console/cli/hunt.js';
export { deriveFlags } from '../../../console/flags/fields.js';
export { flagsHelp } from '../../../console/flags/help.js';
export { parseFlags } from '../../../console/flags/parse-flags.js';
export { checkForm, formFields } from '../../../console/state/launcher/form-values.js';
