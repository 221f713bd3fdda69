// Tests use the room's and coordination's modules without App.tsx, which adds their part of the
// catalogue in the app (tests/ui/catalogue-split.test.ts checks that nothing else needs it).
import { addMessages } from '../../src/ui/i18n';
import { frScreens } from '../../src/ui/i18n/fr-screens';

addMessages(frScreens);
